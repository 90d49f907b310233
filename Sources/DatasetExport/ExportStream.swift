import Dataset
public import Foundation

/// A file of an export written front to back while the images stream past (an image list,
/// a JSON array), so that memory holds one image's part of it at a time. It lives in the
/// staging folder like every other file of the export, so a failure leaves it nowhere final.
public final class ExportStream {
    /// The file, in the staging folder.
    public let url: URL
    private var handle: FileHandle?

    /// Creates (or truncates) `relativePath` in `folder`'s staging folder, with its folders.
    /// - Throws: `DatasetError.io` naming the file.
    public init(_ relativePath: String, in folder: ExportFolder) throws {
        url = folder.url(relativePath)
        try folder.createFolder(url.deletingLastPathComponent())
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: url) else {
            throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
        self.handle = handle
    }

    deinit { try? handle?.close() }

    /// Appends `bytes`.
    /// - Throws: `DatasetError.io` naming the file.
    public func append(_ bytes: [UInt8]) throws {
        guard let handle else { preconditionFailure("append to a closed stream \(url.path)") }
        do { try handle.write(contentsOf: bytes) } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Appends the whole content of the file `source`, 1 MiB at a time.
    /// - Throws: `DatasetError.io` naming the file that failed.
    public func append(contentsOf source: URL) throws {
        guard let input = try? FileHandle(forReadingFrom: source) else {
            throw DatasetError.io(path: source.path, reason: String(cString: strerror(errno)))
        }
        defer { try? input.close() }
        while true {
            let chunk: Data?
            do { chunk = try input.read(upToCount: 1 << 20) } catch {
                throw DatasetError.io(path: source.path, reason: AtomicFile.reason(error))
            }
            guard let chunk, !chunk.isEmpty else { return }
            try append([UInt8](chunk))
        }
    }

    /// Closes the file; appending after this is a programming error.
    /// - Throws: `DatasetError.io` naming the file (a failed final write shows here).
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        do { try handle.close() } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }
}
