public import Foundation

/// Where each file of a dataset lives, relative to the output folder:
///
/// ```
/// images/000000.png            RGB image (000000.jpg with `--image-format jpeg`)
/// masks/instance/000000.png    16-bit instance ids (0 = background or unlabeled)
/// masks/semantic/000000.png    category ids (0 = background), 8-bit (16-bit past 255 categories)
/// annotations.json             COCO instances
/// manifest.json                provenance and per-file hashes
/// shard.records                a shard's record log, for `tessera merge` (shards only)
/// ```
public struct OutputLayout: Sendable {
    public let root: URL
    /// Digits in file stems: 6, or more when the run has a million images or more.
    public let digits: Int
    /// The format of the RGB images, which sets their file extension.
    public let imageFormat: ImageFormat

    public static let annotationsFile = "annotations.json"
    public static let manifestFile = "manifest.json"
    /// The record log while a run is in progress (see `RecordLog`).
    static let recordLogFile = ".tessera-records.partial"
    /// A finished shard's record log, which `tessera merge` reads.
    public static let shardRecordsFile = "shard.records"
    /// The folders that hold per-image files.
    static let imageFolders = ["images", "masks/instance", "masks/semantic"]

    public init(root: URL, imageCount: Int, imageFormat: ImageFormat = .png) {
        self.root = root
        self.digits = max(6, String(max(0, imageCount - 1)).count)
        self.imageFormat = imageFormat
    }

    func stem(_ index: Int) -> String {
        let s = String(index)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    public func imagePath(_ index: Int) -> String { "images/\(stem(index)).\(imageFormat.fileExtension)" }
    public func instanceMaskPath(_ index: Int) -> String { "masks/instance/\(stem(index)).png" }
    public func semanticMaskPath(_ index: Int) -> String { "masks/semantic/\(stem(index)).png" }

    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether `path` names a file in one of the image folders, without leaving them
    /// (no `..`, not absolute): the only per-image paths a record log may hold.
    static func isImageFilePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return imageFolders.contains { path.hasPrefix($0 + "/") }
            && !parts.contains("..") && !parts.contains(".") && !parts.contains("")
    }

    /// Takes the output folder's write lock (`flock` on `.tessera.lock`, created with the
    /// folder if missing), so two processes never write one dataset at once. Held until the
    /// returned lock is released.
    /// - Throws: `DatasetError.usage` when another process holds it; `DatasetError.io`.
    func lock() throws -> OutputLock {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw DatasetError.io(path: root.path, reason: "exists and is not a folder")
        }
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: root.path, reason: AtomicFile.reason(error))
        }
        let path = url(".tessera.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DatasetError.io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw DatasetError.usage("another tessera process is writing into '\(root.path)'; wait for it or choose another --out")
        }
        return OutputLock(descriptor: descriptor, path: path)
    }

    /// Prepares the output folder: creates it, or, when it already holds anything but
    /// dot-files, requires `overwrite` and then removes the dataset entries in it (other
    /// files are left alone).
    /// - Throws: `DatasetError.outputNotEmpty` or `DatasetError.io` naming the path.
    /// - Parameter resumable: whether the refusal may suggest `--resume` (render, not merge).
    func prepare(overwrite: Bool, resumable: Bool = true) throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw DatasetError.io(path: root.path, reason: "exists and is not a folder")
            }
            let entries: [String]
            do { entries = try fm.contentsOfDirectory(atPath: root.path) } catch {
                throw DatasetError.io(path: root.path, reason: AtomicFile.reason(error))
            }
            if entries.contains(where: { !$0.hasPrefix(".") }) {
                guard overwrite else { throw DatasetError.outputNotEmpty(path: root.path, resumable: resumable) }
                try removeDatasetFiles()
            }
        }
        try createFolders()
    }

    /// Removes the image folders where they are empty (deepest first), so a folder a failed
    /// job created counts as empty again.
    func removeEmptyFolders() {
        for folder in Self.imageFolders + ["masks"] {
            let path = url(folder).path
            if (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Whether the output folder is missing or holds nothing but dot-files.
    var isEmpty: Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return true }
        return entries.allSatisfy { $0.hasPrefix(".") }
    }

    /// Creates the output folder and its image folders where missing.
    func createFolders() throws {
        for folder in Self.imageFolders {
            do { try FileManager.default.createDirectory(at: url(folder), withIntermediateDirectories: true) } catch {
                throw DatasetError.io(path: url(folder).path, reason: AtomicFile.reason(error))
            }
        }
    }

    /// Removes the files a Tessera run writes — `annotations.json`, `manifest.json`,
    /// `shard.records`, numbered PNGs and JPEGs in the image folders, and hidden partial or spill files — and nothing
    /// else, so a user's own files in the output folder survive `--overwrite`.
    func removeDatasetFiles() throws {
        let fm = FileManager.default
        func isOwned(_ name: String, inImageFolder: Bool) -> Bool {
            if name.hasPrefix(".") && (name.hasSuffix(".partial") || name.hasSuffix(".spill")) { return true }
            if inImageFolder {
                let stem = name.dropLast(4)
                let isImageFile = ImageFormat.allCases.contains { name.hasSuffix("." + $0.fileExtension) }
                return isImageFile && !stem.isEmpty && stem.allSatisfy { $0.isASCII && $0.isNumber }
            }
            return name == Self.annotationsFile || name == Self.manifestFile || name == Self.shardRecordsFile
        }
        for (folder, inImageFolder) in [("", false)] + Self.imageFolders.map({ ($0, true) }) {
            let folderURL = folder.isEmpty ? root : url(folder)
            guard let names = try? fm.contentsOfDirectory(atPath: folderURL.path) else { continue }
            for name in names.sorted() where isOwned(name, inImageFolder: inImageFolder) {
                let file = folderURL.appendingPathComponent(name)
                // Only files: a user's folder that happens to bear a dataset file's name stays.
                guard (try? fm.attributesOfItem(atPath: file.path)[.type]) as? FileAttributeType == .typeRegular else { continue }
                do { try fm.removeItem(at: file) } catch {
                    throw DatasetError.io(path: file.path, reason: AtomicFile.reason(error))
                }
            }
        }
    }
}

/// - Throws: `DatasetError.missingInput` unless `url` is an existing folder.
func requireFolder(_ url: URL) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
        throw DatasetError.missingInput(path: url.path)
    }
    guard isFolder.boolValue else { throw DatasetError.usage("'\(url.path)' is a file, not a dataset folder") }
}

/// A held output-folder lock (see `OutputLayout.lock`); released, and its file removed, when
/// the value is released.
final class OutputLock {
    private let descriptor: Int32
    private let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        unlink(path)
        close(descriptor)
    }
}
