/// An animated GIF (GIF89a) of frames of one size, written front to back, looping forever.
///
/// Source: the GIF89a specification (CompuServe, 1990): the header and logical screen
/// descriptor with a 256-entry global colour table; the `NETSCAPE2.0` application extension
/// (loop count 0 = forever); per frame a graphic control extension (its delay in hundredths of
/// a second, disposal 1 "do not dispose", no transparency) and an image descriptor covering the
/// whole screen, followed by its LZW-coded indices (minimum code size 8, variable-length codes
/// of 9…12 bits, a clear code whenever the 4096-entry table is full) in sub-blocks of at most
/// 255 bytes; then the trailer `;`.
///
/// Colours: GIF has at most 256 per frame, so each pixel is quantised to the ``Palette``: the
/// `exact` colours given (those of the drawn labels) when it is one of them, else the nearest
/// of a 6 × 6 × 6 colour cube, levels 0, 51, …, 255 — at most 25 off in each channel. No
/// dithering: a label's flat colour stays flat, and the same pixel always gets the same index.
///
/// Memory holds one frame's indices and the LZW table (6 MiB); each frame goes to `sink` as
/// soon as it is coded.
public final class AnimatedGIF {
    /// The colours of every frame: `exact` first (in order, at most 40), then the cube.
    public struct Palette: Sendable {
        /// Levels of each channel in the cube: 0, 51, …, 255.
        public static let cubeLevels = 6
        /// How far a pixel not among the exact colours may end from its own colour, per
        /// channel: half the step between the cube's levels, rounded down.
        public static let maximumError = 25
        /// `0xRRGGBB` of each entry, index order; 256 entries (unused ones black).
        public let colors: [UInt32]
        private let exact: [UInt32: UInt8]

        /// - Parameter exact: colours kept as they are (8-bit channels, `0xRRGGBB`); duplicates
        ///   are kept once. - Precondition: at most 40 distinct.
        public init(exact: [UInt32]) {
            var unique: [UInt32] = []
            for color in exact where !unique.contains(color & 0xFFFFFF) { unique.append(color & 0xFFFFFF) }
            precondition(unique.count + Self.cubeLevels * Self.cubeLevels * Self.cubeLevels <= 256, "at most 40 exact colours")
            var colors = unique
            for r in 0..<Self.cubeLevels { for g in 0..<Self.cubeLevels { for b in 0..<Self.cubeLevels {
                colors.append(UInt32(r * 51) << 16 | UInt32(g * 51) << 8 | UInt32(b * 51))
            } } }
            colors += Array(repeating: 0, count: 256 - colors.count)
            self.colors = colors
            self.exact = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, UInt8($0)) })
        }

        /// The index of colour `rgb` (`0xRRGGBB`, higher bits ignored).
        @inline(__always) public func index(of rgb: UInt32) -> UInt8 {
            let rgb = rgb & 0xFFFFFF
            if let known = exact[rgb] { return known }
            @inline(__always) func level(_ c: UInt32) -> Int { (Int(c & 0xFF) * 5 + 127) / 255 }
            return UInt8(exact.count + level(rgb >> 16) * 36 + level(rgb >> 8) * 6 + level(rgb))
        }
    }

    private let width: Int
    private let height: Int
    private let fps: Double
    private let palette: Palette
    private let sink: ([UInt8]) throws -> Void
    private var framesWritten = 0
    private var encoder = LZWEncoder()

    /// Starts an animation of `width × height` frames shown at `fps` frames per second.
    /// - Parameters:
    ///   - palette: the colours every frame is quantised to.
    ///   - sink: receives the file's bytes in order; its errors pass through `append` and `finish`.
    /// - Precondition: both sides 1…65535; `fps` above 0 and finite.
    public init(width: Int, height: Int, fps: Double, palette: Palette, sink: @escaping ([UInt8]) throws -> Void) {
        precondition((1...65535).contains(width) && (1...65535).contains(height), "a GIF side is 1…65535 pixels")
        precondition(fps > 0 && fps.isFinite, "a frame rate above 0")
        self.width = width
        self.height = height
        self.fps = fps
        self.palette = palette
        self.sink = sink
    }

    /// The delay of frame `frame` in hundredths of a second: the time from its start to the
    /// next frame's, each rounded to the hundredth (`round(100 (f + 1) / fps) − round(100 f / fps)`),
    /// so that the animation keeps the clip's pace over its whole length (12 fps: 8, 9, 8, 8, 9, …
    /// hundredths); at least 1.
    public static func delay(ofFrame frame: Int, fps: Double) -> UInt16 {
        let start = (100 * Double(frame) / fps).rounded(), end = (100 * Double(frame + 1) / fps).rounded()
        return UInt16(min(65535, max(1, end - start)))
    }

    /// Appends `image` (its pixels quantised to the palette) as the next frame.
    /// - Precondition: `image` is `width × height`.
    /// - Throws: what `sink` throws.
    public func append(_ image: ImageSurface) throws {
        precondition(image.width == width && image.height == height, "every frame has the animation's size")
        var bytes: [UInt8] = []
        if framesWritten == 0 {
            bytes += Array("GIF89a".utf8)
            appendLittleEndian(UInt16(width), to: &bytes)
            appendLittleEndian(UInt16(height), to: &bytes)
            bytes += [0xF7, 0, 0] // a global table of 2^(7+1) colours, 8 bits a channel; background 0
            for color in palette.colors { bytes += [UInt8(color >> 16 & 0xFF), UInt8(color >> 8 & 0xFF), UInt8(color & 0xFF)] }
            bytes += [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0, 0] // loop forever
        }
        bytes += [0x21, 0xF9, 4, 0x04]
        appendLittleEndian(Self.delay(ofFrame: framesWritten, fps: fps), to: &bytes)
        bytes += [0, 0]
        bytes += [0x2C, 0, 0, 0, 0]
        appendLittleEndian(UInt16(width), to: &bytes)
        appendLittleEndian(UInt16(height), to: &bytes)
        bytes += [0, 8]
        var indices = [UInt8](repeating: 0, count: width * height)
        image.withPixelBytes { pixels in
            for y in 0..<height {
                let row = pixels.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width { indices[y * width + x] = palette.index(of: row[x]) }
            }
        }
        let coded = encoder.encode(indices)
        var offset = 0
        while offset < coded.count {
            let count = min(255, coded.count - offset)
            bytes.append(UInt8(count))
            bytes += coded[offset..<(offset + count)]
            offset += count
        }
        bytes.append(0)
        try sink(bytes)
        framesWritten += 1
    }

    /// Writes the trailer.
    /// - Precondition: at least one frame was appended.
    /// - Throws: what `sink` throws.
    public func finish() throws {
        precondition(framesWritten > 0, "an animation of at least one frame")
        try sink([0x3B])
    }

    private func appendLittleEndian(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }
}

