import Foundation

/// Reads a file a line at a time in 1 MiB chunks: memory holds one chunk and one line.
final class LineCursor {
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var isAtEnd = false
    /// 1-based number of the last line returned.
    private(set) var lineNumber = 0
    /// Whether the last line returned ended with a newline (a torn last line does not).
    private(set) var isLineTerminated = true

    /// - Throws: `DatasetReadError.missingFile` or `.unreadable`.
    init(_ url: URL) throws(DatasetReadError) {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw .unreadable(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// The next line without its newline, or `nil` at the end of the file.
    func next() throws(DatasetReadError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { position = newline + 1 }
                lineNumber += 1
                return buffer[position..<newline]
            }
            if isAtEnd {
                guard position < buffer.count else { return nil }
                defer { position = buffer.count }
                lineNumber += 1
                isLineTerminated = false
                return buffer[position...]
            }
            buffer.removeFirst(position)
            position = 0
            do {
                if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    buffer.append(contentsOf: chunk)
                } else {
                    isAtEnd = true
                }
            } catch {
                throw .unreadable(path: url.path, reason: "read failed: \(error.localizedDescription)")
            }
        }
    }

    func malformed(_ reason: String) -> DatasetReadError {
        .malformed(path: url.path, line: lineNumber, reason: reason)
    }
}
