public import DatasetReading

/// A format an export writes: fed one image at a time, in the dataset's order, then
/// finished. It writes only through the ``ExportFolder`` it is given, so a failure anywhere
/// leaves no file under a final name.
///
/// Memory must not grow with the number of images: keep per-image data only while
/// ``write(_:)`` runs, and stream per-dataset files (lists, shards) as they grow.
public protocol ExportWriter {
    /// Called once before the first image.
    /// - Parameters:
    ///   - categories: The dataset's categories, in file order (declaration order).
    ///   - splits: The dataset's split names, in order.
    ///   - folder: Where to write.
    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws

    /// Writes one image's files.
    mutating func write(_ item: ExportItem) throws

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

/// The formats `tessera export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// YOLO detection, as ultralytics reads it.
    case yolo
    /// YOLO segmentation (one polygon per instance), as ultralytics reads it.
    case yoloSegmentation = "yolo-seg"
    /// WebDataset tar shards: image, masks and per-image JSON per sample.
    case webdataset

    /// A new writer for this format.
    public func makeWriter(_ options: ExportOptions = ExportOptions()) -> any ExportWriter {
        switch self {
        case .yolo: return YOLOWriter(isSegmentation: false)
        case .yoloSegmentation: return YOLOWriter(isSegmentation: true)
        case .webdataset: return WebDatasetWriter(samplesPerShard: options.samplesPerShard)
        }
    }

    /// The names `--format` accepts, in order.
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// Settings of the formats that have any.
public struct ExportOptions: Sendable, Equatable {
    /// WebDataset: samples (images) per tar shard (`--samples-per-shard`, default 1000).
    public var samplesPerShard = 1000

    public init(samplesPerShard: Int = 1000) { self.samplesPerShard = samplesPerShard }
}
