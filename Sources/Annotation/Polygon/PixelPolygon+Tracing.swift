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
        let parts = grid.labelParts()
        let polygons = parts.map { grid.outline(of: $0.part, from: $0.firstCell) }
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

/// The boundary of one 4-connected part of a mask: its outer outline and the outlines of
/// its holes, in pixel-edge coordinates, each with the part on its right (the outline runs
/// clockwise on screen, x right and y down, the holes counter-clockwise).
public struct PartBoundary: Hashable, Sendable {
    /// The outer outline.
    public var outline: PixelPolygon
    /// One loop per hole, in the row-major order of the hole's first bordering pixel.
    public var holes: [PixelPolygon]
    /// The part's pixels (holes not counted).
    public var pixelCount: Int
}

extension PixelPolygon {
    /// Traces the boundary of every 4-connected part of a mask, holes included.
    ///
    /// Unlike ``outlines(within:isSet:)`` a hole is no obstacle: it gets its own loop.
    /// Connectivity is the same: the mask is 4-connected, so a part may touch itself at a
    /// corner, and a loop then passes that corner twice (it is simple except there).
    /// A *hole* is a connected region of pixels outside the part that its outer outline
    /// encloses; pixels outside the part that touch the outside only at a corner form a
    /// hole. Parts come in the row-major order of their first pixel.
    ///
    /// - Parameters:
    ///   - box: The region to trace, in canvas pixels. Pixels outside it count as not in the mask.
    ///   - isSet: Whether canvas pixel (x, y) is in the mask; called once per pixel of `box`.
    /// - Returns: One boundary per part; empty for an empty mask.
    /// - Complexity: O(box area) time and memory.
    public static func boundaries(within box: PixelBox, isSet: (_ x: Int, _ y: Int) -> Bool) -> [PartBoundary] {
        var grid = PartGrid(box: box, isSet: isSet)
        return grid.boundaries()
    }

