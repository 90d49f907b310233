import CCairo
@testable import Rendering
import SceneModel
import Testing

/// Each text of an image is laid out once (``TextOutlines``) and appended from there to every
/// raster: the appended outline is Cairo's own layout under the same transform, point for
/// point, and moved by exactly the whole pixels of a surface's origin.
@Suite struct TextOutlinesTests {
    private static let transforms: [AffineTransform] = [
        .translation(40.25, 30.5),
        AffineTransform.translation(200.7, 90.3).concatenating(.rotation(degrees: -0.8)),
        AffineTransform.translation(117.123, 58.9).concatenating(.rotation(degrees: 37)).concatenating(.scale(1.3, 0.7)),
    ]

    /// The path data of `cr` (`cairo_copy_path` under the identity), as numbers.
    private func pathData(_ cr: OpaquePointer) -> [Double] {
        cairo_identity_matrix(cr)
        let path = cairo_copy_path(cr)!
        defer { cairo_path_destroy(path) }
        var out: [Double] = []
        var i = 0
        while i < Int(path.pointee.num_data) {
            let header = path.pointee.data[i].header
            out.append(Double(header.type.rawValue))
            for k in 1..<Int(header.length) { out += [path.pointee.data[i + k].point.x, path.pointee.data[i + k].point.y] }
            i += Int(header.length)
        }
        return out
    }

    /// A context on an image surface of the canvas, as the picture and the raster have.
    private func withCanvasContext(_ body: (OpaquePointer) -> Void) {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 320, 200)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        body(cr)
    }

    @Test(arguments: transforms)
    func appendedOutlineIsTheLayoutUnderTheSameTransform(transform: AffineTransform) throws {
        let font = Font(family: "DejaVu Serif", size: 10.7, weight: .normal, slant: .italic)
        let shape = Shape(geometry: .text("Layout, once: 1,234.5 (ÆØå)", font: font), transform: transform,
                          paint: .solid(rgbColor(0, 0, 0)))
        let outlines = TextOutlines()
        var direct: [Double] = [], cached: [Double] = [], shifted: [Double] = []
        withCanvasContext { cr in
            // Laid out here, under the shape's transform, as every raster did before the cache.
            var m = cairo_matrix_t(xx: transform.a, yx: transform.b, xy: transform.c, yy: transform.d,
                                   x0: transform.tx, y0: transform.ty)
            cairo_set_matrix(cr, &m)
            TextOutlines().layOut("Layout, once: 1,234.5 (ÆØå)", font, cr)
            direct = pathData(cr)
            cairo_new_path(cr)
            #expect(SceneRenderer.appendShapePath(shape, cr, outlines: outlines))
            cached = pathData(cr)
            cairo_new_path(cr)
            #expect(SceneRenderer.appendShapePath(shape, cr, origin: (-17, 23), outlines: outlines))
            shifted = pathData(cr)
        }
        #expect(direct.count > 500)
        #expect(cached == direct)
        // Whole-pixel origin: every point moved by exactly (17, −23); element types unchanged.
        var k = 0
        var moved: [Double] = []
        while k < cached.count {
            let type = cached[k]
            moved.append(type)
            let points = type == Double(CAIRO_PATH_CURVE_TO.rawValue) ? 3 : type == Double(CAIRO_PATH_CLOSE_PATH.rawValue) ? 0 : 1
            for p in 0..<points { moved += [cached[k + 1 + 2 * p] + 17, cached[k + 2 + 2 * p] - 23] }
            k += 1 + 2 * points
        }
        #expect(shifted == moved)
        #expect(outlines.layouts == 1)
    }

    /// The operation count behind "once per label raster": a scene of texts (two instances
    /// with the same text at different places, one instance of two texts, one rotated, one
    /// half off the canvas) drawn into the picture and the instance raster, every amodal mask,
    /// and the rows and bounds a requirement asks for — one layout per distinct text.
    @Test func everyRasterOfAnImageSharesOneLayoutPerText() throws {
        let font = Font(size: 11)
        func text(_ string: String, _ transform: AffineTransform) -> Shape {
            Shape(geometry: .text(string, font: font), transform: transform, paint: .solid(rgbColor(0.1, 0.1, 0.1)))
        }
        let shapes = [
            [text("a line of text", .translation(60, 20))],
            [text("a line of text", .translation(60, 40))],
            [text("first", .translation(30, 70)), text("second", .translation(90, 70))],
            [text("turned", AffineTransform.translation(150, 60).concatenating(.rotation(degrees: 30)))],
            [text("off the edge", .translation(195, 90))],
        ]
        let instances = shapes.enumerated().map { Instance(id: $0.offset + 1, categoryID: 1, shapes: $0.element) }
        let scene = Scene(width: 200, height: 100, categories: [Category(id: 1, name: "text", supercategory: "text")],
                          background: .solid(.white), instances: instances)
        let outlines = TextOutlines()
        let rendered = try SceneRenderer.render(scene, outlines: outlines)
        let masks = try SceneRenderer.amodalMasks(scene, outlines: outlines)
        for instance in scene.instances {
            let rows = try SceneRenderer.canvasRows(of: instance, width: scene.width, height: scene.height, outlines: outlines)
            _ = try SceneRenderer.instanceRaster(scene, rows: rows, outlines: outlines)
        }
        #expect(outlines.layouts == 6)
        // Nothing overlaps here: each amodal mask is the instance's pixels in the raster.
        for (k, mask) in masks.enumerated() {
            #expect(pixels(mask) == pixels(rendered, id: UInt16(k + 1)))
        }
        #expect(masks[4].outsideArea > 0)

        // Past its budget the kept outlines are dropped and laid out again: the same paths,
        // so the same pixels, with more layouts.
        let tight = TextOutlines(budget: 1)
        let again = try SceneRenderer.render(scene, outlines: tight)
        #expect(again.instanceIDs == rendered.instanceIDs)
        #expect(again.image.withPixelBytes { Array($0) } == rendered.image.withPixelBytes { Array($0) })
        #expect(try SceneRenderer.amodalMasks(scene, outlines: tight) == masks)
        #expect(tight.layouts > 6)
    }
}
