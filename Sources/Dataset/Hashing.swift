import Crypto
public import Foundation

/// SHA-256 (FIPS 180-4, via swift-crypto) of `data` as lowercase hex.
public func sha256Hex(_ data: Data) -> String {
    hex(SHA256.hash(data: data))
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
