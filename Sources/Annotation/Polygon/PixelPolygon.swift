/// A simple polygon whose vertices lie on pixel corners: the outline of one part of a mask.
///
/// Pixel-edge coordinates, origin at the top-left corner of pixel (0, 0), x right, y down:
/// pixel (i, j) covers [i, i+1) × [j, j+1), so the outline of pixel (i, j) alone is
/// `[i, j, i+1, j, i+1, j+1, i, j+1]`. Every edge is horizontal or vertical and every vertex
/// is a corner (no two consecutive edges are collinear). The polygon is closed implicitly:
/// the last vertex joins the first.
public struct PixelPolygon: Hashable, Sendable {
    /// The vertices as the flat list COCO writes, `[x1, y1, x2, y2, …]`, in pixels.
    public var coordinates: [Int]

    /// Creates a polygon from its flat vertex list `[x1, y1, x2, y2, …]` (at least 3 vertices).
    public init(coordinates: [Int]) {
        precondition(coordinates.count >= 6 && coordinates.count % 2 == 0,
                     "a polygon has at least 3 vertices given as x, y pairs")
        self.coordinates = coordinates
    }

    /// Number of vertices.
    public var vertexCount: Int { coordinates.count / 2 }

    /// The enclosed area in square pixels (shoelace formula); for an outline traced from a
    /// mask, the number of pixels in that part of the mask.
    public var area: Int {
        var twice = 0
        let n = vertexCount
        for k in 0..<n {
            let (x0, y0) = (coordinates[2 * k], coordinates[2 * k + 1])
            let next = (k + 1) % n
            let (x1, y1) = (coordinates[2 * next], coordinates[2 * next + 1])
            twice += x0 * y1 - x1 * y0
        }
        return abs(twice) / 2
    }
}

extension PixelPolygon: JSONRenderable {
    /// Appends the COCO polygon `[x1,y1,x2,y2,…]`.
    public func appendJSON(to bytes: inout [UInt8]) {
        bytes.appendJSONIntegers(coordinates)
    }
}
