public import Foundation
internal import PNGCodec

/// PNG encoding and decoding, through the `PNGCodec` C wrapper: with the SUB filter (the
/// default) a direct writer (zlib for deflate; libdeflate's or zlib's checksums), with the
/// adaptive filter libpng; both write the same bytes for the same settings. Decoding: libpng.
public enum PNG {
    /// zlib level and filter choice. The default favours speed: level 1 with the SUB filter.
    public struct Settings: Sendable, Equatable {
        /// zlib compression level, 0 (none) … 9 (smallest).
        public var level: Int
        /// `true`: the single SUB filter (fast); `false`: libpng's adaptive filter choice.
        public var fastFilter: Bool

        public init(level: Int = 1, fastFilter: Bool = true) {
            self.level = level
            self.fastFilter = fastFilter
        }
    }

    /// Encodes the RGB picture of `surface` as an 8-bit RGB PNG.
    public static func encode(_ surface: ImageSurface, settings: Settings = .init()) throws -> Data {
        try surface.withPixelBytes { bytes in
            try encode(bytes.baseAddress!, width: surface.width, height: surface.height,
                       stride: surface.stride, layout: TESSERA_PNG_RGB_FROM_BGRX, settings: settings)
        }
    }

    /// Encodes a grey picture as a grayscale PNG of its bit depth (8 or 16).
    public static func encode(_ picture: GrayPicture, settings: Settings = .init()) throws -> Data {
        if picture.bitDepth == 16 {
            return try encodeGray16(picture.samples, width: picture.width, height: picture.height, settings: settings)
        }
        return try encodeGray8(picture.samples.map { UInt8(truncatingIfNeeded: $0) }, width: picture.width, height: picture.height,
                               settings: settings)
    }

    /// Encodes `pixels` (row-major, `width * height`) as a 16-bit grayscale PNG.
    public static func encodeGray16(_ pixels: [UInt16], width: Int, height: Int, settings: Settings = .init()) throws -> Data {
        precondition(pixels.count == width * height)
        return try pixels.withUnsafeBytes { bytes in
            try encode(bytes.baseAddress!, width: width, height: height, stride: width * 2,
                       layout: TESSERA_PNG_GRAY16, settings: settings)
        }
    }

    /// Encodes `pixels` (row-major, `width * height`) as an 8-bit grayscale PNG.
    public static func encodeGray8(_ pixels: [UInt8], width: Int, height: Int, settings: Settings = .init()) throws -> Data {
        precondition(pixels.count == width * height)
        return try pixels.withUnsafeBytes { bytes in
            try encode(bytes.baseAddress!, width: width, height: height, stride: width,
                       layout: TESSERA_PNG_GRAY8, settings: settings)
        }
    }

    /// Encodes `pixels` (row-major, `width * height * 3`, each pixel R, G, B) as an 8-bit RGB
    /// PNG.
    public static func encodeRGB8(_ pixels: [UInt8], width: Int, height: Int, settings: Settings = .init()) throws -> Data {
        precondition(pixels.count == width * height * 3)
        return try pixels.withUnsafeBytes { bytes in
            try encode(bytes.baseAddress!, width: width, height: height, stride: width * 3,
                       layout: TESSERA_PNG_RGB8, settings: settings)
        }
    }

    /// Encodes `indices` (row-major, `width * height`) as an 8-bit palette PNG (colour type 3)
    /// whose PLTE chunk holds `palette`, 1…256 colours as `(red, green, blue)`, 0…255 each. An
    /// index at or past `palette.count` is a caller error (PNG readers may reject the file).
    public static func encodePalette8(_ indices: [UInt8], palette: [(red: UInt8, green: UInt8, blue: UInt8)],
                                      width: Int, height: Int, settings: Settings = .init()) throws -> Data {
        precondition(indices.count == width * height && (1...256).contains(palette.count))
        let colors = palette.flatMap { [$0.red, $0.green, $0.blue] }
        return try indices.withUnsafeBytes { bytes in
            try encode(bytes.baseAddress!, width: width, height: height, stride: width,
                       layout: TESSERA_PNG_PALETTE8, palette: colors, settings: settings)
        }
    }

    /// Which library computes the CRC-32 and Adler-32 of the PNGs written with the SUB filter:
    /// "libdeflate X.Y" when the build found it, else "zlib X.Y.Z". The bytes are the same.
    public static var checksumLibrary: String { String(cString: tessera_png_checksums()) }

    /// The two encoders behind `encode…`: `direct` (SUB filter: the rows filtered in one
    /// pass and deflated by zlib in one call) and `libpng` (row by row; the adaptive filter).
    enum Encoder { case automatic, libpng }

