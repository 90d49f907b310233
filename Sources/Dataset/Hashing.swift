import Crypto
public import Foundation

/// SHA-256 (FIPS 180-4, via swift-crypto) of `data` as lowercase hex.
public func sha256Hex(_ data: Data) -> String {
    hex(SHA256.hash(data: data))
}

/// A file's size and SHA-256, as `manifest.json` records them.
public struct FileDigest: Sendable, Equatable {
    public var bytes: Int
    /// Lowercase hex.
    public var sha256: String

    /// Reads the file in 1 MiB chunks, so a large file needs little memory.
    /// - Throws: the error of opening or reading the file.
    public init(contentsOf url: URL) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        self.bytes = bytes
        sha256 = hex(hasher.finalize())
    }
}

/// Lowercase hex of a byte sequence (e.g. a digest).
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
