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

/// How a region is painted. Gradient coordinates are in the frame of what is painted:
/// a shape's local frame (before its transform), or the canvas for the background.
public enum Paint: Hashable, Sendable {
    case solid(Color)
    /// `cairo_pattern_create_linear(start, end)` with the given stops.
    case linearGradient(start: Point, end: Point, stops: [ColorStop])
}

/// Cairo's fill rules (`CAIRO_FILL_RULE_WINDING`, `CAIRO_FILL_RULE_EVEN_ODD`).
public enum FillRule: String, Hashable, Sendable {
    case nonZero
    case evenOdd
}
