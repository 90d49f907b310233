public import Foundation

/// An animated PNG (APNG) assembled from still PNGs of one size, written front to back.
///
/// Source: the APNG specification (Mozilla, "APNG Specification" 1.0, now in the W3C PNG
/// Third Edition): after the signature and `IHDR`, an `acTL` chunk (frame count, plays);
/// then per frame an `fcTL` chunk (its region, delay and disposal) followed by its image data
/// — `IDAT` for the first frame, which is also the still image that readers without APNG
/// support show, and `fdAT` (a sequence number, then the same zlib stream as `IDAT`) for the
/// others; then `IEND`. `fcTL` and `fdAT` share one sequence counter starting at 0. Every
/// frame here covers the whole canvas (offset 0, 0), is drawn with `APNG_DISPOSE_OP_NONE` and
/// `APNG_BLEND_OP_SOURCE` (it replaces the previous frame), so each frame's bytes are its own
/// PNG's image data unchanged.
///
/// Memory holds one frame's PNG at a time: each chunk goes to `sink` as soon as it is made.
public final class AnimatedPNG {
    /// How long a frame shows: `numerator / denominator` seconds (the `fcTL` fields
    /// `delay_num`, `delay_den`; a denominator of 0 means 100, per the spec).
    public struct Delay: Sendable, Equatable {
        public var numerator: UInt16
        public var denominator: UInt16

        public init(numerator: UInt16, denominator: UInt16) {
            self.numerator = numerator
            self.denominator = denominator
        }

        /// The delay of one frame at `fps` frames per second: exactly `1 / fps` s when `fps`
        /// is a whole number up to 65535, else `round(1000 / fps)` ms (at least 1 ms).
        /// - Precondition: `fps > 0` and finite.
        public init(fps: Double) {
            precondition(fps > 0 && fps.isFinite, "a frame rate above 0")
            if fps == fps.rounded(), fps <= Double(UInt16.max) {
                self.init(numerator: 1, denominator: UInt16(fps))
            } else {
                self.init(numerator: UInt16(min(Double(UInt16.max), max(1, (1000 / fps).rounded()))), denominator: 1000)
            }
        }
    }

    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private let frameCount: Int
    private let plays: UInt32
    private let delay: Delay
    private let sink: ([UInt8]) throws -> Void
    private var header: [UInt8]?
    private var framesWritten = 0
    private var sequence: UInt32 = 0

    /// Starts an animation of `frameCount` frames.
    /// - Parameters:
    ///   - frameCount: How many frames `append` will be given, 1…2³¹ − 1 (`acTL` states it first).
    ///   - plays: How many times to play it, 0 = forever (`acTL` `num_plays`).
    ///   - delay: How long each frame shows.
    ///   - sink: Receives the file's bytes in order; its errors pass through `append` and `finish`.
    public init(frameCount: Int, plays: UInt32 = 0, delay: Delay, sink: @escaping ([UInt8]) throws -> Void) {
        precondition(frameCount >= 1 && frameCount <= Int(Int32.max), "an animation of at least one frame")
        self.frameCount = frameCount
        self.plays = plays
        self.delay = delay
        self.sink = sink
    }

    /// Appends the next frame, a complete PNG (as `PNG.encode` writes), of the first frame's
    /// size, colour type and bit depth.
    /// - Throws: `RenderError.png` when `png` is not a well-formed PNG, or its `IHDR` differs
    ///   from the first frame's; the sink's errors.
    public func append(png: Data) throws {
        precondition(framesWritten < frameCount, "more frames than the animation was started with")
        let chunks = try Self.chunks(of: [UInt8](png))
        guard let ihdr = chunks.first, ihdr.type == "IHDR", ihdr.data.count == 13 else {
            throw RenderError.png("APNG frame \(framesWritten): the PNG does not start with an IHDR chunk")
        }
        let data = chunks.filter { $0.type == "IDAT" }.map(\.data)
        guard !data.isEmpty else { throw RenderError.png("APNG frame \(framesWritten): the PNG has no IDAT chunk") }
        if let header {
            guard header == ihdr.data else {
                throw RenderError.png("APNG frame \(framesWritten): its IHDR (size, colour type or bit depth) differs from frame 0's")
            }
        } else {
            header = ihdr.data
            var out = Self.signature
            Self.appendChunk("IHDR", ihdr.data, to: &out)
            Self.appendChunk("acTL", Self.bigEndian(UInt32(frameCount)) + Self.bigEndian(plays), to: &out)
            try sink(out)
        }
        var out: [UInt8] = []
        var control = Self.bigEndian(sequence)
        control += Array(ihdr.data[0..<8])  // width, height: the whole canvas
        control += Self.bigEndian(UInt32(0)) + Self.bigEndian(UInt32(0))  // x, y offsets
        control += Self.bigEndian(delay.numerator) + Self.bigEndian(delay.denominator)
        control += [0, 0]  // APNG_DISPOSE_OP_NONE, APNG_BLEND_OP_SOURCE
        Self.appendChunk("fcTL", control, to: &out)
        sequence += 1
        for bytes in data {
            if framesWritten == 0 {
                Self.appendChunk("IDAT", bytes, to: &out)
            } else {
                Self.appendChunk("fdAT", Self.bigEndian(sequence) + bytes, to: &out)
                sequence += 1
            }
        }
        try sink(out)
        framesWritten += 1
    }

    /// Ends the file with `IEND`.
    /// - Precondition: every frame announced to `init` was appended.
    public func finish() throws {
        precondition(framesWritten == frameCount, "\(framesWritten) of \(frameCount) frames appended")
        var out: [UInt8] = []
        Self.appendChunk("IEND", [], to: &out)
        try sink(out)
    }

    /// One PNG chunk: its four-letter type and its data.
    public struct Chunk: Equatable, Sendable {
        public var type: String
        public var data: [UInt8]
    }

    /// The chunks of a PNG (or APNG) file, in order, each with its CRC checked.
    /// - Throws: `RenderError.png` for a missing signature, a truncated chunk or a bad CRC.
    public static func chunks(of bytes: [UInt8]) throws -> [Chunk] {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw RenderError.png("not a PNG: no PNG signature") }
        var chunks: [Chunk] = []
        var offset = 8
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw RenderError.png("PNG truncated at byte \(offset)") }
            let length = Int(bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length <= bytes.count - offset - 12 else { throw RenderError.png("PNG chunk at byte \(offset) runs past the end") }
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let stored = bytes[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            guard stored == crc32(typeAndData) else { throw RenderError.png("PNG chunk \(type) at byte \(offset): bad CRC") }
            chunks.append(Chunk(type: type, data: Array(typeAndData[4...])))
            offset += 12 + length
        }
        return chunks
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeAndData = Array(type.utf8) + data
        out += bigEndian(UInt32(data.count))
        out += typeAndData
        out += bigEndian(crc32(typeAndData))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// The CRC-32 of PNG chunks (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320 reflected),
    /// as in the PNG specification's Annex D.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
