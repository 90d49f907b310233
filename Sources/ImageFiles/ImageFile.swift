public import Foundation
public import SceneModel
internal import JPEGCodec
internal import PNGCodec

/// Reads PNG and JPEG files (sprites, background photographs) into ``SceneModel/Bitmap``s,
/// through the `PNGCodec` and `JPEGCodec` C wrappers (libpng, libjpeg).
public enum ImageFile {
    /// The largest image accepted, in pixels (about 8192 × 8192).
    public static let maximumPixels = 1 << 26

    /// The file name extensions read, lower-case.
    public static let extensions = ["png", "jpg", "jpeg"]

    /// Decodes PNG or JPEG bytes (told apart by their signature) to 8-bit RGBA with straight
    /// alpha. PNG: grey, grey+alpha, RGB, RGBA, palette (tRNS becomes alpha), 16-bit samples
    /// keep their high byte; no gamma or colour-space conversion. JPEG: RGB or grey, alpha 255.
    /// - Throws: ``ImageFileError`` naming the problem.
    public static func decode(_ data: Data) throws -> Bitmap {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(data) }
        if data.starts(with: [0xFF, 0xD8]) { return try decodeJPEG(data) }
        throw ImageFileError("not a PNG or JPEG file")
    }

    /// Reads and decodes the file at `url`.
    /// - Throws: ``ImageFileError`` when the file cannot be read or decoded.
    public static func load(_ url: URL) throws -> Bitmap {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImageFileError(FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "no such file")
        }
        return try decode(data)
    }

    private static func decodePNG(_ data: Data) throws -> Bitmap {
        var image = tessera_png_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            tessera_png_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &image, &message, message.count)
        }
        guard status == 0 else { throw ImageFileError(cMessage(message)) }
        defer { tessera_png_buffer_free(&image.pixels) }
        let (width, height, channels) = (Int(image.width), Int(image.height), Int(image.channels))
        guard width * height <= maximumPixels else { throw ImageFileError("\(width) x \(height) pixels is more than the \(maximumPixels) allowed") }
        let bytesPerSample = image.bit_depth == 16 ? 2 : 1
        // 16-bit samples are in host byte order: the high byte is at +1 on little-endian hosts.
        let high = bytesPerSample == 2 && UInt16(1).littleEndian == 1 ? 1 : 0
        var rgba = [UInt8](repeating: 255, count: 4 * width * height)
        let source = image.pixels.data!
        for pixel in 0..<(width * height) {
            func sample(_ c: Int) -> UInt8 { source[(pixel * channels + c) * bytesPerSample + high] }
            let out = 4 * pixel
            switch channels {
            case 1, 2:
                let v = sample(0)
                (rgba[out], rgba[out + 1], rgba[out + 2]) = (v, v, v)
                if channels == 2 { rgba[out + 3] = sample(1) }
            default:
                (rgba[out], rgba[out + 1], rgba[out + 2]) = (sample(0), sample(1), sample(2))
                if channels == 4 { rgba[out + 3] = sample(3) }
            }
        }
        return Bitmap(width: width, height: height, rgba: rgba)
    }

    private static func decodeJPEG(_ data: Data) throws -> Bitmap {
        var image = tessera_jpeg_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            tessera_jpeg_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, maximumPixels, &image,
                                &message, message.count)
        }
        guard status == 0 else { throw ImageFileError(cMessage(message)) }
        defer { tessera_jpeg_buffer_free(&image.pixels) }
        let count = Int(image.width) * Int(image.height)
        var rgba = [UInt8](repeating: 255, count: 4 * count)
        let source = image.pixels.data!
        for pixel in 0..<count {
            (rgba[4 * pixel], rgba[4 * pixel + 1], rgba[4 * pixel + 2]) = (source[3 * pixel], source[3 * pixel + 1], source[3 * pixel + 2])
        }
        return Bitmap(width: Int(image.width), height: Int(image.height), rgba: rgba)
    }
}

/// Why an image file could not be used, e.g. "no such file", "libpng: …", "libjpeg: …".
public struct ImageFileError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// The NUL-terminated text in a C message buffer.
private func cMessage(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
