import Annotation
import Foundation

/// A split's COCO instances file (`annotations/instances_<split>.json`), streamed: records go
/// to a hidden partial file in image order and the file is renamed to its final name when
/// the document is complete. Annotation ids are given by the caller (``AnnotationIDs``), so
/// that they run 1, 2, … in image order over the whole dataset, across the split files.
final class AnnotationFile {
    private let file: PartialFile
    /// The path relative to the dataset folder, for the manifest.
    private let path: String
    private let writer: COCODocumentWriter

    /// - Parameter info: the COCO `info` object's JSON text.
    /// - Throws: `DatasetError.io` naming the path.
    init(layout: OutputLayout, path: String, info: [UInt8]) throws {
        self.path = path
        let url = layout.url(path)
        file = try PartialFile(url)
        do {
            writer = try COCODocumentWriter(sink: FileHandleSink(file.handle), infoJSONText: info,
                                            spillDirectory: url.deletingLastPathComponent())
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Appends one image and its annotations (JSON objects starting `{"id":0,`), numbering
    /// the annotations on from `ids` (the last id given).
    func append(image: [UInt8], annotations: [[UInt8]], ids: inout Int) throws {
        do {
            try writer.appendImage(jsonText: image)
            var text: [UInt8] = []
            for annotation in annotations {
                ids += 1
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: "{\"id\":\(ids),".utf8)
                text.append(contentsOf: annotation.dropFirst(RecordLog.annotationPrefix.count))
                try writer.appendAnnotation(jsonText: text)
            }
        } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Ends the document with `categories` (JSON objects), moves it to its final name and
    /// returns its manifest entry.
    func finish(categories: [[UInt8]]) throws -> FileEntry {
        do { try writer.finish(categoryJSONTexts: categories) } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
        try file.commit()
        do { return try FileEntry(path: path, contentsOf: file.url) } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
    }
}

extension FileEntry {
    /// The entry of a file on disk, hashed in chunks so large files need little memory.
    init(path: String, contentsOf url: URL) throws {
        let digest = try FileDigest(contentsOf: url)
        self.init(path: path, bytes: digest.bytes, sha256: digest.sha256)
    }
}