/// GIF's variable-length LZW over 8-bit indices (GIF89a appendix F): codes 0…255 the indices,
/// 256 clear, 257 end of information, new strings from 258; codes start 9 bits wide and widen
/// when the string just added has the code 2^width (the decoder adds each string one code
/// later), up to 12 bits; a full table is cleared. Codes are packed least significant bit first.
struct LZWEncoder {
    private static let clear = 256, end = 257, first = 258, limit = 4096
    /// The code of string (prefix code, index) at `prefix << 8 | index`, valid when its stamp is
    /// the current generation: clearing the table is one increment.
    private var codes = [UInt16](repeating: 0, count: limit << 8)
    private var stamps = [UInt32](repeating: 0, count: limit << 8)
    private var generation: UInt32 = 0

    /// The LZW data of `indices` (without the minimum-code-size byte and sub-blocks).
    /// - Precondition: `indices` is not empty.
    mutating func encode(_ indices: [UInt8]) -> [UInt8] {
        precondition(!indices.isEmpty)
        var out: [UInt8] = []
        out.reserveCapacity(indices.count)
        var accumulator: UInt64 = 0, bits = 0, width = 9
        func emit(_ code: Int) {
            accumulator |= UInt64(code) << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        generation += 1
        var next = Self.first
        emit(Self.clear)
        var prefix = Int(indices[0])
        for k in 1..<indices.count {
            let index = Int(indices[k])
            let key = prefix << 8 | index
            if stamps[key] == generation {
                prefix = Int(codes[key])
                continue
            }
            emit(prefix)
            if next < Self.limit {
                stamps[key] = generation
                codes[key] = UInt16(next)
                if next == 1 << width, width < 12 { width += 1 }
                next += 1
            } else {
                emit(Self.clear)
                generation += 1
                next = Self.first
                width = 9
            }
            prefix = index
        }
        emit(prefix)
        emit(Self.end)
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: accumulator)) }
        return out
    }
}
