import Dataset
import DatasetReading
public import Foundation

/// The output folder of an export, written as one transaction: every file goes into the
/// hidden folder `.tessera-export.partial` inside it, and only ``commit()`` moves the
/// entries into place, so an export that fails writes nothing under final names.
///
/// Like `tessera render`, a folder that holds anything but dot-files is refused unless
/// `overwrite` is given; then each entry the export writes replaces the entry of the same
/// name (files of other names are left alone). The entries it replaces are moved into
/// `.tessera-export.previous` first and deleted once every new entry is in place; a commit
/// that fails half-way moves them back.
public final class ExportFolder {
    /// The output folder (`--out`).
    public let root: URL
    /// Where the export is written until ``commit()``.
    public let staging: URL
    /// Whether ``place(_:at:)`` has linked every file so far (`false` once one was copied).
    public private(set) var isLinkingImages = true
    private let previous: URL

    static let stagingName = ".tessera-export.partial"
    static let previousName = ".tessera-export.previous"

    /// Prepares `root` for an export and creates the staging folder (removing one a killed
    /// export left behind).
    /// - Throws: `DatasetError.outputNotEmpty` for a folder with content and no `overwrite`;
    ///   `DatasetError.io` naming the path.
    public init(_ root: URL, overwrite: Bool) throws {
        self.root = root
        staging = root.appendingPathComponent(Self.stagingName)
        previous = root.appendingPathComponent(Self.previousName)
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        createdRoot = !fm.fileExists(atPath: root.path)
        if fm.fileExists(atPath: root.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw DatasetError.io(path: root.path, reason: "exists and is not a folder") }
            let entries = try Self.entries(of: root)
            if entries.contains(where: { !$0.hasPrefix(".") }), !overwrite {
                throw DatasetError.outputNotEmpty(path: root.path, resumable: false)
            }
        }
        do {
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.io(path: staging.path, reason: AtomicFile.reason(error))
        }
    }

    /// Whether `folder` holds a Tessera dataset, finished (`manifest.json`) or not (a record
    /// log), which no export may write into.
    public static func holdsDataset(_ folder: URL) -> Bool {
        [DatasetFiles.manifest, ".tessera-records.partial"].contains {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// The staged location of `relativePath`.
    public func url(_ relativePath: String) -> URL { staging.appendingPathComponent(relativePath) }

    /// Writes `bytes` to `relativePath` atomically (a hidden `.NAME.partial`, then renamed),
    /// creating folders.
    public func write(_ bytes: [UInt8], to relativePath: String) throws {
        try AtomicFile.write(Data(bytes), to: url(relativePath))
    }

    /// Puts the file `source` at `relativePath`: a hard link when both lie on one file
    /// system, a copy (written atomically) otherwise.
    /// - Throws: `DatasetError.invalidDataset` when `source` is missing; `DatasetError.io`.
    public func place(_ source: URL, at relativePath: String) throws {
        let target = url(relativePath)
        if isLinkingImages {
            if link(source.path, target.path) == 0 { return }
            if errno == ENOENT {
                try createFolder(target.deletingLastPathComponent())
                if link(source.path, target.path) == 0 { return }
            }
            switch errno {
            case ENOENT where !FileManager.default.fileExists(atPath: source.path):
                throw DatasetError.invalidDataset("\(source.path): missing")
            case EXDEV, EPERM, EMLINK, ENOTSUP: isLinkingImages = false
            default: throw DatasetError.io(path: target.path, reason: String(cString: strerror(errno)))
            }
        }
        let data: Data
        do { data = try Data(contentsOf: source) } catch {
            throw FileManager.default.fileExists(atPath: source.path)
                ? DatasetError.io(path: source.path, reason: AtomicFile.reason(error))
                : DatasetError.invalidDataset("\(source.path): missing")
        }
        try AtomicFile.write(data, to: target)
    }

    /// Puts `item`'s image at `relativePath`: the bytes `converted` when given
    /// (``ExportItem/eightBitImage(_:)``), else the dataset's file (``place(_:at:)``).
    public func placeImage(_ item: ExportItem, converted: Data?, at relativePath: String) throws {
        if let converted {
            try AtomicFile.write(converted, to: url(relativePath))
        } else {
            try place(item.imageURL, at: relativePath)
        }
    }

    /// Creates `folder` (in the staging folder) with its parents.
    public func createFolder(_ folder: URL) throws {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: folder.path, reason: AtomicFile.reason(error))
        }
    }

    /// Moves every staged entry into the output folder, replacing entries of the same name.
    /// - Throws: `DatasetError.io`; the output folder is then as it was before.
    public func commit() throws {
        let fm = FileManager.default
        var placed: [String] = [], setAside: [String] = []
        do {
            for name in try Self.entries(of: staging).sorted() {
                let target = root.appendingPathComponent(name)
                if fm.fileExists(atPath: target.path) {
                    try fm.createDirectory(at: previous, withIntermediateDirectories: true)
                    try AtomicFile.moveReplacing(target, to: previous.appendingPathComponent(name))
                    setAside.append(name)
                }
                try AtomicFile.moveReplacing(staging.appendingPathComponent(name), to: target)
                placed.append(name)
            }
        } catch {
            for name in placed { try? fm.moveItem(at: root.appendingPathComponent(name), to: staging.appendingPathComponent(name)) }
            for name in setAside { try? fm.moveItem(at: previous.appendingPathComponent(name), to: root.appendingPathComponent(name)) }
            rollback()
            try? fm.removeItem(at: previous)
            throw DatasetError.io(path: root.path, reason: AtomicFile.reason(error))
        }
        try? fm.removeItem(at: previous)
        try? fm.removeItem(at: staging)
    }

    /// Whether the export made `root` (it did not exist): a rollback then removes it again.
    private let createdRoot: Bool

    /// Removes the staging folder and everything in it, and the output folder when the
    /// export made it, so a failed export leaves things as they were.
    public func rollback() {
        try? FileManager.default.removeItem(at: staging)
        if createdRoot, (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: root)
        }
    }

    private static func entries(of folder: URL) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw DatasetError.io(path: folder.path, reason: AtomicFile.reason(error))
        }
    }
}
