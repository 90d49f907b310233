public import Foundation

/// Writes files so that they appear under their final name only when complete: the bytes go
/// to a hidden temporary file in the same folder, which is then renamed (`rename(2)` is
/// atomic within one file system). A killed run leaves at most a `.*.partial` file behind.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating missing parent folders.
    /// - Throws: `DatasetError.io` naming the path on any file-system error.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: temporary)
            try moveReplacing(temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DatasetError.io(path: url.path, reason: Self.reason(error))
        }
    }

    /// Renames `source` to `destination`, replacing a file already there.
    static func moveReplacing(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw DatasetError.io(path: destination.path, reason: String(cString: strerror(errno)))
        }
    }

    /// A short reason for a Foundation or POSIX error, without Foundation's boilerplate.
    static func reason(_ error: any Error) -> String {
        if case let DatasetError.io(_, reason) = error { return reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
