public import Foundation

/// Reads a Tessera dataset back: `manifest.json`, `annotations/instances_<split>.json` and `records.jsonl`
/// as typed records, streamed, so that a tool going through 100 000 images holds one
/// image's annotations at a time. The one place that knows how the files are laid out
/// (docs/FORMATS.md); every tool that reads a dataset back goes through it.
///
/// The instances files are read streamed, in any layout (Tessera writes one record per line
/// inside the `images`, `annotations` and `categories` arrays), annotations in image order.
/// Records are read from their bytes by `JSONScanner`; numbers exactly.
///
/// Errors are `DatasetReadError`s naming the file and line.
public struct DatasetReader: Sendable {
    public let root: URL

    /// - Throws: `DatasetReadError.noSuchFolder` or `.notAFolder`.
    public init(_ root: URL) throws(DatasetReadError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder) else {
            throw .noSuchFolder(path: root.path)
        }
        guard isFolder.boolValue else { throw .notAFolder(path: root.path) }
        self.root = root
    }

    /// A file of the dataset, by its path relative to the folder.
    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    // MARK: - annotations/instances_<split>.json

    /// The dataset's splits: the `<split>` of every `annotations/instances_<split>.json`, in
    /// the order of the manifest's `options.split` when it names them, else by name.
    /// - Throws: `DatasetReadError.missingFile` when there is no instances file.
    public func splits() throws -> [String] {
        let folder = url(DatasetFiles.annotationsFolder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .compactMap(DatasetFiles.split(ofAnnotationsFile:)).sorted()
        guard !names.isEmpty else { throw DatasetReadError.missingFile(path: url(DatasetFiles.annotations(split: DatasetFiles.defaultSplit)).path) }
        let order = ((try? manifest())?.options.split ?? []).map(\.name)
        return order.filter(names.contains) + names.filter { !order.contains($0) }
    }

    /// The instances file of `split`, or of the first split when `nil`.
    public func annotationsURL(split: String? = nil) throws -> URL {
        url(DatasetFiles.annotations(split: try split ?? splits()[0]))
    }

    /// The images of `split`, in file order (index order).
    /// - Complexity: memory of one record; skips nothing but the lines before `images`.
    public func images(split: String) throws -> COCORecordCursor<COCOFile.Image> {
        try COCORecordCursor(url(DatasetFiles.annotations(split: split)), section: .images)
    }

    /// The annotations of `split`, in file order (image order).
    public func annotations(split: String) throws -> COCORecordCursor<COCOFile.Annotation> {
        try COCORecordCursor(url(DatasetFiles.annotations(split: split)), section: .annotations)
    }

    /// The categories of `split`'s file (of the first split when `nil`; every split's file
    /// lists the same), in file order. They come last in
    /// the file, so this reads past the images and annotations (without decoding them).
    public func categories(split: String? = nil) throws -> [COCOFile.Category] {
        let cursor = try COCORecordCursor<COCOFile.Category>(annotationsURL(split: split), section: .categories)
        var categories: [COCOFile.Category] = []
        while let category = try cursor.next() { categories.append(category) }
        return categories
    }

    /// Calls `body` with each image of `split` (of every split, one after another, when
    /// `nil`), in file order, and its annotations, in file order; an image without
    /// annotations gets `[]`. Stops early when `body` returns `false`.
    ///
    /// Reads the images and the annotations with two cursors on the same file, so memory
    /// holds one image's annotations, whatever the dataset's size.
    /// - Throws: `DatasetReadError.malformed` when an annotation names no image, or the
    ///   annotations are not in image order; what `body` throws.
    public func forEachImage(inSplit split: String? = nil, _ body: (COCOFile.Image, [COCOFile.Annotation]) throws -> Bool) throws {
        try forEachImageWithSplit(inSplit: split) { _, image, annotations in try body(image, annotations) }
    }

    /// ``forEachImage(inSplit:_:)`` that also passes each image's split.
    public func forEachImageWithSplit(inSplit split: String? = nil,
                                      _ body: (String, COCOFile.Image, [COCOFile.Annotation]) throws -> Bool) throws {
        try forEachImage(inSplit: split, keepingText: false) { split, image, annotations, _ in try body(split, image, annotations) }
    }

    /// The JSON text of an image's records exactly as its instances file holds them, for
    /// formats that carry the records on (``forEachImageWithText(inSplit:_:)``).
    public struct ImageText: Sendable {
        /// The `images` record.
        public var image: [UInt8] = []
        /// The `annotations` records, in file order.
        public var annotations: [[UInt8]] = []
    }

    /// ``forEachImageWithSplit(inSplit:_:)`` that also passes the records' JSON text.
    public func forEachImageWithText(inSplit split: String? = nil,
                                     _ body: (String, COCOFile.Image, [COCOFile.Annotation], ImageText) throws -> Bool) throws {
        try forEachImage(inSplit: split, keepingText: true, body)
    }

    private func forEachImage(inSplit split: String?, keepingText: Bool,
                              _ body: (String, COCOFile.Image, [COCOFile.Annotation], ImageText) throws -> Bool) throws {
        for split in try split.map { [$0] } ?? splits() {
            let images = try images(split: split)
            let annotations = try annotations(split: split)
            var group: [COCOFile.Annotation] = []
            var text = ImageText()
            while let (image, imageText) = try images.nextWithTextSlice() {
                group.removeAll(keepingCapacity: true)
                text.annotations.removeAll(keepingCapacity: true)
                if keepingText { text.image = Array(imageText) }
                while let annotation = try annotations.peek(), annotation.imageID == image.id {
                    let next = try annotations.nextWithTextSlice()
                    group.append(annotation)
                    if keepingText, let next { text.annotations.append(Array(next.text)) }
                }
                guard try body(split, image, group, text) else { return }
            }
            if let stray = try annotations.peek() {
                throw annotations.malformed("annotation \(stray.id) names image_id \(stray.imageID), which is no image or not in image order")
            }
        }
    }

    // MARK: - manifest.json

    /// The manifest without its `files` list, with its `acceptance`.
    ///
    /// Streams the file: memory holds the head (scene sources, options) and the
    /// acceptance, never the list of files.
    /// - Throws: `DatasetReadError.missingFile` when there is no manifest (not a dataset,
    ///   or an unfinished run); `.malformed` when it is not a Tessera manifest.
    public func manifest() throws -> DatasetManifest {
        let (url, handle) = try openManifest()
        defer { try? handle.close() }
        // Tessera's layout: `{head…,"files":[{…},…],"acceptance":{…}}`. Quotes inside JSON
        // strings are escaped, so neither marker can occur inside a string.
        let filesMarker = Array(",\"files\":[".utf8), acceptanceMarker = Array("],\"acceptance\":".utf8)
        var head: [UInt8] = [], window: [UInt8] = [], acceptance: [UInt8] = []
        var isInHead = true, isInFiles = false
        while true {
            var rest = try readChunk(handle, url)
            if rest.isEmpty { break }
            if isInHead {
                let from = max(0, head.count - filesMarker.count)
                head += rest
                guard let found = head[from...].firstRange(of: filesMarker) else { continue }
                rest = Array(head[found.upperBound...])
                head.removeSubrange(found.lowerBound...)
                (isInHead, isInFiles) = (false, true)
            }
            if isInFiles {
                window += rest
                if let found = window.firstRange(of: acceptanceMarker) {
                    acceptance = Array(window[found.upperBound...])
                    isInFiles = false
                } else {
                    window.removeFirst(max(0, window.count - acceptanceMarker.count))
                }
            } else if !isInHead {
                acceptance += rest
            }
        }
        let decoder = JSONDecoder()
        if isInHead {
            // Not Tessera's layout: the whole document.
            return try decode(DatasetManifest.self, from: head, decoder, url: url)
        }
        var manifest = try decode(DatasetManifest.self, from: head + [UInt8(ascii: "}")], decoder, url: url)
        while let last = acceptance.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { acceptance.removeLast() }
        if acceptance.last == UInt8(ascii: "}") {
            acceptance.removeLast()
            manifest.acceptance = try decode(Acceptance.self, from: acceptance, decoder, url: url)
        }
        return manifest
    }

    /// Calls `body` with each entry of the manifest's `files` list, in file order (images
    /// in index order, then the instances files, `records.jsonl`, a shard's `shard.records`).
    /// Stops early when `body` returns `false`.
    ///
    /// Streams the file in Tessera's layout (`…,"files":[{…},{…}],…`, entries without nested
    /// braces), so memory holds one chunk of it, however many files the dataset has.
    /// - Throws: `DatasetReadError.missingFile` when there is no manifest; `.malformed` when
    ///   it has no `files` list in this layout or an entry lacks `path`, `bytes` or `sha256`;
    ///   what `body` throws.
    public func forEachFile(_ body: (ManifestFile) throws -> Bool) throws {
        let (url, handle) = try openManifest()
        defer { try? handle.close() }
        let marker = Array(",\"files\":[".utf8)
        let reader = RecordReader<ManifestFile>()
        var buffer: [UInt8] = []
        var isInFiles = false, isAtEnd = false
        while true {
            if !isInFiles {
                if let found = buffer.firstRange(of: marker) {
                    buffer.removeSubrange(..<found.upperBound)
                    isInFiles = true
                } else {
                    // Keep a tail that may hold the start of the marker.
                    buffer.removeFirst(max(0, buffer.count - marker.count + 1))
                }
            }
            if isInFiles {
                var start = 0
                scan: while start < buffer.count {
                    switch buffer[start] {
                    case UInt8(ascii: "{"):
                        guard let end = buffer[start...].firstIndex(of: UInt8(ascii: "}")) else { break scan }
                        let entry = try reader.read(buffer[start...end], url: url, line: 0)
                        start = end + 1
                        guard try body(entry) else { return }
                    case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\n"): start += 1
                    case UInt8(ascii: "]"): return
                    default: throw DatasetReadError.malformed(path: url.path, line: 0, reason: "its \"files\" list holds something other than {…} entries")
                    }
                }
                buffer.removeFirst(start)
            }
            if isAtEnd {
                throw DatasetReadError.malformed(path: url.path, line: 0, reason: isInFiles
                    ? "its \"files\" list is cut short" : "not a Tessera manifest (no \"files\" list)")
            }
            let chunk = try readChunk(handle, url)
            if chunk.isEmpty { isAtEnd = true } else { buffer += chunk }
        }
    }

    /// The manifest's URL and an open handle on it.
    private func openManifest() throws(DatasetReadError) -> (URL, FileHandle) {
        let url = url(DatasetFiles.manifest)
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        do { return (url, try FileHandle(forReadingFrom: url)) } catch {
            throw .unreadable(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
    }

    /// The next 1 MiB of `handle`; empty at the end.
    private func readChunk(_ handle: FileHandle, _ url: URL) throws(DatasetReadError) -> [UInt8] {
        do { return [UInt8](try handle.read(upToCount: 1 << 20) ?? Data()) } catch {
            throw .unreadable(path: url.path, reason: "read failed: \(error.localizedDescription)")
        }
    }

    // MARK: - records.jsonl

    /// The lines of `records.jsonl`, in file order; `nil` when the dataset has none (a
    /// version before it).
    public func records() throws -> JSONLinesCursor<ImageRecord>? {
        let url = url(DatasetFiles.records)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONLinesCursor(url)
    }
}

/// `JSONDecoder.decode`, its error turned into a `DatasetReadError.malformed` naming the
/// file, the line and the field.
func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, _ decoder: JSONDecoder,
                          url: URL, line: Int = 0) throws(DatasetReadError) -> T {
    do { return try decoder.decode(type, from: Data(bytes)) } catch let error as DecodingError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        let what = String(describing: T.self)
        let reason: String
        switch error {
        case let .keyNotFound(key, context): reason = "\(what) lacks \"\(key.stringValue)\"\(path(context).isEmpty ? "" : " in \(path(context))")"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            reason = "\(what): \(path(context)) has the wrong type"
        case let .dataCorrupted(context):
            // A value a reader refuses (DatasetManifest.Clip's ranges) says why; JSON the parser
            // could not read carries an underlying error.
            reason = context.codingPath.isEmpty ? "not JSON"
                : "\(what): \(path(context)) is malformed" + (context.underlyingError == nil ? " (\(context.debugDescription))" : "")
        @unknown default: reason = "not a \(what)"
        }
        throw .malformed(path: url.path, line: line, reason: reason)
    } catch {
        throw .malformed(path: url.path, line: line, reason: "not JSON")
    }
}
