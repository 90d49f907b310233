public import Foundation

/// Writes files so that they appear under their final name only when complete: the bytes go
/// to a hidden temporary file in the same folder, which is then renamed (`rename(2)` is
/// atomic within one file system). A killed run leaves at most a `.*.partial` file behind.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating missing parent folders.
    /// - Throws: `DatasetError.io` naming the path on any file-system error.
    /// - Parameter creatingFolders: create the folder when it is missing (otherwise a
    ///   missing folder is an error).
    public static func write(_ data: Data, to url: URL, creatingFolders: Bool = true) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            try writeNew(data, to: temporary, creatingFolder: creatingFolders ? folder : nil)
            try moveReplacing(temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DatasetError.io(path: url.path, reason: Self.reason(error))
        }
    }

    /// Writes `data` to `url` with plain `open(2)`/`write(2)`/`close(2)`: one copy, no fsync
    /// (a rename after it is atomic against a killed process, which is the failure a run
    /// must survive), creating `folder` when it is missing.
    private static func writeNew(_ data: Data, to url: URL, creatingFolder folder: URL?) throws {
        var descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == ENOENT, let folder {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        guard failure == 0 else { throw DatasetError.io(path: url.path, reason: String(cString: strerror(failure))) }
    }

    /// Renames `source` to `destination`, replacing a file already there.
    public static func moveReplacing(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw DatasetError.io(path: destination.path, reason: String(cString: strerror(errno)))
        }
    }

    /// The bytes of an input file the user named (`what`: "parameter file", "focus file").
    /// - Throws: `DatasetError.missingFile` (exit 66) when nothing is at `url` (or a parent is
    ///   not a folder); `DatasetError.io` (74) naming the path when it cannot be read (no
    ///   permission, a folder).
    public static func readInput(_ url: URL, what: String) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
                throw DatasetError.missingFile(path: url.path, what: what)
            }
            throw DatasetError.io(path: url.path, reason: "cannot read this \(what): "
                + (isFolder.boolValue ? "it is a folder" : reason(error)))
        }
    }

    /// A short reason for a Foundation or POSIX error, without Foundation's boilerplate.
    public static func reason(_ error: any Error) -> String {
        if case let DatasetError.io(_, reason) = error { return reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        // Foundation's file errors without a POSIX cause: the POSIX wording, not "NSCocoaErrorDomain error 512".
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
            case .fileWriteFileExists: return "a file or folder with that name is in the way"
            case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
            case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
            case .fileReadUnknown: return "cannot be read (is it a folder or a device?)"
            case .fileWriteUnknown: return "cannot be written (is a parent a file, or the device not writable?)"
            default: return "file error \(ns.code)"
            }
        }
        return ns.localizedDescription
    }
}

/// A file streamed under a hidden `.NAME.partial` name in its final folder and renamed to
/// NAME by `commit()` once complete, so a reader never sees it half-written.
public final class PartialFile {
    /// The final location.
    public let url: URL
    /// Where the bytes go until `commit()`.
    public let handle: FileHandle
    private let partial: URL

    /// Creates (or truncates) the partial file.
    /// - Throws: `DatasetError.io` naming `url`.
    public init(_ url: URL) throws {
        self.url = url
        partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: partial) else {
            throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
        self.handle = handle
    }

    /// Flushes and closes the file and gives it its final name; on failure removes it.
    /// - Throws: `DatasetError.io` naming `url`.
    public func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
            try AtomicFile.moveReplacing(partial, to: url)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Appends `bytes`.
    /// - Throws: `DatasetError.io` naming `url`.
    public func write(_ bytes: [UInt8]) throws {
        do { try handle.write(contentsOf: bytes) } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Closes and removes the partial file, leaving nothing under either name.
    public func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: partial)
    }
}
