import Foundation

/// The elements of one array member of a file's top-level JSON object, streamed: each
/// element's exact text, cut out by bracket depth without parsing it, in 1 MiB reads.
/// Memory holds one read and one element, whatever the file's size or layout.
///
/// Tessera writes its instances files one record per line, but any layout reads (a user may
/// have reformatted the file): whitespace is free, strings may hold brackets.
final class JSONArrayStream {
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Where the unread bytes start in `buffer`.
    private var position = 0
    private var isAtEnd = false
    private var isDone = false
    /// 1-based line of the byte at `position`.
    private var line = 1
    /// ``plainBytes``, held here: a static's lazy-initialisation check in the inner loop cost
    /// 8 % of an export.
    private let isPlain = JSONArrayStream.plainBytes

    /// Opens the file and moves into the array that is the value of member `name`.
    /// - Throws: `DatasetReadError.missingFile`, `.unreadable`, or `.malformed` when the file
    ///   is not a JSON object or has no such array.
    init(_ url: URL, member name: String) throws(DatasetReadError) {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw .unreadable(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
        let wanted = Array("\"\(name)\"".utf8)
        guard try nextSignificant() == UInt8(ascii: "{") else { throw malformed("not a JSON object") }
        position += 1
        while true {
            guard try nextSignificant() == UInt8(ascii: "\"") else { throw malformed("not JSON") }
            let key = try nextValue()
            guard try nextSignificant() == UInt8(ascii: ":") else { throw malformed("not JSON") }
            position += 1
            guard let first = try nextSignificant() else { throw malformed("the file is cut short") }
            if key.elementsEqual(wanted), first == UInt8(ascii: "[") {
                position += 1
                isDone = try nextSignificant() == UInt8(ascii: "]")
                if isDone { position += 1 }
                return
            }
            _ = try nextValue(isKept: false)
            guard try nextSignificant() == UInt8(ascii: ",") else {
                throw malformed("has no \"\(name)\" array")
            }
            position += 1
        }
    }

    deinit { try? handle.close() }

    /// The next element's text and the line it starts on, or `nil` after the last.
    /// - Throws: `DatasetReadError.malformed` when the array is cut short or not JSON.
    func next() throws(DatasetReadError) -> (text: ArraySlice<UInt8>, line: Int)? {
        guard !isDone else { return nil }
        guard let byte = try nextSignificant() else { throw malformed("the array is cut short") }
        if byte == UInt8(ascii: "]") {
            isDone = true
            return nil
        }
        let start = line
        let text = try nextValue()
        switch try nextSignificant() {
        case UInt8(ascii: ","): position += 1
        case UInt8(ascii: "]"), nil: break  // at the end of the file, the next call says so
        default: throw malformed("expected , or ] after an element")
        }
        return (text, start)
    }

    /// An error at the current line.
    func malformed(_ reason: String, line: Int? = nil) -> DatasetReadError {
        .malformed(path: url.path, line: line ?? self.line, reason: reason)
    }

    /// Skips whitespace; the next byte (not consumed), or `nil` at the end of the file.
    private func nextSignificant() throws(DatasetReadError) -> UInt8? {
        while true {
            while position < buffer.count {
                switch buffer[position] {
                case UInt8(ascii: "\n"): line += 1; position += 1
                case UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
                default: return buffer[position]
                }
            }
            guard try refill() else { return nil }
        }
    }

    /// The text of the value at `position` (a string, an object or array by bracket depth,
    /// or a literal up to the next delimiter), consumed. Its syntax is checked only by the
    /// reader of the text. When `isKept` is false the text is dropped as it is passed (the
    /// result is then only its last part), so that skipping the `annotations` array on the
    /// way to `categories` holds one read, not the array.
    private func nextValue(isKept: Bool = true) throws(DatasetReadError) -> ArraySlice<UInt8> {
        var end = position, depth = 0, isInString = false, isEscaped = false, newlines = 0
        let isScalar = buffer[position] != UInt8(ascii: "{") && buffer[position] != UInt8(ascii: "[")
            && buffer[position] != UInt8(ascii: "\"")
        while true {
            let found: Bool = isPlain.withUnsafeBufferPointer { isPlain in buffer.withUnsafeBufferPointer { bytes in
                while end < bytes.count {
                    // Most bytes (digits, letters, `:` `.` inside a record) change nothing.
                    while end < bytes.count, isPlain[Int(bytes[end])] { end += 1 }
                    guard end < bytes.count else { break }
                    let byte = bytes[end]
                    end += 1
                    if isInString {
                        if isEscaped {
                            isEscaped = false
                        } else if byte == UInt8(ascii: "\\") {
                            isEscaped = true
                        } else if byte == UInt8(ascii: "\"") {
                            isInString = false
                            if depth == 0 { return true }
                        } else if byte == UInt8(ascii: "\n") {
                            newlines += 1
                        }
                        continue
                    }
                    switch byte {
                    case UInt8(ascii: "\""): isInString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        if isScalar { end -= 1; return true }
                        depth -= 1
                        if depth == 0 { return true }
                    case UInt8(ascii: "\n"):
                        if isScalar { end -= 1; return true }
                        newlines += 1
                    case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                        if isScalar { end -= 1; return true }
                    default: break
                    }
                }
                return false
            } }
            if found { break }
            // Reading more drops the bytes before the value: its offsets move by as many.
            if !isKept { position = end }
            let shift = position
            let isRefilled = try refill()
            end -= shift - position
            guard isRefilled else {
                if isScalar { break }
                throw malformed("the file is cut short: the value that starts on this line has no end")
            }
        }
        defer {
            position = end
            line += newlines
        }
        return buffer[position..<end]
    }

    /// The bytes that the cut of a value passes over: all but the quote, backslash, brackets,
    /// braces, the comma and whitespace (the delimiters of a scalar).
    private static let plainBytes: [Bool] = (0...255).map { byte in
        !"\"\\{}[], \n\r\t".utf8.contains(UInt8(byte))
    }

    /// Drops the consumed bytes and reads up to 1 MiB more; `false` at the end of the file.
    private func refill() throws(DatasetReadError) -> Bool {
        guard !isAtEnd else { return false }
        buffer.removeFirst(position)
        position = 0
        // Straight into the buffer's tail with read(2): no `Data` in between.
        let kept = buffer.count, chunk = 1 << 20
        var failure: Int32 = 0
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let count = buffer.withUnsafeMutableBytes { bytes in
            while true {
                let n = read(handle.fileDescriptor, bytes.baseAddress! + kept, chunk)
                if n < 0, errno == EINTR { continue }
                if n < 0 { failure = errno }
                return max(n, 0)
            }
        }
        buffer.removeLast(chunk - count)
        if failure != 0 {
            throw .unreadable(path: url.path, reason: "read failed: \(String(cString: strerror(failure)))")
        }
        if count == 0 { isAtEnd = true }
        return count > 0
    }
}
