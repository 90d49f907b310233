import Foundation
import PNGCodec
@testable import Rendering
import Testing

/// The literal-only DEFLATE encoder of noisy pictures (`huffman_deflate.c`), checked by libpng's
/// inflate: each stream is wrapped as the one row of an 8-bit grayscale PNG (filter None), so
/// `PNG.decode` must give back the bytes. Distributions that exercise every path: stored
/// blocks (uniform bytes), one literal (a code needing a second, unused symbol), Fibonacci
/// frequencies (a Huffman tree deeper than DEFLATE's 15 bits, which the encoder must limit),
/// and block boundaries at 65 535 bytes.
@Suite struct LiteralDeflateTests {
    static func payload(_ kind: String, count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
        switch kind {
        case "uniform": return (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
        case "constant": return [UInt8](repeating: 7, count: count)
        case "narrow": return (0..<count).map { _ in UInt8(truncatingIfNeeded: Int(next() % 9) + Int(next() % 9) - 8) }
        default: // "fibonacci": symbol s repeated fib(s + 2) = 1, 2, 3, 5, … times, 24 symbols per cycle
            var out: [UInt8] = []
            var (a, b, symbol) = (1, 2, 0)
            while out.count < count {
                out += [UInt8](repeating: UInt8(symbol), count: min(a, count - out.count))
                (a, b, symbol) = (b, a + b, symbol + 1)
                if symbol == 24 { (a, b, symbol) = (1, 2, 0) }
            }
            return out
        }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// A one-row grayscale PNG whose IDAT is the encoder's stream of [0] + `row`.
    static func png(row: [UInt8]) -> (png: Data, streamSize: Int) {
        let data = [0] + row
        var stream = [UInt8](repeating: 0, count: tessera_deflate_literals_bound(data.count))
        let size = data.withUnsafeBufferPointer { tessera_deflate_literals($0.baseAddress, data.count, &stream) }
        let zlib = [0x78, 0x01] + stream[0..<size] + bigEndian(adler32(data))
        let ihdr = bigEndian(UInt32(row.count)) + bigEndian(1) + [8, 0, 0, 0, 0]
        let file = [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
        return (Data(file), size)
    }

    @Test(arguments: ["uniform", "constant", "narrow", "fibonacci"], [1, 2, 100, 65_534, 65_535, 65_536, 200_000])
    func libpngInflatesWhatItWrites(kind: String, count: Int) throws {
        let row = Self.payload(kind, count: count)
        let (file, size) = Self.png(row: row)
        #expect(try PNG.decode(file).samples.map(UInt8.init) == row, "\(kind), \(count) bytes")
        // Never larger than stored blocks, whatever the data.
        #expect(size <= tessera_deflate_literals_bound(count + 1))
        if kind != "uniform" && count >= 100 { #expect(size < count, "\(kind) compresses") }
    }

    @Test func fibonacciFrequenciesNeedTheLengthLimit() throws {
        // The end-of-block code (frequency 1) and 21 symbols of frequencies 1, 2, 3, 5, …: the
        // Huffman tree is 21 levels deep, and DEFLATE allows 15.
        let row = Array(Self.payload("fibonacci", count: 46_366))
        #expect(try PNG.decode(Self.png(row: row).png).samples.map(UInt8.init) == row)
    }
}
