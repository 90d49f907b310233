import Foundation

/// A destination for bytes written in order, such as an open file.
public protocol ByteSink: AnyObject {
    /// Writes `bytes` after everything written before.
    func write(_ bytes: [UInt8]) throws
}

/// Writes to an open `FileHandle` at its current offset. The caller opens and closes it.
public final class FileHandleSink: ByteSink {
    public let fileHandle: FileHandle

    public init(_ fileHandle: FileHandle) {
        self.fileHandle = fileHandle
    }

    public func write(_ bytes: [UInt8]) throws {
        try fileHandle.write(contentsOf: bytes)
    }
}

/// Collects the bytes in memory; for tests and small documents.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ bytes: [UInt8]) throws {
        self.bytes.append(contentsOf: bytes)
    }
}
