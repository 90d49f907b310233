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
    ///
    /// FreeType keeps a face's pixels per em in 16 bits (`FT_Size_Metrics.x_ppem`), and Cairo
    /// loads glyphs at their size on the device (font size × CTM), so it cannot lay out text
    /// above 65 535 pixels to the em (`FT_Set_Char_Size` fails and the context ends in
    /// `CAIRO_STATUS_FREETYPE_ERROR`). Above ``largestLoadedPixelsPerEm`` the outlines are
    /// laid out at that size on a scratch context and appended scaled up
    /// (`cairo_copy_path`, `cairo_append_path`): unhinted outlines are the font's curves
    /// scaled, so the shape is the same. An error on the scratch context reaches `cr` with
    /// the copied path.
    static func appendTextPath(_ string: String, _ font: Font, _ cr: OpaquePointer) {
        guard !string.isEmpty, font.size > 0 else { return }
        // Cairo's scale factors for FreeType (`_cairo_matrix_compute_basis_scale_factors` of
        // font matrix × CTM): the length of the x basis vector, and |det| divided by it.
        var ctm = cairo_matrix_t()
        cairo_get_matrix(cr, &ctm)
        let basis = (ctm.xx * ctm.xx + ctm.yx * ctm.yx).squareRoot()
        let normal = basis > 0 ? Swift.abs(ctm.xx * ctm.yy - ctm.yx * ctm.xy) / basis : 0
        guard font.size * Swift.max(basis, normal) > largestLoadedPixelsPerEm else {
            layOutText(string, font, size: font.size, cr)
            return
        }
        let scratch = cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, nil)!
        defer { cairo_surface_destroy(scratch) }
        let layout = cairo_create(scratch)!
        defer { cairo_destroy(layout) }
        layOutText(string, font, size: largestLoadedPixelsPerEm, layout)
        let path = cairo_copy_path(layout)!
        defer { cairo_path_destroy(path) }
        cairo_save(cr)
        cairo_scale(cr, font.size / largestLoadedPixelsPerEm, font.size / largestLoadedPixelsPerEm)
        cairo_append_path(cr, path)
        cairo_restore(cr)
    }

    /// Appends the outlines of `string` in `font` at `size` pixels to the em (in user space)
    /// to `cr`'s path, the ink box centred on the origin.
    private static func layOutText(_ string: String, _ font: Font, size: Double, _ cr: OpaquePointer) {
        let slant: cairo_font_slant_t
        switch font.slant {
        case .normal: slant = CAIRO_FONT_SLANT_NORMAL
        case .italic: slant = CAIRO_FONT_SLANT_ITALIC
        case .oblique: slant = CAIRO_FONT_SLANT_OBLIQUE
        }
        cairo_select_font_face(cr, font.family, slant, font.weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
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

    /// The most pixels per em text is laid out at (below FreeType's 65 535, with room for
    /// rounding); text drawn larger is laid out at this size and scaled (``appendTextPath``).
    static let largestLoadedPixelsPerEm = 60_000.0
}