    /// The boundaries of the pixels equal to `value` in a row-major label raster (pixel
    /// (x, y) at `y * width + x`); `box` must lie inside it. Same rules as
    /// ``boundaries(within:isSet:)``.
    public static func boundaries(
        of value: UInt16, in pixels: UnsafeBufferPointer<UInt16>, width: Int, height: Int, within box: PixelBox
    ) -> [PartBoundary] {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "the raster holds width × height pixels")
        precondition(box.minX >= 0 && box.minY >= 0 && box.maxX < width && box.maxY < height,
                     "the box lies inside the raster")
        return boundaries(within: box) { x, y in pixels[y * width + x] == value }
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
    /// Parts labeled so far.
    private(set) var parts: Int32 = 0
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
            Self.forEachNeighbour(of: cell, width: w, height: h) { markBackground($0) }
        }
        return cells.contains(Self.unreachedBackground)
    }

    private mutating func markBackground(_ cell: Int) {
        guard cells[cell] == Self.unreachedBackground else { return }
        cells[cell] = Self.reachedBackground
        stack.append(cell)
    }

    /// A labeled part: its number, its first cell in row-major order and its cell count.
    struct Part { var part: Int32, firstCell: Int, pixelCount: Int }

    /// Numbers the 4-connected parts of the mask 1, 2, … in the row-major order of their
    /// first cells and writes each cell's number into `cells`.
    ///
    /// Works on runs (maximal horizontal spans of mask cells): a run joins every run of the
    /// row above that shares a column with it, in a union–find whose root is always the
    /// earliest run, so a part's root holds its first cell. Each cell is read once and
    /// written once; no per-cell stack or neighbour arithmetic.
    /// - Complexity: O(box area + runs × α(runs)).
    mutating func labelParts() -> [Part] {
        let (w, h) = (box.width, box.height)
        var runStart: [Int] = [], runEnd: [Int] = [], parent: [Int32] = []
        func root(_ run: Int) -> Int {
            var r = run
            while Int(parent[r]) != r { r = Int(parent[r]) }
            var k = run
            while Int(parent[k]) != r { let next = Int(parent[k]); parent[k] = Int32(r); k = next }
            return r
        }
        var previousRows = 0..<0
        for y in 0..<h {
            let row = y * w
            let firstRun = runStart.count
            var above = previousRows.lowerBound
            var x = 0
            while x < w {
                guard cells[row + x] == Self.unlabeledMask else { x += 1; continue }
                let start = x
                while x < w, cells[row + x] == Self.unlabeledMask { x += 1 }
                let run = runStart.count
                runStart.append(row + start)
                runEnd.append(row + x)
                parent.append(Int32(run))
                // Runs above that share a column: [start, x) against theirs, both sorted by x.
                while above < previousRows.upperBound, runEnd[above] - (row - w) <= start { above += 1 }
                var k = above
                while k < previousRows.upperBound, runStart[k] - (row - w) < x {
                    let (a, b) = (root(k), root(run))
                    if a != b { parent[max(a, b)] = Int32(min(a, b)) }
                    k += 1
                }
                // The last run above may reach into the next run of this row too.
                if k > above { above = k - 1 }
            }
            previousRows = firstRun..<runStart.count
        }
        var parts: [Part] = []
        var number = [Int32](repeating: 0, count: runStart.count)
        for run in runStart.indices {
            let r = root(run)
            if r == run {
                parts.append(Part(part: Int32(parts.count + 1), firstCell: runStart[run], pixelCount: 0))
                number[run] = Int32(parts.count)
            } else {
                number[run] = number[r]
            }
            let part = number[run]
            parts[Int(part) - 1].pixelCount += runEnd[run] - runStart[run]
            for cell in runStart[run]..<runEnd[run] { cells[cell] = part }
        }
        self.parts = Int32(parts.count)
        return parts
    }

    /// The edge-adjacent cells of `cell` in a `width × height` grid.
    ///
    /// Static on purpose: as an instance method it would be called on a copy of `self`, and
    /// the copy's reference to `cells` would make every write in `body` copy the whole grid
    /// (copy-on-write), which made tracing quadratic in the box area.
    @inline(__always)
    private static func forEachNeighbour(of cell: Int, width w: Int, height h: Int, _ body: (Int) -> Void) {
        let (x, y) = (cell % w, cell / w)
        if x > 0 { body(cell - 1) }
        if x + 1 < w { body(cell + 1) }
        if y > 0 { body(cell - w) }
        if y + 1 < h { body(cell + w) }
    }

    /// Whether box-relative pixel (x, y) belongs to `part` (false outside the box).
    @inline(__always)
    private func isInPart(_ part: Int32, _ x: Int, _ y: Int) -> Bool {
        x >= 0 && y >= 0 && x < box.width && y < box.height && cells[y * box.width + x] == part
    }

    /// Walks the boundary of `part` from the top-left corner of its first cell `start`,
    /// keeping the part on the right, and records each corner in canvas coordinates.
    func outline(of part: Int32, from start: Int) -> PixelPolygon {
        var unused: [Bool] = []
        return loop(of: part, from: start, markingTopEdgesIn: &unused)
    }

    /// Walks the boundary loop of `part` that runs along the top edge of cell `start`
    /// heading right (the part below it), keeping the part on the right, and records each
    /// corner in canvas coordinates: the loop's first vertex is the top-left corner of
    /// `start`. When `usedTopEdges` holds a flag per cell, sets it for every cell whose top
    /// edge the loop runs along.
    ///
    /// At a vertex the walk looks at the two pixels ahead: with the right one outside the
    /// part it turns right, else with the left one outside it goes straight, else it turns
    /// left. Turning right first keeps corner-touching pixels apart (4-connectivity). A loop
    /// may pass a vertex twice (where the part touches itself at a corner); it ends when it
    /// is about to run along its first edge again, which it does only once.
    func loop(of part: Int32, from start: Int, markingTopEdgesIn usedTopEdges: inout [Bool]) -> PixelPolygon {
        let (startX, startY) = (start % box.width, start / box.width)
        var (vx, vy) = (startX, startY)
        var (dx, dy) = (1, 0)
        var coordinates = [startX + box.minX, startY + box.minY]
        while true {
            if dx == 1 && !usedTopEdges.isEmpty { usedTopEdges[vy * box.width + vx] = true }
            vx += dx
            vy += dy
            // Pixel ahead-right has its corner at the vertex on the side of d + right;
            // ahead-left on the side of d + left. A +1 offset picks the pixel at the vertex,
            // a −1 offset the one before it.
            let (rx, ry) = (-dy, dx)
            let (lx, ly) = (dy, -dx)
            let isRightAheadIn = isInPart(part, vx + (dx + rx - 1) / 2, vy + (dy + ry - 1) / 2)
            let isLeftAheadIn = isInPart(part, vx + (dx + lx - 1) / 2, vy + (dy + ly - 1) / 2)
            let (nx, ny): (Int, Int)
            if !isRightAheadIn {
                (nx, ny) = (rx, ry)
            } else if isLeftAheadIn {
                (nx, ny) = (lx, ly)
            } else {
                (nx, ny) = (dx, dy)
            }
            if vx == startX && vy == startY && nx == 1 { break }
            if (nx, ny) != (dx, dy) {
                coordinates.append(vx + box.minX)
                coordinates.append(vy + box.minY)
                (dx, dy) = (nx, ny)
            }
        }
        return PixelPolygon(coordinates: coordinates)
    }

    /// Every boundary loop of every part, holes included: per part in the row-major order
    /// of its first cell, its outer loop (clockwise on screen) and then its hole loops
    /// (counter-clockwise), each starting at the top-left corner of the loop's first top
    /// edge in row-major order.
    /// - Complexity: O(box area + total loop length).
    mutating func boundaries() -> [PartBoundary] {
        let parts = labelParts()
        let w = box.width
        var used = [Bool](repeating: false, count: cells.count)
        var boundaries: [PartBoundary?] = Array(repeating: nil, count: parts.count)
        // A loop runs along the top edge of a cell whose upper neighbour is another part or
        // outside; each such edge belongs to exactly one loop.
        for y in 0..<box.height {
            let row = y * w
            for cell in row..<(row + w) {
                let part = cells[cell]
                guard part > 0, !used[cell], y == 0 || cells[cell - w] != part else { continue }
                let loop = loop(of: part, from: cell, markingTopEdgesIn: &used)
                if boundaries[Int(part) - 1] == nil {
                    boundaries[Int(part) - 1] = PartBoundary(outline: loop, holes: [],
                                                             pixelCount: parts[Int(part) - 1].pixelCount)
                } else {
                    boundaries[Int(part) - 1]!.holes.append(loop)
                }
            }
        }
        return boundaries.map { $0! }
    }
}
