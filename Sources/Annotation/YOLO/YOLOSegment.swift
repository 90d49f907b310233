/// An instance's visible mask as the one polygon a YOLO segmentation label line holds,
/// placed so that ultralytics' own rasterisation gives the mask back.
///
/// ultralytics (`ultralytics.data.utils.polygon2mask`) multiplies the normalised vertices by
/// the image size, truncates them to `int32` and fills the polygon with OpenCV's
/// `cv2.fillPoly`, which draws every edge (8-connected lines through the integer points,
/// pixel (i, j) at integer point (i, j)) and fills the spans between crossing edges, the
/// even-odd way. So the polygon here is not the pixel-edge outline (which would fill one
/// column and one row too many) but that outline with every vertex moved
/// ``inset`` = 1/128 pixel into the mask along both of its edges' normals: a vertex lands
/// just inside the pixel at its corner that belongs to the mask, truncation turns it into
/// that pixel's integer point, and the polygon, seen as a shape, is the exact outline to
/// within 1/128 pixel (its box is the COCO `bbox` shrunk by 1/128 pixel a side).
///
/// One line holds one polygon, so a mask in several parts and a mask with holes are joined
/// into one closed vertex sequence by *bridges*: a vertex of one loop, the other loop all
/// the way round, the same vertex again, back. Each bridge is two coincident edges: they
/// cancel in the even-odd fill but `fillPoly` still draws their line, so a bridge across
/// pixels outside the mask adds those pixels. Hole loops keep their holes open (even-odd)
/// and are bridged through the mask, which costs nothing where the line stays in it. Parts
/// are joined along a minimum spanning tree of the gaps between them (Chebyshev distance
/// between their vertices' pixels; a gap of d costs about d − 1 pixels), rooted at the
/// largest part, and a branch whose bridges would add more pixels than it holds is left
/// out (``droppedPixels``). OpenCV's fill of one polygon is always 8-connected, so a mask in
/// parts farther apart than a corner cannot come back exactly.
public struct YOLOSegment: Hashable, Sendable {
    /// Vertices are held in 1/`unitsPerPixel` pixel.
    public static let unitsPerPixel = 128
    /// How far each vertex lies inside the pixel-edge outline, in ``unitsPerPixel`` units:
    /// large enough that float32 parsing and scaling (about 3e-3 pixel on a 32767-pixel
    /// side) cannot carry it back across the pixel edge.
    public static let inset = 1

    /// Vertices `[x1, y1, x2, y2, …]` in 1/``unitsPerPixel`` pixel, pixel-edge coordinates
    /// (origin at the top-left corner of pixel (0, 0), x right, y down); closed implicitly.
    public var coordinates: [Int]
    /// Mask pixels left out: parts whose bridges would cost more pixels than they hold.
    public var droppedPixels: Int
    /// The pixels outside the mask the bridges are expected to add: d − 1 per bridge over a
    /// Chebyshev gap of d pixels (an estimate: OpenCV's line may take a different path).
    public var bridgePixels: Int

    /// Number of vertices, bridges' repeated vertices included.
    public var vertexCount: Int { coordinates.count / 2 }

