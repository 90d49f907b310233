import Foundation

/// Writes a COCO instances file incrementally, with memory that does not grow with the
/// dataset.
///
/// The document is
/// ```
/// {"info":{…},
/// "licenses":[],
/// "images":[
/// {…},
/// {…}
/// ],
/// "annotations":[
/// {…}
/// ],
/// "categories":[
/// {…}
/// ]}
/// ```
/// one record per line (empty arrays stay `[]`), ending with a newline: valid JSON that
/// line-oriented tools can also read. Records appear in the order they were appended, so a
/// caller that appends in image-index order gets the same bytes however work was scheduled.
///
/// Images and annotations may be appended interleaved, as images complete. Images go
/// straight to the sink, since they come first in the file. Annotations, which must follow
/// all images, are held in memory up to `annotationMemoryLimit` bytes and beyond that in a
/// temporary spill file; `finish` appends them after the images. A small dataset never
/// touches the disk; a large one costs one extra copy of its annotation text. The output is
/// the same either way.
public final class COCODocumentWriter {
    private let sink: any ByteSink
    private let spillDirectory: URL
    private let annotationMemoryLimit: Int
    private var imageBytes: [UInt8] = []
    private var annotationBytes: [UInt8] = []
    private var spill: SpillFile?
    private var isFinished = false

    /// Images appended so far.
    public private(set) var imageCount = 0
    /// Annotations appended so far.
    public private(set) var annotationCount = 0

    /// Bytes of image text gathered before they are written to the sink.
    private static let chunkSize = 1 << 20

    /// Starts a document and writes its `info` and `licenses`.
    ///
    /// - Parameters:
    ///   - sink: Where the document goes; the writer does not close it.
    ///   - info: The `info` record.
    ///   - spillDirectory: Where a spill file for annotations may be created (and removed by
    ///     `finish` or when the writer is released). Defaults to the temporary directory.
    ///   - annotationMemoryLimit: Bytes of annotation text kept in memory before spilling.
    public convenience init(
        sink: any ByteSink, info: COCOInfo, spillDirectory: URL? = nil,
        annotationMemoryLimit: Int = 16 << 20
    ) throws {
        try self.init(sink: sink, infoJSONText: info.jsonBytes, spillDirectory: spillDirectory,
                      annotationMemoryLimit: annotationMemoryLimit)
    }

    /// Like `init(sink:info:…)`, with `info` given as its JSON text.
    public init(
        sink: any ByteSink, infoJSONText: [UInt8], spillDirectory: URL? = nil,
        annotationMemoryLimit: Int = 16 << 20
    ) throws {
        self.sink = sink
        self.spillDirectory = spillDirectory ?? FileManager.default.temporaryDirectory
        self.annotationMemoryLimit = annotationMemoryLimit
        imageBytes.appendRaw("{\"info\":")
        imageBytes.append(contentsOf: infoJSONText)
        imageBytes.appendRaw(",\n\"licenses\":[],\n\"images\":[")
    }

    /// Appends one entry to `images`.
    public func append(_ image: COCOImage) throws {
        try appendImage(jsonText: image.jsonBytes)
    }

    /// Appends one entry to `images` given as its JSON text (one compact object, no newline),
    /// e.g. read back from a record log.
    public func appendImage(jsonText: some Collection<UInt8>) throws {
        precondition(!isFinished, "append after finish")
        imageBytes.appendRaw(imageCount == 0 ? "\n" : ",\n")
        imageBytes.append(contentsOf: jsonText)
        imageCount += 1
        if imageBytes.count >= Self.chunkSize {
            try sink.write(imageBytes)
            imageBytes.removeAll(keepingCapacity: true)
        }
    }

    /// Appends one entry to `annotations`.
    public func append(_ annotation: COCOAnnotation) throws {
        try appendAnnotation(jsonText: annotation.jsonBytes)
    }

    /// Appends one entry to `annotations` given as its JSON text (one compact object, no
    /// newline).
    public func appendAnnotation(jsonText: some Collection<UInt8>) throws {
        precondition(!isFinished, "append after finish")
        annotationBytes.appendRaw(annotationCount == 0 ? "\n" : ",\n")
        annotationBytes.append(contentsOf: jsonText)
        annotationCount += 1
        if annotationBytes.count >= annotationMemoryLimit {
            if spill == nil { spill = try SpillFile(directory: spillDirectory) }
            try spill!.write(annotationBytes)
            annotationBytes.removeAll(keepingCapacity: true)
        }
    }

    /// Appends entries to `annotations`, in order.
    public func append(contentsOf annotations: some Sequence<COCOAnnotation>) throws {
        for annotation in annotations { try append(annotation) }
    }

    /// Writes the held annotations and `categories`, and ends the document. The writer
    /// accepts nothing afterwards.
    public func finish(categories: [COCOCategory]) throws {
        try finish(categoryJSONTexts: categories.map(\.jsonBytes))
    }

    /// Like `finish(categories:)`, with each category given as its JSON text.
    public func finish(categoryJSONTexts categories: [[UInt8]]) throws {
        precondition(!isFinished, "finish called twice")
        isFinished = true
        imageBytes.appendRaw(imageCount == 0 ? "],\n\"annotations\":[" : "\n],\n\"annotations\":[")
        try sink.write(imageBytes)
        imageBytes = []
        if let spill {
            try spill.copy(to: sink, chunkSize: Self.chunkSize)
            self.spill = nil
        }
        annotationBytes.appendRaw(annotationCount == 0 ? "],\n\"categories\":[" : "\n],\n\"categories\":[")
        for (i, category) in categories.enumerated() {
            annotationBytes.appendRaw(i == 0 ? "\n" : ",\n")
            annotationBytes.append(contentsOf: category)
        }
        annotationBytes.appendRaw(categories.isEmpty ? "]}\n" : "\n]}\n")
        try sink.write(annotationBytes)
        annotationBytes = []
    }
}

/// A temporary file that annotation text overflows into; removed when released.
private final class SpillFile {
    private let url: URL
    private let handle: FileHandle

    init(directory: URL) throws {
        url = directory.appendingPathComponent(
            ".tessera-annotations-\(ProcessInfo.processInfo.globallyUniqueString).spill")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forUpdating: url)
    }

    func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    /// Copies everything written, from the start, to `sink`.
    func copy(to sink: any ByteSink, chunkSize: Int) throws {
        try handle.seek(toOffset: 0)
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            try sink.write([UInt8](chunk))
        }
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}
