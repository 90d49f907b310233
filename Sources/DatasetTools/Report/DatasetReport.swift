import Dataset
import DatasetReading
public import Foundation

/// A dataset's quality-control report (`tessera report`): one self-contained HTML file with
/// the statistics of `tessera stats` as inline SVG plots, a gallery of samples with their
/// labels drawn as `tessera preview` draws them (PNG in `data:` URIs), the scene script,
/// the manifest's provenance and the result of `tessera validate`. No script, no network:
/// the page's Content-Security-Policy forbids both. What it shows: docs/QC.md.
///
/// The same dataset gives the same bytes: nothing in the page depends on the clock, the
/// dataset's path or hash order.
public enum DatasetReport {
    public struct Options: Sendable, Equatable {
        /// Images in the gallery, spread evenly through the dataset; fewer when it has fewer.
        public var sampleCount: Int
        /// Side of a gallery tile in pixels; images are scaled to fit it, aspect kept.
        public var tileSize: Int
        /// Validation faults listed; the rest are counted.
        public var maximumFaults: Int

        public init(sampleCount: Int = 12, tileSize: Int = 256, maximumFaults: Int = 50) {
            self.sampleCount = sampleCount
            self.tileSize = tileSize
            self.maximumFaults = maximumFaults
        }

        /// At most this many samples: each is an embedded PNG.
        public static let maximumSampleCount = 100

        /// Checks the options.
        /// - Throws: `DatasetError.usage` naming the flag.
        public func validate() throws {
            guard (0...Self.maximumSampleCount).contains(sampleCount) else {
                throw DatasetError.usage("--samples must be 0…\(Self.maximumSampleCount), got \(sampleCount)")
            }
            let tiles = DatasetPreview.Options.minimumTileSize...DatasetPreview.Options.maximumTileSize
            guard tiles.contains(tileSize) else {
                throw DatasetError.usage("--tile must be \(tiles.lowerBound)…\(tiles.upperBound) pixels, got \(tileSize)")
            }
            guard maximumFaults >= 1 else { throw DatasetError.usage("--max-faults must be at least 1, got \(maximumFaults)") }
        }
    }

    /// What a written report holds, for the command's summary line.
    public struct Summary: Sendable, Equatable {
        public var images: Int
        public var annotations: Int
        public var samples: Int
        /// Validation faults; 0 for a valid dataset.
        public var faultCount: Int
        /// Bytes written.
        public var bytes: Int
    }

    /// The default output file: `report.html` in the dataset folder.
    public static func defaultOutput(for dataset: URL) -> URL {
        dataset.appendingPathComponent("report.html")
    }

    /// Reads the dataset in `root`, builds its report and writes it to `output` atomically
    /// (a hidden partial file in the same folder, renamed when complete), so a failure at
    /// any point leaves no report, or the previous one, behind.
    /// - Throws: `DatasetError.usage` for bad options or an `output` that is a folder, a
    ///   device or a file of the dataset; `.io` when `output`'s folder is missing or not
    ///   writable (checked before the dataset is read) or the write fails;
    ///   `.missingInput` when `root` is not a folder; `.invalidDataset` when the dataset
    ///   cannot be read (no `manifest.json`: not a dataset, or an unfinished run; a
    ///   malformed file; a missing gallery image). A dataset that validation finds faulty
    ///   is no error: the report shows the faults.
    /// - Complexity: one pass of `tessera stats`, one of `tessera validate` and part of
    ///   one more for the gallery; memory holds the statistics, the validator's id sets
    ///   and the gallery's samples.
    @discardableResult
    public static func write(_ root: URL, to output: URL, options: Options = .init()) throws -> Summary {
        try options.validate()
        try requireFolder(root)
        try checkOutput(output, dataset: root)
        let content = try ReportContent(root, options: options)
        let html = Data(ReportPage(content).html.utf8)
        try AtomicFile.write(html, to: output, creatingFolders: false)
        return Summary(images: content.statistics.images, annotations: content.statistics.annotations,
                       samples: content.gallery.samples.count, faultCount: content.validation.faultCount, bytes: html.count)
    }

    /// Refuses an output the report may not replace (see `DatasetPreview.checkOutput`) and
    /// a folder it cannot write in, before any of the dataset is read.
    /// - Throws: `DatasetError.usage` naming `--out`; `DatasetError.io` naming the path.
    static func checkOutput(_ output: URL, dataset root: URL) throws {
        try DatasetPreview.checkOutput(output, dataset: root, product: "the report")
        let folder = output.deletingLastPathComponent().path
        guard access(folder, W_OK | X_OK) == 0 else {
            throw DatasetError.io(path: output.path, reason: "cannot write in \(folder): \(String(cString: strerror(errno)))")
        }
    }
}

/// Everything the report shows, read from the dataset.
struct ReportContent {
    enum Validation {
        /// The validator's report.
        case checked(DatasetValidator.Report)
        /// The validator stopped at a record it cannot read past (its message).
        case stopped(String)

        var faultCount: Int {
            switch self {
            case let .checked(report): report.faultCount
            case .stopped: 1
            }
        }
    }

    var statistics: DatasetStatistics
    var manifest: DatasetManifest
    var validation: Validation
    var gallery: ReportGallery

    /// Reads the dataset in `root`: statistics, manifest, validation, gallery.
    /// - Throws: as ``DatasetReport/write(_:to:options:)``.
    init(_ root: URL, options: DatasetReport.Options) throws {
        let reader = try DatasetError.reading { try DatasetReader(root) }
        statistics = try DatasetStatistics(reader: reader)
        manifest = try DatasetError.reading { try reader.manifest() }
        do {
            validation = .checked(try DatasetValidator.validate(root, maximumFaults: options.maximumFaults))
        } catch let DatasetError.invalidDataset(message) {
            validation = .stopped(message)
        }
        let imageCount = statistics.images
        gallery = try DatasetError.reading {
            try ReportGallery(reader: reader, imageCount: imageCount, sampleCount: options.sampleCount, tileSize: options.tileSize)
        }
    }
}
