import Annotation
import Crypto
import Foundation

/// `annotations.json`, streamed: records go to a hidden partial file as images complete (in
/// image order) and the file is renamed to its final name when the document is complete.
/// Annotation ids are assigned here, 1, 2, … in image order.
final class AnnotationFile {
    private let url: URL
    private let partial: URL
    private let handle: FileHandle
    private let writer: COCODocumentWriter
    private(set) var annotationCount = 0

    /// - Throws: `DatasetError.io` naming the path.
    init(url: URL, info: COCOInfo) throws {
        self.url = url
        self.partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw DatasetError.io(path: partial.path, reason: "cannot create file")
            }
            handle = try FileHandle(forWritingTo: partial)
            writer = try COCODocumentWriter(sink: FileHandleSink(handle), info: info,
                                            spillDirectory: url.deletingLastPathComponent())
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Appends one image and its annotations, numbering the annotations.
    func append(image: COCOImage, annotations: [COCOAnnotation]) throws {
        do {
            try writer.append(image)
            for var annotation in annotations {
                annotationCount += 1
                annotation.id = annotationCount
                try writer.append(annotation)
            }
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Ends the document, moves it to its final name and returns its manifest entry.
    func finish(categories: [COCOCategory]) throws -> FileEntry {
        do {
            try writer.finish(categories: categories)
            try handle.synchronize()
            try handle.close()
            try AtomicFile.moveReplacing(partial, to: url)
            return try FileEntry(path: url.lastPathComponent, contentsOf: url)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }
}

extension FileEntry {
    /// The entry of a file on disk, hashed in chunks so large files need little memory.
    init(path: String, contentsOf url: URL) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        self.path = path
        self.bytes = bytes
        self.sha256 = hex(hasher.finalize())
    }
}
