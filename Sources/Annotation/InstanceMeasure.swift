/// The area and tight box of one instance in a label raster.
public struct InstanceMeasure: Hashable, Sendable {
    /// The instance id, the raster value of its pixels (never 0).
    public var instanceID: UInt16
    /// Number of pixels with this id, equal to pycocotools `area` of its mask.
    public var area: Int
    /// Tight box of those pixels; `bbox.cocoBBox` equals pycocotools `toBbox` of the mask.
    public var bbox: PixelBox

    public init(instanceID: UInt16, area: Int, bbox: PixelBox) {
        self.instanceID = instanceID
        self.area = area
        self.bbox = bbox
    }
}

/// Measures the area and tight box of every instance in a label raster, in one pass.
///
/// - Parameters:
///   - pixels: The label raster, row-major without padding: pixel (x, y) at `y * width + x`,
///     origin top-left, y down. A value is an instance id; 0 is background and is skipped.
///   - width: Raster width in pixels.
///   - height: Raster height in pixels.
///   - maxID: The largest id that may occur. A larger value is a precondition failure.
/// - Returns: One measure per id present, in increasing id order. Absent ids are left out.
/// - Complexity: O(width × height + maxID) time, O(maxID) extra memory. Rows are scanned as
///   runs of equal ids, so per-run work is constant.
public func measureInstances(
    pixels: UnsafeBufferPointer<UInt16>, width: Int, height: Int, maxID: UInt16
) -> [InstanceMeasure] {
    precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                 "the raster holds width × height pixels")
    struct Accumulator {
        var area = 0
        var minX = 0, minY = 0, maxX = 0, maxY = 0
    }
    var accumulators = [Accumulator](repeating: Accumulator(), count: Int(maxID) + 1)
    accumulators.withUnsafeMutableBufferPointer { acc in
        for y in 0..<height {
            let row = y * width
            var x = 0
            while x < width {
                let id = pixels[row + x]
                var end = x + 1
                while end < width && pixels[row + end] == id { end += 1 }
                if id != 0 {
                    precondition(id <= maxID, "instance id \(id) exceeds maxID \(maxID)")
                    let i = Int(id)
                    if acc[i].area == 0 {
                        acc[i].minX = x
                        acc[i].maxX = end - 1
                        acc[i].minY = y
                    } else {
                        acc[i].minX = min(acc[i].minX, x)
                        acc[i].maxX = max(acc[i].maxX, end - 1)
                    }
                    acc[i].maxY = y
                    acc[i].area += end - x
                }
                x = end
            }
        }
    }
    var measures: [InstanceMeasure] = []
    for (id, a) in accumulators.enumerated() where a.area > 0 {
        measures.append(InstanceMeasure(
            instanceID: UInt16(id), area: a.area,
            bbox: PixelBox(minX: a.minX, minY: a.minY, maxX: a.maxX, maxY: a.maxY)))
    }
    return measures
}

/// Measures the area and tight box of every instance in a label raster held in an array.
///
/// Same contract as ``measureInstances(pixels:width:height:maxID:)`` with an
/// `UnsafeBufferPointer`.
public func measureInstances(
    pixels: [UInt16], width: Int, height: Int, maxID: UInt16
) -> [InstanceMeasure] {
    pixels.withUnsafeBufferPointer {
        measureInstances(pixels: $0, width: width, height: height, maxID: maxID)
    }
}
