import Foundation

/// The arrays of a COCO instances file.
public enum COCOSection: String, Sendable {
    case images, annotations, categories
}

/// The records of one array of the instances files, decoded one at a time.
///
/// Tessera writes the file one record per line (`{"info":…,`, `"licenses":[],`, then each
/// array as `"NAME":[`, its records one a line, `],`), but the cursor reads any layout of
/// the same document, streamed (``JSONArrayStream``). Records are read by ``JSONScanner``.
public final class COCORecordCursor<Record: Decodable> {
    private let elements: JSONArrayStream
    private let reader = RecordReader<Record>()
    private var peeked: (record: Record, text: ArraySlice<UInt8>)?

    /// Opens the file and moves into `section`'s array.
    /// - Throws: `DatasetReadError.missingFile`, `.unreadable`, or `.malformed` when the
    ///   file is not a JSON object with that array.
    init(_ url: URL, section: COCOSection) throws {
        elements = try JSONArrayStream(url, member: section.rawValue)
    }

    /// The next record, or `nil` after the last.
    /// - Throws: `DatasetReadError.malformed` naming the line and the field.
    public func next() throws -> Record? { try nextWithTextSlice()?.record }

    /// The next record and its JSON text exactly as the file holds it, or `nil` after the last.
    /// - Throws: `DatasetReadError.malformed` naming the line and the field.
    public func nextWithText() throws -> (record: Record, text: [UInt8])? {
        try nextWithTextSlice().map { ($0.record, Array($0.text)) }
    }

    /// ``nextWithText()`` without copying the text out of the read buffer.
    func nextWithTextSlice() throws -> (record: Record, text: ArraySlice<UInt8>)? {
        if let peeked {
            self.peeked = nil
            return peeked
        }
        guard let (text, line) = try elements.next() else { return nil }
        return (try reader.read(text, url: elements.url, line: line), text)
    }

    /// The record `next()` will return, without consuming it.
    public func peek() throws -> Record? {
        if peeked == nil { peeked = try nextWithTextSlice() }
        return peeked?.record
    }

    /// An error at the line last read.
    func malformed(_ reason: String) -> DatasetReadError { elements.malformed(reason) }
}

/// The lines of a JSON Lines file (`records.jsonl`), each decoded as a `Record`.
public final class JSONLinesCursor<Record: Decodable> {
    private let lines: LineCursor
    private let reader = RecordReader<Record>()

    init(_ url: URL) throws { lines = try LineCursor(url) }

    /// The 1-based number of the line last read (whether or not it decoded).
    public var lineNumber: Int { lines.lineNumber }

    /// Whether the line last read ended with a newline: a writer cut short leaves a last
    /// line without one.
    public var isLineTerminated: Bool { lines.isLineTerminated }

    /// The next line's record, or `nil` at the end; empty lines are skipped. After a
    /// `.malformed` error the cursor is on the next line, so a caller may report and go on.
    public func next() throws -> Record? { try nextWithText()?.record }

    /// The next line's record and the line's text (without its newline), or `nil` at the end.
    public func nextWithText() throws -> (record: Record, text: [UInt8])? {
        while let line = try lines.next() {
            guard !line.isEmpty else { continue }
            return (try reader.read(line, url: lines.url, line: lines.lineNumber), Array(line))
        }
        return nil
    }
}

/// Reads records of one type from their JSON text: by ``JSONScanner`` when the type is
/// ``JSONScannable`` (the reader's own records), else by `JSONDecoder`.
struct RecordReader<Record: Decodable> {
    private let scan: ((ArraySlice<UInt8>) throws(JSONScanError) -> Record)?
    private let decoder = JSONDecoder()

    init() {
        func scanner<S: JSONScannable>(_: S.Type) -> (ArraySlice<UInt8>) throws(JSONScanError) -> Record {
            { text throws(JSONScanError) in try JSONScanner.scan(S.self, from: text) as! Record }
        }
        scan = (Record.self as? any JSONScannable.Type).map { scanner($0) }
    }

    /// The record that `text` holds, `text` starting on `line` of the file at `url`.
    /// - Throws: `DatasetReadError.malformed` naming the file, the line of the fault and the field.
    func read(_ text: ArraySlice<UInt8>, url: URL, line: Int) throws(DatasetReadError) -> Record {
        guard let scan else { return try decode(Record.self, from: text, decoder, url: url, line: line) }
        do { return try scan(text) } catch {
            // The fault's own line, for a record that spans several.
            let faultLine = line + text.prefix(error.offset).count { $0 == UInt8(ascii: "\n") }
            throw .malformed(path: url.path, line: faultLine, reason: error.reason(record: String(describing: Record.self)))
        }
    }
}
