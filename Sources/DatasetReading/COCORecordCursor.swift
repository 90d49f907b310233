import Foundation

/// The arrays of a COCO instances file.
public enum COCOSection: String, Sendable {
    case images, annotations, categories
}

/// The records of one array of the instances files, decoded one at a time.
///
/// Tessera writes the file one record per line: `{"info":…,` then `"licenses":[],`, then
/// each array as a line `"NAME":[` (or `"NAME":[],` when empty), its records one a line
/// (`{…},`), and `],` (`]}` after `categories`).
public final class COCORecordCursor<Record: Decodable> {
    private let lines: LineCursor
    private let decoder = JSONDecoder()
    private var isDone = false
    private var peeked: (record: Record, text: [UInt8])?

    /// Opens the file and skips to `section`.
    /// - Throws: `DatasetReadError.missingFile`, `.unreadable`, or `.malformed` when the
    ///   file is not in this layout.
    init(_ url: URL, section: COCOSection) throws {
        lines = try LineCursor(url)
        guard let first = try lines.next(), first.starts(with: Array("{\"info\":".utf8)) else {
            throw lines.malformed("not a COCO file in Tessera's one-record-per-line layout (line 1 is not {\"info\":…)")
        }
        let open = Array("\"\(section.rawValue)\":[".utf8)
        while let line = try lines.next() {
            // Records start with `{`: skip them without a closer look.
            guard line.first != UInt8(ascii: "{"), line.starts(with: open) else { continue }
            isDone = line.count > open.count  // `"NAME":[],` or `"NAME":[]}`: empty
            return
        }
        throw lines.malformed("has no \"\(section.rawValue)\" array in Tessera's one-record-per-line layout")
    }

    /// The next record, or `nil` after the last.
    /// - Throws: `DatasetReadError.malformed` naming the line and the field.
    public func next() throws -> Record? { try nextWithText()?.record }

    /// The next record and its JSON text exactly as the file holds it (without the line's
    /// trailing comma), or `nil` after the last.
    /// - Throws: `DatasetReadError.malformed` naming the line and the field.
    public func nextWithText() throws -> (record: Record, text: [UInt8])? {
        if let peeked {
            self.peeked = nil
            return peeked
        }
        guard !isDone, let line = try lines.next() else { return nil }
        guard line.first == UInt8(ascii: "{") else {
            isDone = true
            guard line.elementsEqual("],".utf8) || line.elementsEqual("]}".utf8) else {
                throw lines.malformed("expected a record or the end of the array")
            }
            return nil
        }
        let text = line.last == UInt8(ascii: ",") ? line.dropLast() : line
        return (try decode(Record.self, from: text, decoder, url: lines.url, line: lines.lineNumber), Array(text))
    }

    /// The record `next()` will return, without consuming it.
    public func peek() throws -> Record? {
        if peeked == nil { peeked = try nextWithText() }
        return peeked?.record
    }

    /// An error at the line last read.
    func malformed(_ reason: String) -> DatasetReadError { lines.malformed(reason) }
}

/// The lines of a JSON Lines file (`records.jsonl`), each decoded as a `Record`.
public final class JSONLinesCursor<Record: Decodable> {
    private let lines: LineCursor
    private let decoder = JSONDecoder()

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
            return (try decode(Record.self, from: line, decoder, url: lines.url, line: lines.lineNumber), Array(line))
        }
        return nil
    }
}
