internal import CCairo
import SceneModel

/// How an ``SceneModel/Outline`` is stroked, in the picture and in the masks alike.
extension Outline {
    /// Cairo's default miter limit: corners sharper than about 11.5° are bevelled.
    static let miterLimit = 10.0

    /// How far the stroke can reach past its path, in device pixels: half the width times
    /// the miter limit (a mitred spike), or 0 when the outline draws nothing.
    var reach: Double {
        width > 0 && width.isFinite ? width / 2 * Outline.miterLimit : 0
    }

    /// Sets `cr`'s stroke parameters for this outline: line width in device pixels, mitred
    /// joins with ``miterLimit``, butt caps.
    /// - Returns: `false`, setting nothing, when the outline draws nothing (width not > 0 or
    ///   not finite).
    func setStrokeStyle(_ cr: OpaquePointer) -> Bool {
        guard reach > 0 else { return false }
        cairo_set_line_width(cr, width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER)
        cairo_set_miter_limit(cr, Outline.miterLimit)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        return true
    }
}
