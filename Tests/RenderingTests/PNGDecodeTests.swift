import Foundation
import PNGCodec
import Rendering
import Testing

/// The direct PNG decoder (`decode_direct` in `png_codec.c`: chunks and CRCs read there, the
/// image data inflated by libdeflate) against libpng's, on hand-built files: every colour
/// type and depth the direct path takes, rows under all five filters with random bytes (any
/// bytes are valid filtered data), the image data split over several IDAT chunks, ancillary
/// chunks between them. Files it does not take (palette, interlaced, tRNS) and damaged ones
/// must come out exactly as libpng has them: the same samples, or an error.
@Suite struct PNGDecodeTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 { LiteralDeflateTests.crc32(bytes) }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    /// A zlib stream (RFC 1950) of stored DEFLATE blocks (RFC 1951 §3.2.4).
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var at = 0
        repeat {
            let n = min(65_535, data.count - at)
            let isLast = at + n == data.count
            out += [isLast ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[at..<(at + n)]
            at += n
        } while at < data.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return out + be32(b << 16 | a)
    }

    /// A PNG of random filtered rows (filter types cycling 0…4, or `filterType` for all rows).
    static func file(width: Int, height: Int, depth: UInt8, color: UInt8, interlace: UInt8 = 0, seed: UInt64,
                     idatParts: Int = 3, extra: [(after: String, chunk: [UInt8])] = [], filterType: UInt8? = nil) -> [UInt8] {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(color)]!
        let rowBytes = (width * channels * Int(depth) + 7) / 8
        var random = Random(state: seed)
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(filterType ?? UInt8(y % 5))
            for _ in 0..<rowBytes { raw.append(UInt8(truncatingIfNeeded: random.next())) }
        }
        let stream = storedZlib(raw)
        var png: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [depth, color, 0, 0, interlace])
        for item in extra where item.after == "IHDR" { png += item.chunk }
        let part = (stream.count + idatParts - 1) / idatParts
        var at = 0
        while at < stream.count {
            png += chunk("IDAT", Array(stream[at..<min(at + part, stream.count)]))
            at += part
            for item in extra where item.after == "IDAT" && at < stream.count { png += item.chunk }
        }
        png += chunk("IEND", [])
        return png
    }

    enum Outcome: Equatable { case image(width: Int32, height: Int32, channels: Int32, depth: Int32, bytes: [UInt8]), error(String) }

    static func decode(_ png: [UInt8], libpngOnly: Bool) -> Outcome {
        var image = tessera_png_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = png.withUnsafeBufferPointer { bytes in
            (libpngOnly ? tessera_png_decode_libpng : tessera_png_decode)(bytes.baseAddress, bytes.count, &image, &message, message.count)
        }
        guard status == 0 else {
            return .error(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { tessera_png_buffer_free(&image.pixels) }
        return .image(width: image.width, height: image.height, channels: image.channels, depth: image.bit_depth,
                      bytes: Array(UnsafeBufferPointer(start: image.pixels.data, count: image.pixels.size)))
    }

    static func expectSame(_ png: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let (direct, reference) = (decode(png, libpngOnly: false), decode(png, libpngOnly: true))
        #expect(direct == reference, sourceLocation: sourceLocation)
    }

    @Test(arguments: [(UInt8(0), UInt8(8)), (0, 16), (2, 8), (2, 16), (4, 8), (4, 16), (6, 8), (6, 16)])
    func plainFilesDecodeAsLibpngDecodesThem(color: UInt8, depth: UInt8) {
        for (width, height) in [(1, 1), (1, 7), (13, 9), (64, 40), (300, 5)] {
            let png = Self.file(width: width, height: height, depth: depth, color: color, seed: UInt64(width * 131 + height))
            guard case .image = Self.decode(png, libpngOnly: true) else {
                Issue.record("libpng rejected a valid hand-built file")
                return
            }
            Self.expectSame(png)
            // One IDAT, and ancillary chunks (text, a suggested palette) beside the data.
            Self.expectSame(Self.file(width: width, height: height, depth: depth, color: color, seed: 7, idatParts: 1))
            Self.expectSame(Self.file(width: width, height: height, depth: depth, color: color, seed: 8,
                                      extra: [("IHDR", Self.chunk("tEXt", Array("Comment\u{0}tessera".utf8))),
                                              ("IHDR", Self.chunk("zzZz", [1, 2, 3]))]))
        }
    }

    @Test func everyFilterTypeOnEveryRow() {
        for filter: UInt8 in 0...4 {
            for (color, depth): (UInt8, UInt8) in [(0, 8), (2, 8), (6, 16)] {
                Self.expectSame(Self.file(width: 37, height: 11, depth: depth, color: color, seed: UInt64(filter), filterType: filter))
            }
        }
    }

    @Test func filesTheDirectPathLeavesToLibpng() {
        // Palette, sub-byte grey, interlaced, tRNS: libpng's transforms apply.
        Self.expectSame(Self.file(width: 9, height: 4, depth: 8, color: 3, seed: 1,
                                  extra: [("IHDR", Self.chunk("PLTE", [UInt8](repeating: 90, count: 3 * 256)))]))
        Self.expectSame(Self.file(width: 9, height: 4, depth: 4, color: 0, seed: 2))
        Self.expectSame(Self.file(width: 9, height: 4, depth: 8, color: 2, interlace: 1, seed: 3))
        Self.expectSame(Self.file(width: 9, height: 4, depth: 8, color: 2, seed: 4,
                                  extra: [("IHDR", Self.chunk("tRNS", [0, 1, 0, 2, 0, 3]))]))
    }

    @Test func damagedFilesFailAsLibpngFails() {
        let good = Self.file(width: 20, height: 6, depth: 16, color: 0, seed: 5)
        var badCRC = good
        badCRC[45] ^= 0x10  // inside the first IDAT's data
        let badFilter = Self.file(width: 20, height: 6, depth: 8, color: 0, seed: 6, idatParts: 1, filterType: 5)
        let split = Self.file(width: 20, height: 6, depth: 8, color: 0, seed: 6, extra: [("IDAT", Self.chunk("tEXt", Array("a\u{0}b".utf8)))])
        for png in [badCRC, badFilter, split, Array(good.prefix(good.count - 20)), Array(good.prefix(30))] {
            let (direct, reference) = (Self.decode(png, libpngOnly: false), Self.decode(png, libpngOnly: true))
            #expect(direct == reference)
            if case .image = reference { Issue.record("libpng accepted a damaged file") }
        }
    }

    @Test func tesseraWrittenFilesDecodeAsLibpngDecodesThem() throws {
        var random = Random(state: 99)
        let gray16 = (0..<(97 * 61)).map { _ in UInt16(truncatingIfNeeded: random.next() % 40) }
        let picture = (0..<(3 * 130 * 70)).map { k in UInt8(truncatingIfNeeded: (k / 3) % 130 + Int(random.next() % 3)) }
        for data in [try PNG.encodeGray16(gray16, width: 97, height: 61), try PNG.encodeRGB8(picture, width: 130, height: 70)] {
            Self.expectSame([UInt8](data))
        }
    }
}