    /// Joins and places the boundaries of a mask's parts (from
    /// ``PixelPolygon/boundaries(within:isSet:)``).
    /// - Precondition: `parts` is not empty.
    /// - Complexity: O(V²) in the total number of loop vertices V, for the spanning trees.
    public init(parts: [PartBoundary]) {
        precondition(!parts.isEmpty, "a YOLO segment needs a mask with at least one pixel")
        // Most masks are one part without holes: the placed outline itself, no bridges.
        if parts.count == 1, parts[0].holes.isEmpty {
            let outline = PlacedLoop(parts[0].outline)
            var coordinates: [Int] = []
            coordinates.reserveCapacity(2 * outline.count)
            for k in 0..<outline.count {
                coordinates.append(outline.x[k])
                coordinates.append(outline.y[k])
            }
            (self.coordinates, droppedPixels, bridgePixels) = (coordinates, 0, 0)
            return
        }
        var loops: [PlacedLoop] = []
        var partLoops: [[Int]] = []
        for part in parts {
            var indices: [Int] = []
            for polygon in [part.outline] + part.holes {
                indices.append(loops.count)
                loops.append(PlacedLoop(polygon))
            }
            partLoops.append(indices)
        }
        // Parts: a spanning tree over their gaps, then leave out branches that cost more than they hold.
        let partNodes = partLoops.map { SpanningNode(loops: $0, of: loops) }
        let root = parts.indices.max { parts[$0].pixelCount < parts[$1].pixelCount || (parts[$0].pixelCount == parts[$1].pixelCount && $0 > $1) }!
        let partTree = spanningTree(partNodes, root: root)
        var keptPixels = parts.map(\.pixelCount), extra = [Int](repeating: 0, count: parts.count)
        var isKept = [Bool](repeating: true, count: parts.count)
        var dropped = 0
        for edge in partTree.reversed() {
            let cost = max(edge.distance - 1, 0)
            if keptPixels[edge.child] - extra[edge.child] > cost {
                keptPixels[edge.parent] += keptPixels[edge.child]
                extra[edge.parent] += extra[edge.child] + cost
            } else {
                isKept[edge.child] = false
                dropped += keptPixels[edge.child]
            }
        }
        // A part is kept when it and every part on its path to the root are.
        for edge in partTree where !isKept[edge.parent] { isKept[edge.child] = false }
        var bridges: [SpanningEdge] = partTree.filter { isKept[$0.child] }
        // Holes: bridged within their part, through the mask where the nearest vertices allow.
        for (part, indices) in partLoops.enumerated() where isKept[part] && indices.count > 1 {
            bridges += spanningTree(indices.map { SpanningNode(loops: [$0], of: loops) }, root: 0)
                .map { SpanningEdge(parent: indices[$0.parent], child: indices[$0.child], from: $0.from, to: $0.to, distance: $0.distance) }
        }
        droppedPixels = dropped
        bridgePixels = bridges.reduce(0) { $0 + max($1.distance - 1, 0) }
        // Loop-level children: which loop hangs at which vertex.
        var children = [[(at: Int, loop: Int, from: Int)]](repeating: [], count: loops.count)
        for bridge in bridges {
            children[bridge.from.loop].append((bridge.from.index, bridge.to.loop, bridge.to.index))
        }
        var coordinates: [Int] = []
        func emit(_ loop: Int, from start: Int, isClosing: Bool) {
            let placed = loops[loop]
            let n = placed.count
            for step in 0..<n {
                let index = (start + step) % n
                coordinates.append(placed.x[index])
                coordinates.append(placed.y[index])
                for child in children[loop] where child.at == index {
                    emit(child.loop, from: child.from, isClosing: true)
                    coordinates.append(placed.x[index])
                    coordinates.append(placed.y[index])
                }
            }
            if isClosing {
                coordinates.append(placed.x[start])
                coordinates.append(placed.y[start])
            }
        }
        emit(partLoops[root][0], from: 0, isClosing: false)
        self.coordinates = coordinates
    }
}

/// A loop's vertices moved ``YOLOSegment/inset`` into the mask, and the pixel each lands in.
private struct PlacedLoop {
    var x: [Int], y: [Int]
    var pixelX: [Int], pixelY: [Int]
    var count: Int { x.count }

