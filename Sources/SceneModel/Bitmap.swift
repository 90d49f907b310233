/// A decoded raster image (a sprite or a background photograph): 8-bit samples, four per
/// pixel in the order R, G, B, A, with straight (non-premultiplied) alpha; row-major, rows
/// packed (`4 * width` bytes each), top row first.
public struct Bitmap: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// `4 * width * height` samples.
    public let rgba: [UInt8]

    public init(width: Int, height: Int, rgba: [UInt8]) {
        precondition(width > 0 && height > 0 && rgba.count == 4 * width * height)
        self.width = width
        self.height = height
        self.rgba = rgba
    }

    /// The alpha sample (0…255) of pixel (x, y).
    public func alpha(x: Int, y: Int) -> UInt8 { rgba[4 * (y * width + x) + 3] }
}
