import Foundation
import Rendering
import SceneModel
import Testing

/// The masks of the rounded, star, path and stroked primitives, by the pixel-centre rule: a
/// pixel belongs to the mask when the shape (for strokes, the stroke's area) covers its centre.
@Suite struct PrimitiveMaskTests {
    private func mask(_ geometry: Geometry, at x: Double = 0, _ y: Double = 0, size: Int = 32) throws -> Set<[Int]> {
        let shape = Shape(geometry: geometry, transform: .translation(x, y), paint: .solid(Color(red: 0, green: 0, blue: 1)))
        let scene = Scene(width: size, height: size, categories: [Category(id: 1, name: "thing", supercategory: "object")],
                          background: .solid(.white), instances: [Instance(id: 1, categoryID: 1, shapes: [shape])])
        let r = try SceneRenderer.render(scene)
        var out = Set<[Int]>()
        for y in 0..<r.height { for x in 0..<r.width where r.instanceIDs[y * r.width + x] == 1 { out.insert([x, y]) } }
        // The amodal mask is the same fill on another surface: it must agree.
        let amodal = try SceneRenderer.amodalMasks(scene)[0]
        var amodalOut = Set<[Int]>()
        for j in 0..<amodal.height { for i in 0..<amodal.width where amodal.pixels[j * amodal.width + i] {
            let (px, py) = (i + amodal.originX, j + amodal.originY)
            if px >= 0, py >= 0, px < size, py < size { amodalOut.insert([px, py]) }
        } }
        #expect(amodalOut == out)
        return out
    }

    /// Pixels whose centre satisfies `isInside`, except that centres within `margin` of the
    /// boundary (where `distance` is small) may go either way: curves are drawn as Béziers.
    private func expectMask(_ actual: Set<[Int]>, size: Int = 32, margin: Double = 0.05,
                            isInside: (Double, Double) -> Bool, distance: (Double, Double) -> Double) {
        for y in 0..<size {
            for x in 0..<size {
                let (cx, cy) = (Double(x) + 0.5, Double(y) + 0.5)
                if distance(cx, cy) < margin { continue }
                #expect(actual.contains([x, y]) == isInside(cx, cy), "pixel (\(x), \(y))")
            }
        }
    }

    @Test func horizontalLineOfWidth2CoversTwoRowsBetweenItsEnds() throws {
        // The stroke covers [1, 6] × [2, 4]: centres x = 1.5…5.5, y = 2.5, 3.5. Butt caps add nothing.
        let m = try mask(.strokedPath([.move(Point(1, 3)), .line(Point(6, 3))], width: 2), size: 8)
        #expect(m == Set((1...5).flatMap { x in [[x, 2], [x, 3]] }))
    }

    @Test func verticalLineOfWidth1CoversOneColumn() throws {
        let m = try mask(.strokedPath([.move(Point(2.5, 0)), .line(Point(2.5, 4))], width: 1), size: 8)
        #expect(m == Set((0...3).map { [2, $0] }))
    }

    @Test func polylineJoinsAreRound() throws {
        // An L: right along y = 3, then down along x = 6, width 2. The outer corner of the join
        // is a quarter disc about (6, 3): centre (6.5, 2.5) is inside it, (6.5, 2.5)'s neighbour
        // (7.5, 1.5) is not (distance 2.1 > 1).
        let m = try mask(.strokedPath([.move(Point(1, 3)), .line(Point(6, 3)), .line(Point(6, 7))], width: 2), size: 10)
        #expect(m.contains([6, 2]) && !m.contains([7, 1]))
        #expect(m.contains([5, 6]) && m.contains([6, 6]) && !m.contains([7, 6]))
    }

    @Test func roundedRectangleCutsItsCorners() throws {
        let (w, h, r) = (20.0, 12.0, 4.0)
        let m = try mask(.roundedRectangle(width: w, height: h, radius: r), at: 16, 16)
        func inside(_ x: Double, _ y: Double) -> Bool {
            let (dx, dy) = (abs(x - 16), abs(y - 16))
            guard dx <= w / 2, dy <= h / 2 else { return false }
            let (ex, ey) = (dx - (w / 2 - r), dy - (h / 2 - r))
            return ex <= 0 || ey <= 0 || ex * ex + ey * ey <= r * r
        }
        func distance(_ x: Double, _ y: Double) -> Double {
            let (dx, dy) = (abs(x - 16), abs(y - 16))
            let (ex, ey) = (dx - (w / 2 - r), dy - (h / 2 - r))
            if ex > 0 && ey > 0 { return abs((ex * ex + ey * ey).squareRoot() - r) }
            return min(abs(dx - w / 2), abs(dy - h / 2))
        }
        expectMask(m, isInside: inside, distance: distance)
        #expect(!m.contains([6, 10]) && m.contains([7, 11]), "the corner pixel is cut, its diagonal neighbour is not")
    }

