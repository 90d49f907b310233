/// A font as Cairo's toy text API selects it (`cairo_select_font_face`): fontconfig resolves
/// `family`, `weight` and `slant` to an installed face, substituting its best match when the
/// family is not installed (so a misspelt family still draws, in another face).
public struct Font: Hashable, Sendable {
    /// `CAIRO_FONT_WEIGHT_NORMAL`, `CAIRO_FONT_WEIGHT_BOLD`.
    public enum Weight: String, Hashable, Sendable, CaseIterable {
        case normal, bold
    }

    /// `CAIRO_FONT_SLANT_NORMAL`, `…_ITALIC`, `…_OBLIQUE`.
    public enum Slant: String, Hashable, Sendable, CaseIterable {
        case normal, italic, oblique
    }

    /// The family that exists on every supported machine: Debian's `fonts-dejavu-core`,
    /// which `scripts/setup.sh` and the CI install.
    public static let defaultFamily = "DejaVu Sans"

    /// A fontconfig family name, e.g. "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono".
    public var family: String
    /// The em size in pixels of the shape's local frame (`cairo_set_font_size`).
    public var size: Double
    public var weight: Weight
    public var slant: Slant

    public init(family: String = Font.defaultFamily, size: Double, weight: Weight = .normal, slant: Slant = .normal) {
        self.family = family
        self.size = size
        self.weight = weight
        self.slant = slant
    }
}