    init(_ polygon: PixelPolygon) {
        let c = polygon.coordinates, n = polygon.vertexCount
        let units = YOLOSegment.unitsPerPixel, inset = YOLOSegment.inset
        (x, y, pixelX, pixelY) = ([], [], [], [])
        x.reserveCapacity(n)
        y.reserveCapacity(n)
        pixelX.reserveCapacity(n)
        pixelY.reserveCapacity(n)
        for k in 0..<n {
            let (previous, next) = (k == 0 ? n - 1 : k - 1, k == n - 1 ? 0 : k + 1)
            let (px, py) = (c[2 * previous], c[2 * previous + 1])
            let (vx, vy) = (c[2 * k], c[2 * k + 1])
            let (nx, ny) = (c[2 * next], c[2 * next + 1])
            // Edge directions in and out; the mask lies on each edge's right, (-dy, dx) on
            // screen (y down). Consecutive edges are perpendicular, so both components are ±1.
            let (inX, inY) = ((vx - px).signum(), (vy - py).signum())
            let (outX, outY) = ((nx - vx).signum(), (ny - vy).signum())
            let (sx, sy) = (-inY - outY, inX + outX)
            x.append(vx * units + sx * inset)
            y.append(vy * units + sy * inset)
            pixelX.append(sx < 0 ? vx - 1 : vx)
            pixelY.append(sy < 0 ? vy - 1 : vy)
        }
    }
}

/// A vertex of a loop.
private struct Anchor { var loop: Int, index: Int }

/// A node of a spanning tree: the vertices of some loops, with their pixels' box.
private struct SpanningNode {
    var anchors: [Anchor] = []
    var pixels: [(x: Int, y: Int)] = []
    var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min

    init(loops indices: [Int], of loops: [PlacedLoop]) {
        for loop in indices {
            for k in 0..<loops[loop].count {
                let (x, y) = (loops[loop].pixelX[k], loops[loop].pixelY[k])
                anchors.append(Anchor(loop: loop, index: k))
                pixels.append((x, y))
                (minX, minY, maxX, maxY) = (min(minX, x), min(minY, y), max(maxX, x), max(maxY, y))
            }
        }
    }

    /// Chebyshev distance between the two nodes' boxes: no pair of vertices is closer.
    func boxDistance(to other: SpanningNode) -> Int {
        max(0, other.minX - maxX, minX - other.maxX, other.minY - maxY, minY - other.maxY)
    }
}

/// An edge of a spanning tree: `child` joins the tree at vertex `from` of the parent's
/// loops, from its own vertex `to`; `distance` is the Chebyshev distance of their pixels.
private struct SpanningEdge { var parent: Int, child: Int, from: Anchor, to: Anchor, distance: Int }

/// Prim's minimum spanning tree over `nodes` under the Chebyshev distance of their closest
/// vertex pixels, grown from `root`. Ties go to the lower node, then the earlier vertices.
/// - Returns: The edges in the order the nodes joined (a parent always before its children).
private func spanningTree(_ nodes: [SpanningNode], root: Int) -> [SpanningEdge] {
    var best = [SpanningEdge?](repeating: nil, count: nodes.count)
    var isInTree = [Bool](repeating: false, count: nodes.count)
    var edges: [SpanningEdge] = []
    var added = root
    isInTree[root] = true
    for _ in 1..<max(nodes.count, 1) {
        let new = nodes[added]
        for j in nodes.indices where !isInTree[j] {
            let limit = best[j]?.distance ?? Int.max
            guard new.boxDistance(to: nodes[j]) < limit else { continue }
            var candidate = best[j]
            for (a, p) in new.pixels.enumerated() {
                for (b, q) in nodes[j].pixels.enumerated() {
                    let d = max(abs(p.x - q.x), abs(p.y - q.y))
                    if d < (candidate?.distance ?? Int.max) {
                        candidate = SpanningEdge(parent: added, child: j, from: new.anchors[a], to: nodes[j].anchors[b], distance: d)
                    }
                }
            }
            best[j] = candidate
        }
        let next = nodes.indices.filter { !isInTree[$0] }.min { best[$0]!.distance < best[$1]!.distance }!
        isInTree[next] = true
        edges.append(best[next]!)
        added = next
    }
    return edges
}
