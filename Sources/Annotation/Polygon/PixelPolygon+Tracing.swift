extension PixelPolygon {
    /// Traces the outlines of a mask: one polygon per 4-connected part, or `nil` when the
    /// mask has a hole.
    ///
    /// Connectivity: two mask pixels belong to the same part when a path of edge-adjacent
    /// (4-connected) mask pixels joins them; pixels that touch only at a corner are separate
    /// parts with separate polygons, which then share that corner as a vertex but never
    /// cross. A pixel outside the mask is a *hole* when no path of edge-adjacent pixels
    /// outside the mask leads from it out of `box` (4-connected background, the strict
    /// reading). COCO polygons are filled and unioned, so they cannot leave a hole out; a
    /// mask with one has no faithful polygon form. Ruling these holes out also rules out a
    /// part that touches itself at a corner, so every polygon returned is simple.
    ///
    /// Each outline runs clockwise on screen (x right, y down), mask on the right, starting
    /// at the top-left corner of the part's first pixel in row-major order and heading
    /// right; parts come in the row-major order of those first pixels. Only corners are
    /// vertices.
    ///
    /// - Parameters:
    ///   - box: The region to trace, in canvas pixels (usually the mask's tight box). Pixels
    ///     outside it count as not in the mask.
    ///   - isSet: Whether canvas pixel (x, y) is in the mask; called once per pixel of `box`.
    /// - Returns: The outlines in pixel-edge coordinates (see ``PixelPolygon``) on the
    ///   canvas, empty for an empty mask; `nil` when the mask has a hole.
    /// - Complexity: O(box area) time and memory.
    public static func outlines(
        within box: PixelBox, isSet: (_ x: Int, _ y: Int) -> Bool
    ) -> [PixelPolygon]? {
        var grid = PartGrid(box: box, isSet: isSet)
        guard !grid.hasHole() else { return nil }
        var polygons: [PixelPolygon] = []
        var part: Int32 = 0
        for start in 0..<grid.cells.count where grid.cells[start] == PartGrid.unlabeledMask {
            part += 1
            grid.label(part, from: start)
            polygons.append(grid.outline(of: part, from: start))
        }
        assert(polygons.reduce(0) { $0 + $1.area } == grid.cells.count { $0 > 0 },
               "the outlines enclose exactly the mask's pixels")
        return polygons
    }

    /// Traces the outlines of the pixels equal to `value` in a label raster.
    ///
    /// Same rules as ``outlines(within:isSet:)``.
    ///
    /// - Parameters:
    ///   - value: The instance (or category) id whose pixels form the mask.
    ///   - pixels: Row-major raster without padding: pixel (x, y) at `y * width + x`, origin
    ///     top-left, y down.
    ///   - width: Raster width in pixels.
    ///   - height: Raster height in pixels.
    ///   - box: The region to read, usually the instance's tight box from
    ///     ``measureInstances(pixels:width:height:maxID:)``; it must lie inside the raster.
    /// - Returns: The outlines, or `nil` when the mask has a hole.
    /// - Complexity: O(box area).
    public static func outlines(
        of value: UInt16, in pixels: UnsafeBufferPointer<UInt16>, width: Int, height: Int,
        within box: PixelBox
    ) -> [PixelPolygon]? {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "the raster holds width × height pixels")
        precondition(box.minX >= 0 && box.minY >= 0 && box.maxX < width && box.maxY < height,
                     "the box lies inside the raster")
        return outlines(within: box) { x, y in pixels[y * width + x] == value }
    }
}

/// The mask copied into a row-major grid over the box, with a state per cell: outside the
/// mask (reached from the box border or not yet), in the mask but not yet assigned to a
/// part, or the part number (≥ 1).
private struct PartGrid {
    static let unreachedBackground: Int32 = 0
    static let reachedBackground: Int32 = -2
    static let unlabeledMask: Int32 = -1

    let box: PixelBox
    var cells: [Int32]
    private var stack: [Int] = []

