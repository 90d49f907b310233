/// A procedural texture: a two-colour pattern, deterministic from its parameters alone.
///
/// The pattern is laid out in the frame of what is painted (a shape's local frame, or canvas
/// pixels for the background), rotated by `angle` and scaled by `scale`, and blends
/// `background` (pattern value 0) into `foreground` (pattern value 1). Textures change the RGB
/// image only, never a mask.
public struct Texture: Hashable, Sendable {
    /// Which pattern, with its pattern-specific parameters.
    public enum Pattern: Hashable, Sendable {
        /// Stripes across the rotated x axis, one period per `scale`; `duty` (0…1) is the
        /// fraction of each period in the foreground colour.
        case stripes(duty: Double)
        /// Square cells of side `scale`, alternating colours; the cell at the origin is
        /// foreground.
        case checker
        /// A square grid of dots with spacing `scale`; `radius` is the dot radius as a
        /// fraction of the spacing (0…0.5 keeps dots apart). Dots are foreground.
        case dots(radius: Double)
        /// Value noise: random values on a lattice of spacing `scale`, smoothly interpolated
        /// (smoothstep), summed over `octaves` ≥ 1 (each octave half the spacing and half the
        /// amplitude). Random values come from a hash of `seed` and the lattice point.
        case valueNoise(seed: UInt64, octaves: Int)
        /// Perlin gradient noise (Perlin 2002, "Improving noise": quintic fade) on a lattice
        /// of spacing `scale`, summed over `octaves` ≥ 1 like ``valueNoise(seed:octaves:)``;
        /// lattice gradients come from a hash of `seed` and the lattice point.
        case perlinNoise(seed: UInt64, octaves: Int)
    }

    public var pattern: Pattern
    /// The pattern period or feature size, in pixels of the painted frame; must be > 0.
    public var scale: Double
    /// Rotation of the pattern in degrees, clockwise on screen (y down).
    public var angle: Double
    /// The colour where the pattern value is 1.
    public var foreground: Color
    /// The colour where the pattern value is 0.
    public var background: Color

    public init(_ pattern: Pattern, scale: Double, angle: Double = 0, foreground: Color, background: Color) {
        self.pattern = pattern
        self.scale = scale
        self.angle = angle
        self.foreground = foreground
        self.background = background
    }
}
