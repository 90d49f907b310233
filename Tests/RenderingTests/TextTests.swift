import CCairo
import Rendering
import SceneModel
import Testing

/// Text masks are the glyph pixels by the pixel-centre rule: checked against an independent
/// non-antialiased Cairo fill of the same glyph outlines, the ink box, and the hole of an 'O'.
@Suite struct TextTests {
    let size = (width: 96, height: 48)

    private func textScene(_ string: String, font: Font, at x: Double, _ y: Double, rotate: Double = 0) -> Scene {
        let shape = Shape(geometry: .text(string, font: font),
                          transform: AffineTransform.translation(x, y).concatenating(.rotation(degrees: rotate)),
                          paint: .solid(rgbColor(0, 0, 1)))
        return scene(width: size.width, height: size.height, [shape])
    }

    /// The truth, computed here with Cairo directly: the glyph outlines with their ink box
    /// centred on (x, y), filled with `CAIRO_ANTIALIAS_NONE` (pixel centres). Also returns the
    /// ink box in canvas pixels.
    private func reference(_ string: String, font: Font, at x: Double, _ y: Double)
        -> (pixels: Set<[Int]>, box: (x0: Double, y0: Double, x1: Double, y1: Double)) {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(size.width), Int32(size.height))!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
        cairo_select_font_face(cr, font.family, CAIRO_FONT_SLANT_NORMAL,
                               font.weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, font.size)
        let options = cairo_font_options_create()!
        defer { cairo_font_options_destroy(options) }
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(cr, options)
        var ink = cairo_text_extents_t()
        cairo_text_extents(cr, string, &ink)
        let (ox, oy) = (x - (ink.x_bearing + ink.width / 2), y - (ink.y_bearing + ink.height / 2))
        cairo_move_to(cr, ox, oy)
        cairo_text_path(cr, string)
        cairo_fill(cr)
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        let stride = Int(cairo_image_surface_get_stride(surface))
        var out = Set<[Int]>()
        for j in 0..<size.height { for i in 0..<size.width where data[j * stride + i] != 0 { out.insert([i, j]) } }
        return (out, (ox + ink.x_bearing, oy + ink.y_bearing, ox + ink.x_bearing + ink.width, oy + ink.y_bearing + ink.height))
    }

    @Test(arguments: [("STOP", Font.Weight.bold, 24.0, 48.0, 24.0), ("Tessera 42", .normal, 17.0, 47.25, 23.5)])
    func maskIsTheGlyphFillInsideTheInkBox(string: String, weight: Font.Weight, em: Double, x: Double, y: Double) throws {
        let font = Font(size: em, weight: weight)
        let scene = textScene(string, font: font, at: x, y)
        let rendered = try SceneRenderer.render(scene)
        let mask = pixels(rendered, id: 1)
        let truth = reference(string, font: font, at: x, y)
        #expect(mask.count > 50)
        #expect(mask == truth.pixels)
        // Centred: the ink box is centred on (x, y).
        #expect(abs((truth.box.x0 + truth.box.x1) / 2 - x) < 1e-9 && abs((truth.box.y0 + truth.box.y1) / 2 - y) < 1e-9)
        for p in mask {
            let (cx, cy) = (Double(p[0]) + 0.5, Double(p[1]) + 0.5)
            #expect(cx > truth.box.x0 && cx < truth.box.x1 && cy > truth.box.y0 && cy < truth.box.y1, "pixel \(p) outside the ink box")
        }
        // The amodal mask (text bounds measured by Cairo) agrees on the canvas.
        #expect(pixels(try SceneRenderer.amodalMasks(scene)[0]) == mask)
    }

    @Test func letterOHasAHole() throws {
        let rendered = try SceneRenderer.render(textScene("O", font: Font(size: 40), at: 48, 24))
        let mask = pixels(rendered, id: 1)
        let row = mask.filter { $0[1] == 23 }.map { $0[0] }.sorted()
        // The middle row crosses the ring twice: mask, gap (the counter), mask.
        #expect(!mask.contains([47, 23]) && !mask.contains([48, 23]))
        #expect(row.contains { $0 < 40 } && row.contains { $0 > 56 })
    }

    /// Regression: the amodal bounds of a text were measured on a 1 × 1 image surface, where
    /// Cairo drops the glyphs it deems outside the target, so the amodal mask of a line of
    /// text away from the origin lost its last letters ("hello wor") and validate failed.
    @Test(arguments: [("hello world", 100.0, 100.0), ("a longer line of words set on a page", 150.0, 180.0)])
    func amodalMaskHoldsEveryGlyphOfALineAwayFromTheOrigin(string: String, x: Double, y: Double) throws {
        let shape = Shape(geometry: .text(string, font: Font(size: 12)), transform: .translation(x, y),
                          paint: .solid(rgbColor(0, 0, 1)))
        let scene = scene(width: 300, height: 240, [shape])
        let visible = pixels(try SceneRenderer.render(scene), id: 1)
        #expect(visible.count > 100)
        #expect(pixels(try SceneRenderer.amodalMasks(scene)[0]) == visible)
    }

    @Test func amodalMaskHoldsTextThatLeavesTheCanvas() throws {
        let scene = textScene("WIDE TEXT", font: Font(size: 30), at: 90, 24, rotate: 90)
        let amodal = try SceneRenderer.amodalMasks(scene)[0]
        #expect(amodal.outsideArea > 0)
        #expect(pixels(amodal) == pixels(try SceneRenderer.render(scene), id: 1))
    }
    /// Issue 18, finding 1: FreeType holds pixels per em in 16 bits, so text above 65 535 px
    /// to the em on the canvas ended in "cairo: error occurred in libfreetype" (exit 70).
    /// Such text is laid out at 60 000 px to the em and scaled: the stem of an "I" of 150 000
    /// px must end where five times its extent at 30 000 px (measured here with Cairo) says.
    @Test(arguments: [150_000.0, 65_536.0])
    func textAboveFreeTypesLargestSizeIsDrawnToScale(size: Double) throws {
        let surface = cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, nil)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, 30_000)
        let options = cairo_font_options_create()!
        defer { cairo_font_options_destroy(options) }
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(cr, options)
        var ink = cairo_text_extents_t()
        cairo_text_extents(cr, "I", &ink)
        #expect(cairo_status(cr) == CAIRO_STATUS_SUCCESS && ink.width > 1000)
        // The stem's right edge at x = 48.3, its centre on the canvas's middle row.
        let halfWidth = ink.width * size / 30_000 / 2
        let scene = textScene("I", font: Font(size: size), at: 48.3 - halfWidth, 24)
        let rendered = try SceneRenderer.render(scene)
        #expect(pixels(rendered, id: 1) == block(0...47, 0...47))
        let amodal = try SceneRenderer.amodalMasks(scene)[0]
        #expect(pixels(amodal) == block(0...47, 0...47) && amodal.outsideArea > 0)
    }
}