    /// `encode(_:settings:)` through libpng whatever the settings: the reference the direct
    /// encoder must match byte for byte (tests).
    static func encodeThroughLibpng(_ surface: ImageSurface, settings: Settings = .init()) throws -> Data {
        try surface.withPixelBytes { bytes in
            try encode(bytes.baseAddress!, width: surface.width, height: surface.height,
                       stride: surface.stride, layout: TESSERA_PNG_RGB_FROM_BGRX, settings: settings, encoder: .libpng)
        }
    }

    /// `encodeGray16` through libpng (tests).
    static func encodeGray16ThroughLibpng(_ pixels: [UInt16], width: Int, height: Int, settings: Settings = .init()) throws -> Data {
        try pixels.withUnsafeBytes { bytes in
            try encode(bytes.baseAddress!, width: width, height: height, stride: width * 2,
                       layout: TESSERA_PNG_GRAY16, settings: settings, encoder: .libpng)
        }
    }

    private static func encode(_ pixels: UnsafeRawPointer, width: Int, height: Int, stride: Int,
                               layout: tessera_png_layout, palette: [UInt8] = [], settings: Settings,
                               encoder: Encoder = .automatic) throws -> Data {
        var buffer = tessera_png_buffer()
        defer { tessera_png_buffer_free(&buffer) }
        var message = [CChar](repeating: 0, count: 256)
        let status = palette.withUnsafeBufferPointer { colors in
            let run = encoder == .libpng ? tessera_png_encode_libpng : tessera_png_encode
            return run(pixels, Int32(width), Int32(height), stride, layout,
                       colors.baseAddress, Int32(palette.count / 3),
                       Int32(max(0, min(9, settings.level))), settings.fastFilter ? 1 : 0,
                       &buffer, &message, message.count)
        }
        guard status == 0, let bytes = buffer.data else { throw RenderError.png(cMessage(message)) }
        // The file's bytes change hands instead of being copied: the buffer is malloc'ed by
        // the C side (realloc), so `Data` frees it, and the deferred free sees no buffer.
        let file = Data(bytesNoCopy: bytes, count: buffer.size, deallocator: .free)
        buffer = tessera_png_buffer()
        return file
    }

    /// A decoded PNG: `channels` samples per pixel, row-major, packed.
    public struct Image: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var channels: Int
        public var bitDepth: Int
        /// Samples widened to `UInt16` (8-bit samples keep their values 0…255).
        public var samples: [UInt16]
    }

    /// Why a PNG file could not be read: `reason` is "missing", the system's reason for a
    /// failed read, "not a PNG file" (no PNG signature), or "damaged PNG" with the decoder's
    /// reason ("truncated PNG data", libpng's message for a bad CRC or a damaged stream).
    public struct FileError: Error, Equatable, CustomStringConvertible {
        public var url: URL
        public var reason: String
        /// `PATH: REASON`.
        public var description: String { "\(url.path): \(reason)" }
    }

    /// Reads the file at `url` and decodes it (``decode(_:)``): the one way readers of a
    /// dataset load a PNG, so that every command names the same cause for a bad file.
    /// - Throws: ``FileError`` naming the file.
    public static func read(_ url: URL) throws(FileError) -> Image {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            let missing = !FileManager.default.fileExists(atPath: url.path)
            throw FileError(url: url, reason: missing ? "missing" : "unreadable (\((error as NSError).localizedDescription))")
        }
        return try decode(data, of: url)
    }

    /// Decodes `data`, the bytes of the file at `url` (``decode(_:)``).
    /// - Throws: ``FileError`` naming the file: "not a PNG file" without a PNG signature,
    ///   else "damaged PNG" with the decoder's reason.
    public static func decode(_ data: Data, of url: URL) throws(FileError) -> Image {
        guard data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw FileError(url: url, reason: data.isEmpty ? "empty file, not a PNG" : "not a PNG file (no PNG signature)")
        }
        do { return try decode(data) } catch {
            throw FileError(url: url, reason: "damaged PNG (\(error))")
        }
    }

    /// Decodes PNG bytes without colour or gamma conversion.
    /// - Throws: `RenderError.png` with libpng's message when `data` is not a valid PNG.
    public static func decode(_ data: Data) throws -> Image {
        var image = tessera_png_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            tessera_png_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &image, &message, message.count)
        }
        guard status == 0 else { throw RenderError.png(cMessage(message)) }
        defer { tessera_png_buffer_free(&image.pixels) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        var samples = [UInt16](repeating: 0, count: count)
        if image.bit_depth == 16 {
            image.pixels.data.withMemoryRebound(to: UInt16.self, capacity: count) { p in
                for i in 0..<count { samples[i] = p[i] }
            }
        } else {
            for i in 0..<count { samples[i] = UInt16(image.pixels.data[i]) }
        }
        return Image(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                     bitDepth: Int(image.bit_depth), samples: samples)
    }
}

/// The NUL-terminated text in a C message buffer.
func cMessage(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
