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
}
