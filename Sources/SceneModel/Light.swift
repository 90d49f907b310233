/// The scene light: one distant light plus ambient light, which shades every object across
/// its extent and casts shadows.
///
/// Directions are screen angles in degrees, x right, y down, positive clockwise:
/// `direction` is where the light *travels*, so `direction: 90` is light from the top of the
/// image shining down the screen, and shadows fall towards +y.
///
/// Each instance is shaded as a shallow dome over its bounding box: the side facing the light
/// is brightest, the far side falls to the ambient level. For a point at parameter
/// `u` ∈ [−1, 1] along the light axis (1 at the edge facing the light), the colour of each
/// channel is multiplied by `ambient + intensity · color · max(0, n·l)`, where
/// `n = (0.7u, √(1 − 0.49u²))` and `l = (cos elevation, sin elevation)` (in-plane towards the
/// light, and up out of the screen). Factors above 1 brighten.
///
/// Light changes only the RGB image; masks never depend on it.
public struct Light: Hashable, Sendable {
    /// The on-screen direction the light travels, in degrees (0 = towards +x, 90 = towards +y).
    public var direction: Double
    /// The light's height above the image plane in degrees: 0 grazes the scene, 90 is
    /// straight overhead (no side is darker than the other).
    public var elevation: Double
    /// Strength of the directional part (0 = ambient light only).
    public var intensity: Double
    /// Colour of the directional part (straight RGB, alpha ignored).
    public var color: Color
    /// The shading factor everywhere, lit or not (0 = the far side goes black; with `intensity` 0, 1 leaves the paint unchanged).
    public var ambient: Double
    /// Peak opacity (0…1) of a soft highlight in the light's colour where the dome faces
    /// halfway between the light and the viewer; 0 = no highlight.
    public var specular: Double
    /// The shadows this light casts, or `nil` for none.
    public var shadow: Shadow?

    public init(direction: Double, elevation: Double = 45, intensity: Double = 1, color: Color = .white,
                ambient: Double = 0.3, specular: Double = 0, shadow: Shadow? = nil) {
        self.direction = direction
        self.elevation = elevation
        self.intensity = intensity
        self.color = color
        self.ambient = ambient
        self.specular = specular
        self.shadow = shadow
    }
}

/// Cast shadows: each instance's silhouette, moved `distance` pixels along the light's
/// `direction`, blurred and darkened onto what is already drawn (the background and the
/// instances behind), just before the instance itself is drawn.
///
/// Shadows change only the RGB image: they never enter the instance raster, the semantic mask
/// or an amodal mask.
public struct Shadow: Hashable, Sendable {
    /// How far the shadow is moved from its object, in canvas pixels.
    public var distance: Double
    /// The standard deviation of the Gaussian blur of the silhouette, in canvas pixels
    /// (0 = hard edge; values above ``maximumBlur`` blur by ``maximumBlur``).
    public var blur: Double
    /// The largest blur honoured, in pixels: it bounds the work per shadow.
    public static let maximumBlur = 32.0
    /// Opacity of the shadow's darkest part, 0…1.
    public var opacity: Double
    /// The shadow colour (straight RGB, alpha ignored; `opacity` sets the strength).
    public var color: Color

    public init(distance: Double, blur: Double = 2, opacity: Double = 0.5, color: Color = .black) {
        self.distance = distance
        self.blur = blur
        self.opacity = opacity
        self.color = color
    }
}
