import CCairo
import Rendering
import SceneModel
import Testing

/// What an amodal mask keeps and counts: the part inside the canvas as pixels, the rest of the
/// extended grid (``AmodalMask/margin`` past each edge) as a count.
@Suite struct AmodalMaskTests {
    /// Issue 18, finding 2: on a 64 × 64 canvas, `repeat 30 { object a { circle(5000) } }`
    /// took 2.1 GB, because each instance kept its whole window of the extended grid
    /// (8256² pixels). What is kept must be bounded by the canvas; what lies beyond it is
    /// counted alike (the window's every pixel, for `in_frame_fraction`).
    @Test func enormousShapesKeepOnlyTheirCanvasPart() throws {
        let disc = Shape(geometry: .circle(radius: 5000), transform: .translation(32, 32), paint: .solid(.black))
        let s = scene(width: 64, height: 64, Array(repeating: disc, count: 30))
        let masks = try SceneRenderer.amodalMasks(s)
        let outside = Self.coverageOfTheWholeWindow(disc, canvas: 64) - 64 * 64
        #expect(outside > 60_000_000)
        for mask in masks {
            #expect(mask.width == 64 && mask.height == 64 && mask.pixels.count == 64 * 64)
            #expect(mask.pixels.allSatisfy { $0 })
            #expect(mask.outsideArea == outside)
        }
    }

    /// The reference, as masks were drawn before: `shape` filled once with Cairo
    /// (`CAIRO_ANTIALIAS_NONE`) over the whole extended grid of a square canvas, counted.
    private static func coverageOfTheWholeWindow(_ shape: Shape, canvas: Int) -> Int {
        let (origin, side) = (-AmodalMask.margin, canvas + 2 * AmodalMask.margin)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(side), Int32(side))!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
        let t = shape.transform
        var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d, x0: t.tx - Double(origin), y0: t.ty - Double(origin))
        cairo_set_matrix(cr, &matrix)
        guard case let .circle(radius) = shape.geometry else { fatalError("a disc") }
        cairo_new_sub_path(cr)
        cairo_arc(cr, 0, 0, radius, 0, 2 * .pi)
        cairo_close_path(cr)
        cairo_fill(cr)
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        let stride = Int(cairo_image_surface_get_stride(surface))
        var count = 0
        for y in 0..<side { for x in 0..<side where data[y * stride + x] != 0 { count += 1 } }
        return count
    }

    /// A disc that straddles a corner: the canvas part is its pixels there, the count outside
    /// is the rest of its pixel-centre coverage, the whole agreeing with the disc's own
    /// count of centres inside radius 20 (no centre lies on the circle).
    @Test func aShapeOverACornerIsSplitExactly() throws {
        let disc = Shape(geometry: .circle(radius: 20), transform: .translation(0, 0), paint: .solid(.black))
        let s = scene(width: 64, height: 64, [disc])
        let mask = try SceneRenderer.amodalMasks(s)[0]
        var inside = Set<[Int]>(), outside = 0
        for y in -21...21 { for x in -21...21 {
            let (cx, cy) = (Double(x) + 0.5, Double(y) + 0.5)
            guard cx * cx + cy * cy < 400 else { continue }
            if x >= 0 && y >= 0 { inside.insert([x, y]) } else { outside += 1 }
        } }
        #expect(pixels(mask) == inside)
        #expect(mask.outsideArea == outside)
        #expect(mask.originX == 0 && mask.originY == 0 && mask.width <= 21 && mask.height <= 21)
    }
}
