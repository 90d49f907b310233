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
}

/// The formats `tessera export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// YOLO detection, as ultralytics reads it.
    case yolo
    /// YOLO segmentation (one polygon per instance), as ultralytics reads it.
    case yoloSegmentation = "yolo-seg"
    /// YouTube-VIS video instance segmentation, for datasets of clips.
    case youtubeVIS = "youtube-vis"
    /// MOTChallenge tracking ground truth, for datasets of clips.
    case mot

    /// A new writer for this format; `clip` is the dataset's (its manifest's `clip`).
    public func makeWriter(clip: DatasetManifest.Clip? = nil) -> any ExportWriter {
        switch self {
        case .yolo: return YOLOWriter(isSegmentation: false)
        case .yoloSegmentation: return YOLOWriter(isSegmentation: true)
        case .youtubeVIS: return YouTubeVISWriter()
        case .mot: return MOTWriter(fps: clip?.fps ?? 0)
        }
    }

    /// The names `--format` accepts, in order.
    public static var names: [String] { allCases.map(\.rawValue) }
}
