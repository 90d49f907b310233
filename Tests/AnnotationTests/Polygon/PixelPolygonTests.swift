import Testing

@testable import Annotation

/// A raster drawn as text, one row per line: `#` = id 1, `o` = id 2, anything else = 0.
private func raster(_ rows: [String]) -> (pixels: [UInt16], width: Int, height: Int) {
    let width = rows[0].count
    precondition(rows.allSatisfy { $0.count == width })
    let pixels = rows.flatMap { $0.map { $0 == "#" ? UInt16(1) : $0 == "o" ? 2 : 0 } }
    return (pixels, width, rows.count)
}

/// The outlines of the pixels equal to `value`, traced over their tight box.
private func outlines(of value: UInt16 = 1, _ rows: [String]) -> [[Int]]? {
    let (pixels, width, height) = raster(rows)
    let box = measureInstances(pixels: pixels, width: width, height: height, maxID: 2)
        .first { $0.instanceID == value }!.bbox
    return pixels.withUnsafeBufferPointer {
        PixelPolygon.outlines(of: value, in: $0, width: width, height: height, within: box)?.map(\.coordinates)
    }
}

/// Whether pixel centre (x + ½, y + ½) lies inside `polygon` (crossings of a ray to the right).
private func contains(_ polygon: PixelPolygon, _ x: Int, _ y: Int) -> Bool {
    let c = polygon.coordinates, n = polygon.vertexCount
    var inside = false
    for k in 0..<n {
        let (x0, y0, x1, y1) = (c[2 * k], c[2 * k + 1], c[2 * ((k + 1) % n)], c[2 * ((k + 1) % n) + 1])
        // Only vertical edges cross a horizontal ray through a pixel centre.
        if x0 == x1 && x0 > x && min(y0, y1) <= y && y < max(y0, y1) { inside.toggle() }
    }
    return inside
}

/// Whether `mask` (row-major, `width` columns) has a pixel outside it that no edge-adjacent
/// path of outside pixels connects to the border. Computed by relaxation, independently of
/// the tracer.
private func hasHole(_ mask: [Bool], width: Int, height: Int) -> Bool {
    var open = (0..<mask.count).map { i in
        !mask[i] && (i % width == 0 || i % width == width - 1 || i / width == 0 || i / width == height - 1)
    }
    var changed = true
    while changed {
        changed = false
        for i in 0..<mask.count where !mask[i] && !open[i] {
            let (x, y) = (i % width, i / width)
            if (x > 0 && open[i - 1]) || (x + 1 < width && open[i + 1])
                || (y > 0 && open[i - width]) || (y + 1 < height && open[i + width]) {
                open[i] = true
                changed = true
            }
        }
    }
    return zip(mask, open).contains { !$0 && !$1 }
}

@Suite("Polygon outlines of a mask")
struct PixelPolygonTests {
    @Test func fiveByFiveSquareIsItsPixelEdgeOutline() {
        var pixels = [UInt16](repeating: 0, count: 32 * 32)
        for y in 10...14 { for x in 10...14 { pixels[y * 32 + x] = 7 } }
        let box = PixelBox(minX: 10, minY: 10, maxX: 14, maxY: 14)
        let polygons = pixels.withUnsafeBufferPointer {
            PixelPolygon.outlines(of: 7, in: $0, width: 32, height: 32, within: box)
        }
        #expect(polygons?.map(\.coordinates) == [[10, 10, 15, 10, 15, 15, 10, 15]])
        #expect(polygons?.first?.area == 25)
    }

