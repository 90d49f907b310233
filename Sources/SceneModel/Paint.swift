/// A colour with straight (non-premultiplied) components in 0...1, sRGB as Cairo takes it.
public struct Color: Hashable, Sendable {
    public var red: Double, green: Double, blue: Double, alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    public static let black = Color(red: 0, green: 0, blue: 0)
    public static let white = Color(red: 1, green: 1, blue: 1)
}

/// One stop of a gradient: `offset` in 0...1 along the gradient axis.
public struct ColorStop: Hashable, Sendable {
    public var offset: Double
    public var color: Color

    public init(offset: Double, color: Color) {
        self.offset = offset
        self.color = color
    }
}

/// How a region is painted. Coordinates (gradient points, texture scale and angle) are in the
/// frame of what is painted: a shape's local frame (before its transform, so the paint moves,
/// turns and scales with the shape), or canvas pixels for the background.
///
/// Paint only changes the RGB image; masks depend on geometry alone.
public enum Paint: Hashable, Sendable {
    case solid(Color)
    /// `cairo_pattern_create_linear(start, end)` with the given stops; colours are padded
    /// (`CAIRO_EXTEND_PAD`) beyond the ends.
    case linearGradient(start: Point, end: Point, stops: [ColorStop])
    /// `cairo_pattern_create_radial` from the point `center` (offset 0) to the circle of
    /// `radius` about it (offset 1), padded beyond; `radius` in pixels of the painted frame.
    case radialGradient(center: Point, radius: Double, stops: [ColorStop])
    /// A procedural pattern evaluated at every pixel centre (see ``Texture``).
    case texture(Texture)
}

/// Cairo's fill rules (`CAIRO_FILL_RULE_WINDING`, `CAIRO_FILL_RULE_EVEN_ODD`).
public enum FillRule: String, Hashable, Sendable {
    case nonZero
    case evenOdd
}

/// A stroke along a shape's outline, drawn over its fill.
///
/// The outline belongs to the instance: the instance raster and the amodal mask stroke the
/// same path with `CAIRO_ANTIALIAS_NONE`, so a pixel is in the mask when its centre lies in
/// the fill or within `width / 2` of the outline (mitred corners up to miter limit 10, sharper
/// ones bevelled; butt caps). An outline of
/// width `w` on an axis-aligned rectangle therefore grows its mask by `w / 2` on every side.
public struct Outline: Hashable, Sendable {
    public var color: Color
    /// Stroke width in canvas pixels (not scaled by the shape's transform), centred on the
    /// outline: half inside the fill, half outside. Must be > 0 to draw anything.
    public var width: Double

    public init(color: Color, width: Double) {
        self.color = color
        self.width = width
    }
}
