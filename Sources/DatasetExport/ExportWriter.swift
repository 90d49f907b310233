public import DatasetReading
public import Foundation
import Dataset

/// A format an export writes, in two parts: the work of one image that needs nothing but
/// that image (decoding its masks, tracing polygons, encoding PNGs: ``preparation()``), done
/// on worker threads several images at once, and the rest (placing files, appending to
/// per-dataset lists and shards: ``write(_:_:)``), fed the images one at a time in the
/// dataset's order, then finished. So the output is the same bytes whatever the number of
/// threads. It writes only through the ``ExportFolder`` it is given, so a failure anywhere
/// leaves no file under a final name.
///
/// Memory must not grow with the number of images: keep per-image data only in
/// ``Prepared`` and while ``write(_:_:)`` runs, and stream per-dataset files (lists,
/// shards) as they grow.
public protocol ExportWriter {
    /// What the preparation makes of one image, for ``write(_:_:)``.
    associatedtype Prepared: Sendable

    /// Called once before the first image.
    /// - Parameters:
    ///   - categories: The dataset's categories, in file order (declaration order).
    ///   - splits: The dataset's split names, in order.
    ///   - folder: Where to write.
    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws

    /// The per-image work, called once after ``begin(categories:splits:folder:)``. The
    /// function it returns is called on worker threads, for several images at once and in
    /// any order, so it reads only what it captured and the item it is given, and its result
    /// depends on nothing else.
    func preparation() -> @Sendable (ExportItem) throws -> Prepared

    /// Writes one image's files from what its preparation made; called on one thread, image
    /// after image in the dataset's order.
    mutating func write(_ item: ExportItem, _ prepared: Prepared) throws

    /// Writes the per-dataset files, after the last image.
    mutating func finish() throws

    /// Whether the writer needs each image's records as JSON text (``ExportItem/text`` and
    /// ``ExportItem/recordText``), which costs a copy of every record and a pass over
    /// `records.jsonl` per split.
    var carriesRecords: Bool { get }
}

extension ExportWriter {
    public var carriesRecords: Bool { false }
}

extension ExportWriter where Prepared == Void {
    /// Nothing to prepare: a writer whose per-image work is too light to share out.
    public func preparation() -> @Sendable (ExportItem) throws -> Void { { _ in } }
}

/// The formats `tessera export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// YOLO detection, as ultralytics reads it.
    case yolo
    /// YOLO segmentation (one polygon per instance), as ultralytics reads it.
    case yoloSegmentation = "yolo-seg"
    /// WebDataset tar shards: image, masks and per-image JSON per sample.
    case webdataset
    /// COCO panoptic segmentation: RGB-encoded segment PNGs and `segments_info`.
    case cocoPanoptic = "coco-panoptic"
    /// Pascal VOC: XML boxes, class and object palette PNGs, image sets.
    case voc
    /// YouTube-VIS video instance segmentation, for datasets of clips.
    case youtubeVIS = "youtube-vis"
    /// MOTChallenge tracking ground truth, for datasets of clips.
    case mot

    /// A new writer for this format.
    /// - Parameter source: The dataset's class map and provenance, and the export options.
    /// - Throws: `DatasetError.invalidDataset` when the format needs `classes.json` and the
    ///   dataset has none; `DatasetError.usage` when the dataset cannot be written in the
    ///   format (see each writer).
    public func makeWriter(for source: ExportSource) throws -> any ExportWriter {
        switch self {
        case .yolo: return YOLOWriter(isSegmentation: false, channels: source.manifest.options.imageChannels ?? 3)
        case .yoloSegmentation: return YOLOWriter(isSegmentation: true, channels: source.manifest.options.imageChannels ?? 3)
        case .cocoPanoptic: return try COCOPanopticWriter(source)
        case .voc: return try VOCWriter(source)
        case .webdataset: return WebDatasetWriter(samplesPerShard: source.options.samplesPerShard)
        case .youtubeVIS: return YouTubeVISWriter(manifest: source.manifest)
        case .mot: return MOTWriter(manifest: source.manifest)
        }
    }

    /// The names `--format` accepts, in order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Checks that classes of these names fit the format, so that `render --format` can
    /// refuse before rendering what the export would refuse after it (only `voc` limits
    /// classes: see its writer).
    /// - Throws: `DatasetError.usage` naming the class or the count.
    public func checkClasses(_ classes: [(name: String, isThing: Bool)]) throws {
        if self == .voc { try VOCWriter.checkClasses(classes) }
    }
}

/// Choices of an export beyond its format.
public struct ExportOptions: Sendable, Equatable {
    /// What `voc` does with an image of more than 254 annotated instances, which VOC's 8-bit
    /// `SegmentationObject` PNG cannot number (`--voc-overflow`).
    public var vocOverflow: VOCOverflow
    /// WebDataset: samples (images) per tar shard (`--samples-per-shard`, default 1000).
    public var samplesPerShard: Int
    /// `voc`: the width in pixels of VOC's void band (255) drawn over every instance border
    /// in `SegmentationClass` and `SegmentationObject` (`--voc-void-band`); 0, the default,
    /// keeps the masks exact.
    public var vocVoidBand: Int
    /// Images prepared at once, on as many worker threads (`--jobs`; default: all cores).
    /// Never changes the output.
    public var jobs: Int

    public init(vocOverflow: VOCOverflow = .error, samplesPerShard: Int = 1000, vocVoidBand: Int = 0,
                jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.vocOverflow = vocOverflow
        self.samplesPerShard = samplesPerShard
        self.vocVoidBand = vocVoidBand
        self.jobs = jobs
    }
}

/// `--voc-overflow`: the `voc` export's answer to an image with more than 254 annotated
/// instances (docs/FORMATS.md, "Pascal VOC").
public enum VOCOverflow: String, CaseIterable, Sendable {
    /// Stop with a usage error naming the image (the default): nothing is written.
    case error
    /// Write every `SegmentationObject` PNG as 16-bit greyscale (0 background, 1…N the
    /// objects, 65535 void) instead of VOC's 8-bit palette PNG.
    case gray16
}

/// What a writer may need of the dataset besides its images: the class map, the provenance,
/// and the options of the export.
public struct ExportSource {
    /// `classes.json`, or `nil` for a dataset written before it existed.
    public var classMap: ClassMapFile?
    /// Where `classes.json` is or would be, for messages.
    public var classMapURL: URL
    public var manifest: DatasetManifest
    public var options: ExportOptions

    public init(classMap: ClassMapFile?, classMapURL: URL, manifest: DatasetManifest, options: ExportOptions) {
        self.classMap = classMap
        self.classMapURL = classMapURL
        self.manifest = manifest
        self.options = options
    }

    /// The class map, for a format that cannot do without it.
    /// - Throws: `DatasetError.invalidDataset` naming `classes.json` and `format`.
    func requiredClassMap(for format: ExportFormat) throws -> ClassMapFile {
        guard let classMap else {
            throw DatasetError.invalidDataset("\(classMapURL.path): missing; --format \(format.rawValue) needs the class map (which classes are stuff, the ignore value); a dataset rendered before classes.json existed lacks it: render it again")
        }
        return classMap
    }
}
