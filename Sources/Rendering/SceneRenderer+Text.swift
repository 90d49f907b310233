internal import CCairo
public import SceneModel

extension SceneRenderer {
    /// Appends the glyph outlines of `string` in `font` to the current path, in the current
    /// user space (the shape's local frame), with the glyphs' ink box centred on the origin.
    ///
    /// Wraps Cairo's toy text API: `cairo_select_font_face` (fontconfig resolves the family),
    /// `cairo_set_font_size`, `cairo_text_extents` for the ink box and `cairo_text_path` for the
    /// outlines. Hinting is switched off (`CAIRO_HINT_STYLE_NONE`, `CAIRO_HINT_METRICS_OFF`)
    /// so the outline depends on the transform alone, not on the surface or a whole-pixel
    /// offset. Called only by ``TextOutlines``, which lays each text of an image out once
    /// for all its rasters and counts the layouts.
    ///
    /// FreeType keeps a face's pixels per em in 16 bits (`FT_Size_Metrics.x_ppem`), and Cairo
    /// loads glyphs at their size on the device (font size × CTM), so it cannot lay out text
    /// above 65 535 pixels to the em (`FT_Set_Char_Size` fails and the context ends in
    /// `CAIRO_STATUS_FREETYPE_ERROR`). Above ``largestLoadedPixelsPerEm`` the outlines are
    /// laid out at that size on a scratch context and appended scaled up
    /// (`cairo_copy_path`, `cairo_append_path`): unhinted outlines are the font's curves
    /// scaled, so the shape is the same. An error on the scratch context reaches `cr` with
    /// the copied path.
    fileprivate static func appendTextPath(_ string: String, _ font: Font, _ cr: OpaquePointer) {
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

/// The glyph outlines of an image's text shapes, each laid out once (``layouts`` counts them)
/// and appended from here to every raster of the image: the picture, the instance raster, the
/// rows drawn for a requirement and the amodal bands.
///
/// Each outline is laid out with ``SceneRenderer/appendTextPath(_:_:_:)`` under its shape's
/// transform on a scratch context and kept as Cairo made it, in canvas pixels
/// (`cairo_copy_path` under the identity matrix: the path's 24.8 fixed-point coordinates as
/// doubles, exactly). Appending it again (`cairo_append_path`) under the identity, or under a
/// translation by whole pixels for a surface whose (0, 0) is another canvas pixel, gives back
/// the same fixed-point path, moved by exactly those pixels: a surface that sees the canvas
/// pixel grid sees the same edges, so an amodal band covers the same pixel centres as the
/// instance raster. A surface placed at a fraction of a pixel (a shadow's offset) gets the
/// text laid out anew under its own transform.
///
/// The box of an outline (``SceneRenderer/coverageBounds(of:outlines:)``) is the box of its
/// points, control points included: it holds the curves, so every pixel centre they cover,
/// without Cairo tessellating the path as `cairo_fill_extents` does.
///
/// Not thread-safe: one per image (or attempt), used by the thread drawing it. Memory: the
/// outlines of the image's distinct texts (16 bytes per point and per element), freed with it,
/// and at most `budget` bytes of them: past it the kept outlines are dropped and laid out
/// again when next asked for (the same paths, so the same pixels; only ``layouts`` grows).
public final class TextOutlines {
    private struct Key: Hashable {
        let string: String
        let font: Font
        let transform: AffineTransform
    }

    private struct Outline {
        let path: UnsafeMutablePointer<cairo_path_t>
        /// The box of the path's points in canvas pixels; `nil` when it has none.
        let box: DeviceBox?
    }

    private var outlines: [Key: Outline] = [:]
    private var scratch: OpaquePointer?
    /// Bytes of path data kept now.
    private var kept = 0
    /// The most bytes of path data kept at once.
    private let budget: Int

    /// The default `budget`: 64 MiB of path data, thousands of lines of text (the peak memory
    /// of a `scenes/documents.scene` render grew by 1.4 MiB when its outlines were kept).
    public static let defaultBudget = 64 << 20

    /// Texts laid out so far: one per distinct (string, font, transform) appended on the
    /// canvas pixel grid, plus one per text appended off it (a shadow's fractional offset),
    /// plus one per outline laid out again after the budget dropped it.
    public private(set) var layouts = 0

    /// - Parameter budget: the most bytes of path data kept at once (one outline larger than
    ///   that is still kept, alone).
    public init(budget: Int = TextOutlines.defaultBudget) {
        self.budget = budget
    }

    deinit {
        dropAll()
        if let scratch { cairo_surface_destroy(scratch) }
    }

    private func dropAll() {
        for outline in outlines.values { cairo_path_destroy(outline.path) }
        outlines.removeAll()
        kept = 0
    }

    /// The outline of `string` in `font` under `transform`, in canvas pixels, laid out on
    /// first use.
    private func outline(_ string: String, _ font: Font, _ transform: AffineTransform) -> Outline {
        let key = Key(string: string, font: font, transform: transform)
        if let known = outlines[key] { return known }
        let surface = scratch ?? cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, nil)!
        scratch = surface
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        let t = transform
        var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d, x0: t.tx, y0: t.ty)
        cairo_set_matrix(cr, &matrix)
        layOut(string, font, cr)
        cairo_identity_matrix(cr)
        let path = cairo_copy_path(cr)!
        let outline = Outline(path: path, box: Self.box(of: path))
        let size = Int(path.pointee.num_data) * MemoryLayout<cairo_path_data_t>.stride
        if kept + size > budget { dropAll() }
        outlines[key] = outline
        kept += size
        return outline
    }