    init(box: PixelBox, isSet: (_ x: Int, _ y: Int) -> Bool) {
        self.box = box
        cells = [Int32](repeating: Self.unreachedBackground, count: box.width * box.height)
        var index = 0
        for y in box.minY...box.maxY {
            for x in box.minX...box.maxX {
                if isSet(x, y) { cells[index] = Self.unlabeledMask }
                index += 1
            }
        }
    }

    /// Whether some background cell cannot reach the box border through edge-adjacent
    /// background cells. Marks the reachable ones.
    mutating func hasHole() -> Bool {
        let (w, h) = (box.width, box.height)
        for x in 0..<w {
            markBackground(x)
            markBackground((h - 1) * w + x)
        }
        for y in 0..<h {
            markBackground(y * w)
            markBackground(y * w + w - 1)
        }
        while let cell = stack.popLast() {
            forEachNeighbour(of: cell) { markBackground($0) }
        }
        return cells.contains(Self.unreachedBackground)
    }

    private mutating func markBackground(_ cell: Int) {
        guard cells[cell] == Self.unreachedBackground else { return }
        cells[cell] = Self.reachedBackground
        stack.append(cell)
    }

    /// Gives `part` to every mask cell edge-connected to `start`.
    mutating func label(_ part: Int32, from start: Int) {
        cells[start] = part
        stack.append(start)
        while let cell = stack.popLast() {
            forEachNeighbour(of: cell) { next in
                if cells[next] == Self.unlabeledMask {
                    cells[next] = part
                    stack.append(next)
                }
            }
        }
    }

    @inline(__always)
    private func forEachNeighbour(of cell: Int, _ body: (Int) -> Void) {
        let w = box.width
        let (x, y) = (cell % w, cell / w)
        if x > 0 { body(cell - 1) }
        if x + 1 < w { body(cell + 1) }
        if y > 0 { body(cell - w) }
        if y + 1 < box.height { body(cell + w) }
    }

    /// Whether box-relative pixel (x, y) belongs to `part` (false outside the box).
    @inline(__always)
    private func isInPart(_ part: Int32, _ x: Int, _ y: Int) -> Bool {
        x >= 0 && y >= 0 && x < box.width && y < box.height && cells[y * box.width + x] == part
    }

    /// Walks the boundary of `part` from the top-left corner of its first cell `start`,
    /// keeping the part on the right, and records each corner in canvas coordinates.
    ///
    /// At a vertex the walk looks at the two pixels ahead: with the right one outside the
    /// part it turns right, else with the left one outside it goes straight, else it turns
    /// left. Turning right first keeps corner-touching pixels apart (4-connectivity).
    func outline(of part: Int32, from start: Int) -> PixelPolygon {
        // The first cell in row-major order has no part pixel above or to its left, so its
        // top edge is on the outline and the walk ends when it is back at that corner.
        let (startX, startY) = (start % box.width, start / box.width)
        var (vx, vy) = (startX, startY)
        var (dx, dy) = (1, 0)
        var coordinates = [startX + box.minX, startY + box.minY]
        while true {
            vx += dx
            vy += dy
            if vx == startX && vy == startY { break }
            // Pixel ahead-right has its corner at the vertex on the side of d + right;
            // ahead-left on the side of d + left. A +1 offset picks the pixel at the vertex,
            // a −1 offset the one before it.
            let (rx, ry) = (-dy, dx)
            let (lx, ly) = (dy, -dx)
            let isRightAheadIn = isInPart(part, vx + (dx + rx - 1) / 2, vy + (dy + ry - 1) / 2)
            let isLeftAheadIn = isInPart(part, vx + (dx + lx - 1) / 2, vy + (dy + ly - 1) / 2)
            if !isRightAheadIn {
                (dx, dy) = (rx, ry)
            } else if isLeftAheadIn {
                (dx, dy) = (lx, ly)
            } else {
                continue
            }
            coordinates.append(vx + box.minX)
            coordinates.append(vy + box.minY)
        }
        return PixelPolygon(coordinates: coordinates)
    }
}
