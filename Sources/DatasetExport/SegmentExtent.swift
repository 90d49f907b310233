/// The pixel count and tight box of one segment, grown a pixel at a time while a raster is
/// scanned. Pixels, top-left origin, y down; an empty extent has `area` 0.
struct SegmentExtent {
    var area = 0
    var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1

    @inline(__always)
    mutating func add(x: Int, y: Int) {
        area += 1
        if x < minX { minX = x }
        if x > maxX { maxX = x }
        if y < minY { minY = y }
        if y > maxY { maxY = y }
    }

    /// COCO's `[x, y, w, h]` of the box, whole pixels: x = first column, w = last − first + 1
    /// (pycocotools `toBbox`). `[0, 0, 0, 0]` when empty.
    var cocoBBox: [Int] { area == 0 ? [0, 0, 0, 0] : [minX, minY, maxX - minX + 1, maxY - minY + 1] }
}