    /// Lays out `string` in `font` under `cr`'s CTM and appends its outline to `cr`'s path
    /// (``SceneRenderer/appendTextPath(_:_:_:)``); counted in ``layouts``.
    func layOut(_ string: String, _ font: Font, _ cr: OpaquePointer) {
        layouts += 1
        SceneRenderer.appendTextPath(string, font, cr)
    }

    /// Appends the outline of text `string` in `font` under `transform` to `cr`'s path, for a
    /// surface whose pixel (0, 0) is canvas point `origin` (whole pixels) and whose CTM is the
    /// identity; an error Cairo met laying it out is set on `cr`.
    func append(_ string: String, _ font: Font, _ transform: AffineTransform, _ cr: OpaquePointer,
                origin: (x: Double, y: Double)) {
        let path = outline(string, font, transform).path
        var shift = cairo_matrix_t(xx: 1, yx: 0, xy: 0, yy: 1, x0: -origin.x, y0: -origin.y)
        cairo_save(cr)
        cairo_set_matrix(cr, &shift)
        cairo_append_path(cr, path)
        cairo_restore(cr)
    }

    /// The box of the outline's points (control points included) in canvas pixels; `nil` when
    /// the text has no outline (no glyph, or only spaces).
    /// - Throws: `RenderError.cairo` when Cairo failed to lay it out.
    func box(_ string: String, _ font: Font, _ transform: AffineTransform) throws -> DeviceBox? {
        let outline = outline(string, font, transform)
        let status = outline.path.pointee.status
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError.cairo(String(cString: cairo_status_to_string(status))) }
        return outline.box
    }

    /// The box of the points of `path`'s segments: a move's point counts only when a segment
    /// starts from it (a text of spaces is a lone move, and covers nothing).
    private static func box(of path: UnsafeMutablePointer<cairo_path_t>) -> DeviceBox? {
        guard path.pointee.status == CAIRO_STATUS_SUCCESS, let data = path.pointee.data else { return nil }
        var box: DeviceBox?
        func add(_ p: cairo_path_data_t) {
            let (x, y) = (p.point.x, p.point.y)
            box = box.map { DeviceBox(x0: min($0.x0, x), y0: min($0.y0, y), x1: max($0.x1, x), y1: max($0.y1, y)) }
                ?? DeviceBox(x0: x, y0: y, x1: x, y1: y)
        }
        var move: cairo_path_data_t?
        var i = 0
        while i < Int(path.pointee.num_data) {
            let header = data[i].header
            switch header.type {
            case CAIRO_PATH_MOVE_TO:
                move = data[i + 1]
            case CAIRO_PATH_LINE_TO, CAIRO_PATH_CURVE_TO:
                if let start = move { add(start) }
                move = nil
                for k in 1..<Int(header.length) { add(data[i + k]) }
            default:
                break
            }
            i += Int(header.length)
        }
        return box
    }
}
