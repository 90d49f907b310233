public import Foundation
internal import JPEGCodec

/// JPEG encoding and decoding (libjpeg, through the `JPEGCodec` C wrapper).
public enum JPEG {
    /// The qualities `encode` accepts (libjpeg's `jpeg_set_quality` scale).
    public static let qualities = 1...100

    /// Encodes the RGB picture of `surface` as a baseline 8-bit YCbCr JPEG: libjpeg's standard
    /// quantisation tables scaled to `quality`, 4:2:0 chroma, integer DCT, no progressive
    /// scans, no optimised Huffman tables. For a given libjpeg the bytes depend on the pixels
    /// and `quality` alone.
    /// - Parameter quality: 1…100 (clamped).
    /// - Throws: `RenderError.jpeg` with libjpeg's message.
    public static func encode(_ surface: ImageSurface, quality: Int) throws -> Data {
        try surface.withPixelBytes { bytes in
            var buffer = tessera_jpeg_buffer()
            defer { tessera_jpeg_buffer_free(&buffer) }
            var message = [CChar](repeating: 0, count: 256)
            let status = tessera_jpeg_encode(bytes.baseAddress!, Int32(surface.width), Int32(surface.height), surface.stride,
                                             Int32(min(max(quality, qualities.lowerBound), qualities.upperBound)),
                                             &buffer, &message, message.count)
            guard status == 0 else { throw RenderError.jpeg(cMessage(message)) }
            return Data(bytes: buffer.data, count: buffer.size)
        }
    }

    /// Decodes JPEG bytes to 8-bit RGB (grayscale expanded), integer DCT.
    /// - Parameter maximumPixels: larger images are refused before decoding.
    /// - Returns: `samples` row-major, 3 per pixel (R, G, B), rows packed.
    /// - Throws: `RenderError.jpeg` with libjpeg's message when `data` is not a usable JPEG.
    public static func decode(_ data: Data, maximumPixels: Int = 1 << 26) throws -> (width: Int, height: Int, samples: [UInt8]) {
        var image = tessera_jpeg_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            tessera_jpeg_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, maximumPixels, &image,
                                &message, message.count)
        }
        guard status == 0 else { throw RenderError.jpeg(cMessage(message)) }
        defer { tessera_jpeg_buffer_free(&image.pixels) }
        return (Int(image.width), Int(image.height), Array(UnsafeBufferPointer(start: image.pixels.data, count: image.pixels.size)))
    }
}