    @Test func barCutByAnOccluderGivesTwoPolygons() {
        // Columns 0…29 of a 30 × 4 bar; columns 14 and 15 hidden by instance 2.
        let row = String(repeating: "#", count: 14) + "oo" + String(repeating: "#", count: 14)
        #expect(outlines([row, row, row, row]) == [
            [0, 0, 14, 0, 14, 4, 0, 4],
            [16, 0, 30, 0, 30, 4, 16, 4],
        ])
    }

    @Test func ringHasAHoleAndNoPolygons() {
        #expect(outlines([
            "#####",
            "#...#",
            "#...#",
            "#####",
        ]) == nil)
        // A hole filled by another instance is still a hole in this instance's mask.
        #expect(outlines(["###", "#o#", "###"]) == nil)
        #expect(outlines(of: 2, ["###", "#o#", "###"]) == [[1, 1, 2, 1, 2, 2, 1, 2]])
    }

    @Test func lShapeHasOnlyItsCorners() {
        #expect(outlines([
            "#..",
            "#..",
            "###",
        ]) == [[0, 0, 1, 0, 1, 2, 3, 2, 3, 3, 0, 3]])
    }

    @Test func singlePixel() {
        #expect(outlines(["....", "...#", "...."]) == [[3, 1, 4, 1, 4, 2, 3, 2]])
    }

    @Test func pixelsTouchingAtACornerAreSeparateParts() {
        #expect(outlines(["#.", ".#"]) == [[0, 0, 1, 0, 1, 1, 0, 1], [1, 1, 2, 1, 2, 2, 1, 2]])
        #expect(outlines([".#", "#."]) == [[1, 0, 2, 0, 2, 1, 1, 1], [0, 1, 1, 1, 1, 2, 0, 2]])
    }

    @Test func partTouchingItselfAtACornerStaysRLE() {
        // The empty pixel at (2, 1) meets the outside only at a corner: as a polygon this
        // part would touch itself there, so it counts as a hole.
        #expect(outlines([
            "####",
            ".#.#",
            "..##",
        ]) == nil)
    }

    @Test func maskTouchingEveryCanvasEdge() {
        #expect(outlines(["###", "###"]) == [[0, 0, 3, 0, 3, 2, 0, 2]])
        #expect(outlines([
            "#....",
            "#....",
            "#####",
        ]) == [[0, 0, 1, 0, 1, 2, 5, 2, 5, 3, 0, 3]])
        #expect(outlines([
            "#...#",
            ".....",
            "#...#",
        ]) == [[0, 0, 1, 0, 1, 1, 0, 1], [4, 0, 5, 0, 5, 1, 4, 1],
               [0, 2, 1, 2, 1, 3, 0, 3], [4, 2, 5, 2, 5, 3, 4, 3]])
    }

    @Test func predicateAndRasterAgreeAndTheBoxClips() {
        let box = PixelBox(minX: 2, minY: 1, maxX: 4, maxY: 2)
        let polygons = PixelPolygon.outlines(within: box) { x, y in x >= 3 }
        #expect(polygons?.map(\.coordinates) == [[3, 1, 5, 1, 5, 3, 3, 3]])
    }

    /// Pseudo-random masks: each either has a hole and no outlines, or outlines that are
    /// simple, disjoint, corner-only and fill exactly the mask.
    @Test func outlinesFillExactlyTheMask() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var traced = 0, holed = 0
        for density in [0.25, 0.45, 0.6] {
            for _ in 0..<300 {
                let (width, height) = (7, 6)
                let mask = (0..<width * height).map { _ -> Bool in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return Double(state >> 11) / Double(1 << 53) < density
                }
                guard mask.contains(true) else { continue }
                let box = PixelBox(minX: 0, minY: 0, maxX: width - 1, maxY: height - 1)
                let polygons = PixelPolygon.outlines(within: box) { x, y in mask[y * width + x] }
                #expect((polygons == nil) == hasHole(mask, width: width, height: height))
                guard let polygons else { holed += 1; continue }
                traced += 1
                for y in 0..<height {
                    for x in 0..<width {
                        let covering = polygons.count { contains($0, x, y) }
                        #expect(covering == (mask[y * width + x] ? 1 : 0), "pixel (\(x), \(y))")
                    }
                }
                for polygon in polygons {
                    let c = polygon.coordinates, n = polygon.vertexCount
                    let vertices = (0..<n).map { [c[2 * $0], c[2 * $0 + 1]] }
                    #expect(Set(vertices).count == n, "a simple polygon visits each vertex once")
                    for k in 0..<n {
                        let (a, b, d) = (vertices[k], vertices[(k + 1) % n], vertices[(k + 2) % n])
                        #expect((a[0] == b[0]) != (a[1] == b[1]), "edges are axis-aligned")
                        #expect((a[0] == b[0]) != (b[0] == d[0]), "consecutive edges turn")
                    }
                }
            }
        }
        #expect(traced > 100 && holed > 100, "both outcomes are exercised (\(traced) traced, \(holed) with holes)")
    }
    /// Issue 18, finding 4: tracing copied the whole grid at every flood-fill step
    /// (copy-on-write through a method called on a copy of the grid), so a 1000 × 1000
    /// rectangle took 82 s in a release build and two 2 × 2 squares at opposite corners of a
    /// 1024² box 101 s. Linear tracing takes about a second for both in a debug build; the
    /// ceiling is 60 times that, so only the quadratic behaviour can cross it.
    @Test func tracingALargeBoxIsLinear() throws {
        let side = 1024
        var rectangle = [UInt16](repeating: 0, count: side * side)
        for y in 12..<1012 { for x in 12..<1012 { rectangle[y * side + x] = 1 } }
        var corners = [UInt16](repeating: 0, count: side * side)
        for (x, y) in [(0, 0), (1, 0), (0, 1), (1, 1), (1022, 1022), (1023, 1022), (1022, 1023), (1023, 1023)] {
            corners[y * side + x] = 1
        }
        let clock = ContinuousClock()
        let start = clock.now
        let traced = rectangle.withUnsafeBufferPointer {
            PixelPolygon.outlines(of: 1, in: $0, width: side, height: side,
                                  within: PixelBox(minX: 12, minY: 12, maxX: 1011, maxY: 1011))
        }
        #expect(traced?.map(\.coordinates) == [[12, 12, 1012, 12, 1012, 1012, 12, 1012]])
        let apart = corners.withUnsafeBufferPointer {
            PixelPolygon.outlines(of: 1, in: $0, width: side, height: side,
                                  within: PixelBox(minX: 0, minY: 0, maxX: side - 1, maxY: side - 1))
        }
        #expect(apart?.map(\.coordinates) == [[0, 0, 2, 0, 2, 2, 0, 2], [1022, 1022, 1024, 1022, 1024, 1024, 1022, 1024]])
        let parts = corners.withUnsafeBufferPointer {
            PixelPolygon.boundaries(of: 1, in: $0, width: side, height: side,
                                    within: PixelBox(minX: 0, minY: 0, maxX: side - 1, maxY: side - 1))
        }
        #expect(parts.map(\.pixelCount) == [4, 4])
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(60), "tracing two 1024² boxes took \(elapsed)")
    }
}
