/// A tight pixel box, inclusive at both ends: columns `minX...maxX`, rows `minY...maxY`.
///
/// Pixels, origin at the top-left pixel, x right, y down (PRODUCT.md, "Pixel and label
/// contract"). A box always holds at least one pixel; an empty mask has no box.
public struct PixelBox: Hashable, Sendable {
    /// First column.
    public var minX: Int
    /// First row.
    public var minY: Int
    /// Last column (inclusive).
    public var maxX: Int
    /// Last row (inclusive).
    public var maxY: Int

    /// Creates a box from its first and last column and row, both inclusive.
    public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
        precondition(minX <= maxX && minY <= maxY, "a PixelBox holds at least one pixel")
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// Number of columns, `maxX - minX + 1`.
    public var width: Int { maxX - minX + 1 }

    /// Number of rows, `maxY - minY + 1`.
    public var height: Int { maxY - minY + 1 }

    /// The COCO `bbox` `[x, y, w, h]` in integer pixels, equal to pycocotools `toBbox` of the
    /// mask whose tight box this is.
    public var cocoBBox: [Int] { [minX, minY, width, height] }
}
