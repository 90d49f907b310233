internal import CCairo
import SceneModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Light shading of one instance (see ``SceneModel/Light`` for the model): a gradient of
/// per-channel factors along the light direction over the instance's device-space box, and
/// an optional specular highlight.
///
/// Factors ≤ 1 are applied with `CAIRO_OPERATOR_MULTIPLY` (result = paint · f); the part
/// above 1 with `CAIRO_OPERATOR_COLOR_DODGE` and source 1 − 1/f (result = paint / (1 − s) =
/// paint · f, clamped to 1), so any factor is a multiplication of the painted colour.
struct Shading {
    /// Stops along the light axis; the factor curve is smooth, so 9 stops follow it closely.
    private static let stopCount = 9
    /// How strongly the dome's normal leans at its rim (the `0.7` in ``SceneModel/Light``).
    private static let curvature = 0.7

    private let start: Point
    private let end: Point
    /// Per stop: the factor for red, green, blue.
    private let factors: [(Double, Double, Double)]
    private let highlight: (center: Point, radius: Double, color: Color)?

    /// - Returns: `nil` when `bounds` is empty or a parameter is not finite.
    init?(light: Light, bounds: DeviceBox) {
        let values = [light.direction, light.elevation, light.intensity, light.ambient, light.specular]
        guard !bounds.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        let angle = light.direction * .pi / 180
        let (dx, dy) = (cos(angle), sin(angle))
        let (w, h) = (bounds.x1 - bounds.x0, bounds.y1 - bounds.y0)
        let center = Point((bounds.x0 + bounds.x1) / 2, (bounds.y0 + bounds.y1) / 2)
        // Half the box's extent along the light axis.
        let reach = (abs(w * dx) + abs(h * dy)) / 2
        start = Point(center.x - reach * dx, center.y - reach * dy)
        end = Point(center.x + reach * dx, center.y + reach * dy)
        let elevation = min(90, max(0, light.elevation)) * .pi / 180
        let k = Shading.curvature
        factors = (0..<Shading.stopCount).map { index in
            let u = 1 - 2 * Double(index) / Double(Shading.stopCount - 1)
            let diffuse = max(0, k * u * cos(elevation) + (1 - k * k * u * u).squareRoot() * sin(elevation))
            let lit = light.intensity * diffuse
            return (light.ambient + lit * light.color.red, light.ambient + lit * light.color.green,
                    light.ambient + lit * light.color.blue)
        }
        if light.specular > 0 {
            // Where the dome's normal is the half vector between the light and the viewer.
            let (hx, hz) = (cos(elevation), sin(elevation) + 1)
            let u = min(1, hx / (hx * hx + hz * hz).squareRoot() / k)
            var color = light.color
            color.alpha = min(1, light.specular)
            highlight = (Point(center.x - u * reach * dx, center.y - u * reach * dy), 0.4 * min(w, h), color)
        } else {
            highlight = nil
        }
    }

    /// Shades the current path (kept), which must already be painted; `cover` paints the
    /// current path with the current source the way the shape covers (fill or stroke).
    func apply(_ cr: OpaquePointer, cover: () -> Void) {
        cairo_save(cr)
        if factors.contains(where: { $0.0 < 1 || $0.1 < 1 || $0.2 < 1 }) {
            fill(operator: CAIRO_OPERATOR_MULTIPLY, cr, cover: cover) { f in min(1, max(0, f)) }
        }
        if factors.contains(where: { $0.0 > 1 || $0.1 > 1 || $0.2 > 1 }) {
            fill(operator: CAIRO_OPERATOR_COLOR_DODGE, cr, cover: cover) { f in 1 - 1 / max(1, f) }
        }
        if let highlight, highlight.radius > 0 {
            let (p, r, c) = highlight
            let pattern = cairo_pattern_create_radial(p.x, p.y, 0, p.x, p.y, r)!
            cairo_pattern_add_color_stop_rgba(pattern, 0, c.red, c.green, c.blue, c.alpha)
            cairo_pattern_add_color_stop_rgba(pattern, 0.4, c.red, c.green, c.blue, c.alpha * 0.5)
            cairo_pattern_add_color_stop_rgba(pattern, 1, c.red, c.green, c.blue, 0)
            cairo_set_operator(cr, CAIRO_OPERATOR_OVER)
            cairo_set_source(cr, pattern)
            cairo_pattern_destroy(pattern)
            cover()
        }
        cairo_restore(cr)
    }