    @Test func starEqualsThePolygonThroughItsVertices() throws {
        let vertices = (0..<10).map { k -> Point in
            let angle = -Double.pi / 2 + Double.pi * Double(k) / 5
            let r = k % 2 == 0 ? 12.0 : 5.0
            return Point(r * cos(angle), r * sin(angle))
        }
        #expect(try mask(.star(points: 5, outerRadius: 12, innerRadius: 5), at: 16, 16) == (try mask(.polygon(vertices), at: 16, 16)))
        #expect(try mask(.star(points: 5, outerRadius: 12, innerRadius: 5), at: 16, 16).contains([16, 5]), "the first tip points up")
    }

    @Test func strokedCurveCoversItsCentrelineOnly() throws {
        // A flat S-curve from (4, 16) to (28, 16), stroked 2 wide. By symmetry it passes through
        // (16, 16) with slope 1/2 (y down), so the centres (15.5, 15.5) and (16.5, 16.5), a
        // quarter pixel off it, are covered; its control points' side and points past its butt
        // ends are not.
        let curve: [PathElement] = [.move(Point(4, 16)), .curve(control1: Point(12, 8), control2: Point(20, 24), end: Point(28, 16))]
        let m = try mask(.strokedPath(curve, width: 2))
        #expect(m.contains([15, 15]) && m.contains([16, 16]))
        #expect(!m.contains([16, 8]) && !m.contains([16, 24]) && !m.contains([2, 16]) && !m.contains([29, 16]))
        #expect(m.count > 2 * 24 && m.count < 2 * 30, "about width × length pixels")
    }

    @Test func pathOfLinesEqualsTheRectangle() throws {
        let path: [PathElement] = [.move(Point(-5, -3)), .line(Point(5, -3)), .line(Point(5, 3)), .line(Point(-5, 3)), .close]
        #expect(try mask(.path(path), at: 16, 16) == (try mask(.rectangle(width: 10, height: 6), at: 16, 16)))
    }

    @Test func bezierCurveBulgesTowardsItsControlPoints() throws {
        // A chord from (4, 16) to (28, 16) and a curve back bulging up to y = 16 − 0.75·12 = 7.
        let path: [PathElement] = [.move(Point(4, 16)), .line(Point(28, 16)), .curve(control1: Point(28, 4), control2: Point(4, 4), end: Point(4, 16)), .close]
        let m = try mask(.path(path))
        #expect(m.contains([16, 8]) && !m.contains([16, 6]), "the apex is at y = 7")
        #expect(m.contains([16, 15]) && !m.contains([16, 16]), "the chord is at y = 16")
        #expect(!m.contains([5, 8]), "outside the bulge near the start")
    }

    @Test func arcStrokesAQuarterRing() throws {
        // Radius 10, width 2, from 0° (pointing +x) clockwise to 90° (pointing down, +y).
        let m = try mask(.arc(radius: 10, start: 0, end: 90, width: 2), at: 16, 16)
        func polar(_ x: Double, _ y: Double) -> (r: Double, angle: Double) {
            let (dx, dy) = (x - 16, y - 16)
            return ((dx * dx + dy * dy).squareRoot(), atan2(dy, dx) * 180 / .pi)
        }
        expectMask(m, isInside: { x, y in
            let p = polar(x, y)
            return p.r >= 9 && p.r <= 11 && p.angle >= 0 && p.angle <= 90
        }, distance: { x, y in
            let p = polar(x, y)
            // Distance to the ring's circles, or to the butt ends along the axes.
            let toEnds = min(abs(y - 16), abs(x - 16))
            return min(abs(p.r - 9), abs(p.r - 11), p.r >= 8.9 && p.r <= 11.1 ? toEnds : .infinity)
        })
        #expect(m.contains([25, 16]) && m.contains([16, 25]) && !m.contains([6, 16]) && !m.contains([16, 6]))
    }
}
