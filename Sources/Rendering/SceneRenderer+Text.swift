internal import CCairo
import SceneModel

extension SceneRenderer {
    /// Appends the glyph outlines of `string` in `font` to the current path, in the current
    /// user space (the shape's local frame), with the glyphs' ink box centred on the origin.
    ///
    /// Wraps Cairo's toy text API: `cairo_select_font_face` (fontconfig resolves the family),
    /// `cairo_set_font_size`, `cairo_text_extents` for the ink box and `cairo_text_path` for the
    /// outlines. Hinting is switched off (`CAIRO_HINT_STYLE_NONE`, `CAIRO_HINT_METRICS_OFF`)
    /// so the outline depends on the transform alone, not on the surface or a whole-pixel
    /// offset: the picture, the instance raster and amodal masks get the same path.
    static func appendTextPath(_ string: String, _ font: Font, _ cr: OpaquePointer) {
        guard !string.isEmpty, font.size > 0 else { return }
        let slant: cairo_font_slant_t
        switch font.slant {
        case .normal: slant = CAIRO_FONT_SLANT_NORMAL
        case .italic: slant = CAIRO_FONT_SLANT_ITALIC
        case .oblique: slant = CAIRO_FONT_SLANT_OBLIQUE
        }
        cairo_select_font_face(cr, font.family, slant, font.weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, font.size)
        let options = cairo_font_options_create()!
        defer { cairo_font_options_destroy(options) }
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(cr, options)
        var ink = cairo_text_extents_t()
        cairo_text_extents(cr, string, &ink)
        cairo_move_to(cr, -(ink.x_bearing + ink.width / 2), -(ink.y_bearing + ink.height / 2))
        cairo_text_path(cr, string)
    }
}
