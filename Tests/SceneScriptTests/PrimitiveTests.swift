import Testing
import SceneModel
@testable import SceneScript

/// The primitives and transforms beyond the first cut, from script to ``SceneModel/Shape``.
struct PrimitiveTests {
    @Test func newPrimitivesMakeTheirGeometry() throws {
        let result = try shapes("""
            classes a
            object a {
              rounded_rectangle(20, 10, 3)
              star(5, 12, 5, fill: #ff0000)
              path([move_to((0, 0)), line_to((10, 0)), curve_to((10, 5), (5, 10), (0, 10)), close()], fill_rule: "evenodd")
              polyline([(0, 0), (4, 0), (4, 4)], stroke_width: 2)
              line((1, 2), (3, 4))
              arc(10, -90, 90, stroke_width: 3, fill: #00ff00)
            }
            """)
        #expect(result.map(\.geometry) == [
            .roundedRectangle(width: 20, height: 10, radius: 3),
            .star(points: 5, outerRadius: 12, innerRadius: 5),
            .path([.move(Point(0, 0)), .line(Point(10, 0)), .curve(control1: Point(10, 5), control2: Point(5, 10), end: Point(0, 10)), .close]),
            .strokedPath([.move(Point(0, 0)), .line(Point(4, 0)), .line(Point(4, 4))], width: 2),
            .strokedPath([.move(Point(1, 2)), .line(Point(3, 4))], width: 1),
            .arc(radius: 10, start: -90, end: 90, width: 3),
        ])
        #expect(result[2].fillRule == .evenOdd)
        #expect(try shapes("classes a\nobject a { path([move_to((0, 0)), curve_to((5, -5), (10, 5), (15, 0))], stroke_width: 2) }")[0].geometry
            == .strokedPath([.move(Point(0, 0)), .curve(control1: Point(5, -5), control2: Point(10, 5), end: Point(15, 0))], width: 2))
        #expect(result[5].paint == .solid(Color(red: 0, green: 1, blue: 0)))
    }

    @Test func skewAndAnchor() throws {
        let result = try shapes("classes a\nobject a at (10, 20) rotate 90 scale 2 skew (30, 0) anchor (5, 0) { circle(1) }")
        let expected = AffineTransform.translation(10, 20).concatenating(.translation(5, 0))
            .concatenating(.rotation(degrees: 90)).concatenating(.skew(degreesX: 30, degreesY: 0))
            .concatenating(.scale(2, 2)).concatenating(.translation(-5, 0))
        #expect(isClose(result[0].transform, expected))
        // The anchor stays put under rotate and scale: it lands at `at` + anchor.
        let p = result[0].transform.apply(Point(5, 0))
        #expect(abs(p.x - 15) < 1e-12 && abs(p.y - 20) < 1e-12)
    }

    @Test func aSkewAngleSlantsVerticalLinesRightGoingDown() {
        let p = AffineTransform.skew(degreesX: 45, degreesY: 0).apply(Point(0, 10))
        #expect(abs(p.x - 10) < 1e-12 && abs(p.y - 10) < 1e-12)
    }

    @Test func groupPartsShareTheGroupTransformInsideTheObjects() throws {
        let result = try shapes("""
            classes a
            object a at (100, 0) {
              group at (10, 0) rotate 90 { circle(1); rectangle(2, 2) at (5, 0) }
              circle(3)
            }
            """)
        let group = AffineTransform.translation(100, 0).concatenating(.translation(10, 0)).concatenating(.rotation(degrees: 90))
        #expect(isClose(result[0].transform, group))
        #expect(isClose(result[1].transform, group.concatenating(.translation(5, 0))))
        #expect(isClose(result[2].transform, .translation(100, 0)), "the group's transform ends with its block")
    }

    @Test func groupsWorkInTemplatesAndOneObjectIsOneInstance() throws {
        let program = try compile("""
            classes car
            template wheels(gap) { group at (0, 10) { circle(3) at (-gap, 0); circle(3) at (gap, 0) } }
            object car at (50, 50) { rectangle(40, 15); wheels(12) }
            """)
        let scene = try program.sample(seed: 0, index: 0)
        #expect(scene.instances.count == 1 && scene.instances[0].shapes.count == 3)
        #expect(isClose(scene.instances[0].shapes[2].transform, .translation(62, 60)))
    }
}
