/// A point in continuous pixel coordinates: origin at the top-left corner of pixel (0, 0),
/// x to the right, y down. Pixel (i, j) covers [i, i+1) × [j, j+1).
public struct Point: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

/// A 2-D affine transform with Cairo's `cairo_matrix_t` layout:
/// `x' = a·x + c·y + tx`, `y' = b·x + d·y + ty`.
///
/// Angles are in degrees; positive angles turn clockwise on screen because y points down
/// (the same sense as `cairo_rotate`).
public struct AffineTransform: Hashable, Sendable {
    public var a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double

    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    public static func translation(_ dx: Double, _ dy: Double) -> AffineTransform {
        AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: dx, ty: dy)
    }

    /// Rotation about the origin by `degrees`.
    public static func rotation(degrees: Double) -> AffineTransform {
        let r = degrees * .pi / 180
        let (s, c) = (sin(r), cos(r))
        return AffineTransform(a: c, b: s, c: -s, d: c, tx: 0, ty: 0)
    }

    public static func scale(_ sx: Double, _ sy: Double) -> AffineTransform {
        AffineTransform(a: sx, b: 0, c: 0, d: sy, tx: 0, ty: 0)
    }

    /// Shear by angles in degrees: `x' = x + tan(x°)·y`, `y' = tan(y°)·x + y`; a positive x angle
    /// slants vertical lines so that their lower ends (y down) move right.
    public static func skew(degreesX: Double, degreesY: Double) -> AffineTransform {
        AffineTransform(a: 1, b: tan(degreesY * .pi / 180), c: tan(degreesX * .pi / 180), d: 1, tx: 0, ty: 0)
    }

    /// The factor by which the transform scales areas (the determinant `a·d − b·c`).
    public var areaScale: Double { a * d - b * c }

    /// The transform that applies `inner` first, then `self`
    /// (so `outer.concatenating(inner)` maps a part's local frame through its parent's).
    public func concatenating(_ inner: AffineTransform) -> AffineTransform {
        AffineTransform(
            a: a * inner.a + c * inner.b,
            b: b * inner.a + d * inner.b,
            c: a * inner.c + c * inner.d,
            d: b * inner.c + d * inner.d,
            tx: a * inner.tx + c * inner.ty + tx,
            ty: b * inner.tx + d * inner.ty + ty)
    }

    public func apply(_ p: Point) -> Point {
        Point(a * p.x + c * p.y + tx, b * p.x + d * p.y + ty)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One step of a ``Geometry/path(_:)``, in the path's local frame (pixels, y down).
public enum PathElement: Hashable, Sendable {
    /// Starts a new subpath at the point (`cairo_move_to`).
    case move(Point)
    /// A straight segment to the point (`cairo_line_to`).
    case line(Point)
    /// A cubic Bézier segment with control points `control1`, `control2`, ending at `end`
    /// (`cairo_curve_to`).
    case curve(control1: Point, control2: Point, end: Point)
    /// Closes the current subpath back to its start (`cairo_close_path`).
    case close

    /// Every point the element names, control points included.
    public var points: [Point] {
        switch self {
        case let .move(p), let .line(p): return [p]
        case let .curve(c1, c2, p): return [c1, c2, p]
        case .close: return []
        }
    }
}

/// The outline of a primitive in its local frame, centred on the local origin unless it is
/// given by points. Lengths are in pixels before the shape's transform is applied; angles in
/// degrees, clockwise on screen from the local +x axis.
///
/// Most geometries are filled (with the shape's fill rule). ``strokedPath(_:width:)`` and
/// ``arc(radius:start:end:width:)`` are stroked: their area is the stroke of the line, `width`
/// wide in the local frame, with butt caps and round joins.
public enum Geometry: Hashable, Sendable {
    /// An axis-aligned `width` × `height` rectangle centred on the origin.
    case rectangle(width: Double, height: Double)
    /// A `width` × `height` rectangle with corners rounded by quarter circles of `radius`
    /// (at most half the shorter side).
    case roundedRectangle(width: Double, height: Double, radius: Double)
    /// A circle (`cairo_arc` over 0…2π).
    case circle(radius: Double)
    /// An axis-aligned ellipse with semi-axes `radiusX`, `radiusY`.
    case ellipse(radiusX: Double, radiusY: Double)
    /// A regular polygon with `sides` ≥ 3 vertices on a circle of `radius`; the first vertex
    /// points up (local angle −90°), the others follow clockwise on screen.
    case regularPolygon(sides: Int, radius: Double)
    /// A star with `points` ≥ 2 tips on a circle of `outerRadius` and as many inner vertices on
    /// a circle of `innerRadius`, halfway between; the first tip points up, then clockwise.
    case star(points: Int, outerRadius: Double, innerRadius: Double)
    /// An arbitrary closed polygon through `points` (local frame).
    case polygon([Point])
    /// A path of lines and cubic Bézier curves, filled; every subpath is closed for filling.
    case path([PathElement])
    /// The stroke of a path (open unless it closes itself), `width` wide: polylines, lines and
    /// stroked Bézier curves.
    case strokedPath([PathElement], width: Double)
    /// The stroke of the circular arc of `radius` about the origin from angle `start` clockwise
    /// to `end` (degrees; `end` below `start` is raised by whole turns), `width` wide.
    case arc(radius: Double, start: Double, end: Double, width: Double)
    /// The glyph outlines of `string` in `font` (`cairo_text_path`, unhinted), filled with the
    /// nonzero rule as font outlines are designed to be. The ink box of the glyphs (Cairo's
    /// `cairo_text_extents`: bearing, width, height) is centred on the local origin; the
    /// baseline lies below the origin by half the ink height minus the descent.
    case text(String, font: Font)
    /// An image stretched over the `width` × `height` rectangle centred on the origin (the
    /// bitmap's top-left pixel at the rectangle's top-left corner, −x −y). Its area is the
    /// texels with alpha ≥ 128 (one half): a pixel belongs to the mask when its centre, mapped
    /// into the bitmap, falls in such a texel (see `docs/RENDERING.md`).
    case sprite(Bitmap, width: Double, height: Double)

    /// What drawing the outline costs, in path segments: its lines and Bézier curves (a
    /// rectangle 4, a circle, ellipse or arc 4, a rounded rectangle 8, a regular polygon its
    /// sides, a star twice its tips, a polygon its points, a path its elements, a sprite 4), and
    /// ``textSegmentsPerCharacter`` per character of a text (a glyph's outline is tens of
    /// curves, laid out by FreeType). Every shape is drawn several times (picture, instance
    /// raster, amodal mask), each in time about proportional to this, beside the pixels it covers.
    public var segmentCount: Int {
        switch self {
        case .rectangle, .circle, .ellipse, .arc, .sprite: return 4
        case .roundedRectangle: return 8
        case let .regularPolygon(sides, _): return sides
        case let .star(points, _, _): return 2 * points
        case let .polygon(points): return points.count
        case let .path(elements), let .strokedPath(elements, _): return elements.count
        case let .text(string, _): return Self.textSegmentsPerCharacter * string.unicodeScalars.count
        }
    }

    /// What one character of a text counts in ``segmentCount``: measured, a character of
    /// `text` costs about as much to draw as 16 polygon segments' worth of shapes.
    public static let textSegmentsPerCharacter = 16

    /// The line width when the geometry is stroked, nil when it is filled.
    public var strokeWidth: Double? {
        switch self {
        case let .strokedPath(_, width), let .arc(_, _, _, width): return width
        default: return nil
        }
    }

    /// The radius of a disc about the local origin that holds the whole outline (for strokes,
    /// the whole stroke). For text it is an estimate, not a bound — glyph extents depend on the
    /// installed font — the half-diagonal of a box one em per character (plus one) wide and two
    /// ems high; rendering measures the real glyph extents where bounds matter (amodal masks).
    public var boundingRadius: Double {
        func farthest(_ points: [Point]) -> Double { points.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }.max() ?? 0 }
        switch self {
        case let .rectangle(w, h), let .roundedRectangle(w, h, _), let .sprite(_, w, h): return (w * w + h * h).squareRoot() / 2
        case let .circle(r): return abs(r)
        case let .ellipse(rx, ry): return max(abs(rx), abs(ry))
        case let .regularPolygon(_, r): return abs(r)
        case let .star(_, outer, inner): return max(abs(outer), abs(inner))
        case let .polygon(points): return farthest(points)
        // A cubic Bézier segment lies in the convex hull of its end and control points.
        case let .path(elements): return farthest(elements.flatMap(\.points))
        case let .strokedPath(elements, width): return farthest(elements.flatMap(\.points)) + abs(width) / 2
        case let .arc(r, _, _, width): return abs(r) + abs(width) / 2
        case let .text(string, font):
            let (w, h) = (abs(font.size) * Double(string.unicodeScalars.count + 1), 2 * abs(font.size))
            return (w * w + h * h).squareRoot() / 2
        }
    }
}