    /// Fills the current path (kept) with the linear gradient of `transform(factor)` per
    /// channel, under `op`.
    private func fill(operator op: cairo_operator_t, _ cr: OpaquePointer, cover: () -> Void, _ transform: (Double) -> Double) {
        let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
        for (index, f) in factors.enumerated() {
            let offset = Double(index) / Double(factors.count - 1)
            cairo_pattern_add_color_stop_rgb(pattern, offset, transform(f.0), transform(f.1), transform(f.2))
        }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_set_operator(cr, op)
        cairo_set_source(cr, pattern)
        cairo_pattern_destroy(pattern)
        cover()
    }
}

/// Cast shadows (see ``SceneModel/Shadow``), drawn into the picture only.
enum ShadowRenderer {
    /// Darkens `cr`'s picture with `instance`'s shadow: the antialiased coverage of its
    /// shadow-casting shapes (each at its opacity), moved `shadow.distance` pixels along
    /// `direction` (degrees, y down), blurred by a Gaussian of σ = `shadow.blur` pixels, used
    /// as a mask (`cairo_mask_surface`) for the shadow colour at `shadow.opacity`.
    /// - Throws: `RenderError.cairo` if the mask surface cannot be made.
    /// - Complexity: the coverage fills plus a separable blur over the shadow's box.
    static func draw(_ instance: Instance, shadow: Shadow, direction: Double,
                     canvasWidth: Int, canvasHeight: Int, _ cr: OpaquePointer) throws {
        let values = [shadow.distance, shadow.blur, shadow.opacity, direction]
        guard shadow.opacity > 0, values.allSatisfy(\.isFinite) else { return }
        let casters = instance.shapes.filter { $0.castsShadow && $0.opacity > 0 }
        guard let bounds = SceneRenderer.deviceBounds(casters, includingOutlines: true, cr) else { return }
        let angle = direction * .pi / 180
        let (dx, dy) = (shadow.distance * cos(angle), shadow.distance * sin(angle))
        let sigma = min(max(0, shadow.blur), Shadow.maximumBlur)
        // Far enough out that the blur's tails are kept, including past the canvas edge so
        // the blur near the edge sees the coverage beyond it.
        let margin = ceil(3 * sigma) + 1
        let canvas = DeviceBox(x0: 0, y0: 0, x1: Double(canvasWidth), y1: Double(canvasHeight)).insetBy(-margin)
        let box = bounds.offsetBy(dx, dy).insetBy(-margin).intersection(canvas)
        guard !box.isEmpty else { return }
        let (x0, y0) = (Int(floor(box.x0)), Int(floor(box.y0)))
        let mask = try ImageSurface(width: Int(ceil(box.x1)) - x0, height: Int(ceil(box.y1)) - y0, format: CAIRO_FORMAT_A8)
        try withContext(mask) { m in
            for shape in casters {
                try SceneRenderer.fillCoverage(shape, color: Color(red: 0, green: 0, blue: 0, alpha: shape.opacity), m,
                                           origin: (Double(x0) - dx, Double(y0) - dy))
            }
        }
        if sigma > 0 { blurAlpha(mask, sigma: sigma) }
        let c = shadow.color
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, min(1, shadow.opacity))
        cairo_mask_surface(cr, mask.surface, Double(x0), Double(y0))
    }

    /// Gaussian blur of an A8 surface in place.
    private static func blurAlpha(_ mask: ImageSurface, sigma: Double) {
        let (width, height) = (mask.width, mask.height)
        mask.withMutablePixelBytes { bytes in
            var plane = [Float](repeating: 0, count: width * height)
            for y in 0..<height { for x in 0..<width { plane[y * width + x] = Float(bytes[y * mask.stride + x]) } }
            plane.withUnsafeMutableBufferPointer { ImageEffects.gaussianBlur($0, width: width, height: height, sigma: sigma) }
            for y in 0..<height {
                for x in 0..<width { bytes[y * mask.stride + x] = UInt8(min(255, max(0, plane[y * width + x].rounded()))) }
            }
        }
    }
}
