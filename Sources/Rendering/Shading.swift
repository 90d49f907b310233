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
        cairo_restore(cr)
        applyHighlight(cr, cover: cover)
    }

    /// Paints the current path (kept) in the opaque colour `color` already shaded, in one
    /// pass, then the highlight. The colour is `color` times the factors interpolated between
    /// the stops, clamped to 1: a linear gradient with the stops' colours, plus a stop
    /// wherever a channel reaches 1 between two of them, is exactly that (the multiply and
    /// colour-dodge passes of ``apply(_:cover:)`` approximate the same within a level or two).
    func paint(_ color: Color, _ cr: OpaquePointer, cover: () -> Void) {
        let c = (color.red, color.green, color.blue)
        func shaded(_ f: (Double, Double, Double)) -> (Double, Double, Double) {
            (min(1, max(0, c.0 * f.0)), min(1, max(0, c.1 * f.1)), min(1, max(0, c.2 * f.2)))
        }
        let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
        let last = Double(factors.count - 1)
        for (index, f) in factors.enumerated() {
            let (red, green, blue) = shaded(f)
            cairo_pattern_add_color_stop_rgb(pattern, Double(index) / last, red, green, blue)
            guard index < factors.count - 1 else { break }
            let g = factors[index + 1]
            // Where each channel's product crosses 1 inside this segment, in order.
            let crossings = [(c.0 * f.0, c.0 * g.0), (c.1 * f.1, c.1 * g.1), (c.2 * f.2, c.2 * g.2)]
                .compactMap { (a, b) -> Double? in (a < 1) != (b < 1) && a != b ? (1 - a) / (b - a) : nil }
                .filter { $0 > 0 && $0 < 1 }
                .sorted()
            for t in crossings {
                let (red, green, blue) = shaded((f.0 + (g.0 - f.0) * t, f.1 + (g.1 - f.1) * t, f.2 + (g.2 - f.2) * t))
                cairo_pattern_add_color_stop_rgb(pattern, (Double(index) + t) / last, red, green, blue)
            }
        }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_set_source(cr, pattern)
        cairo_pattern_destroy(pattern)
        cover()
        applyHighlight(cr, cover: cover)
    }

    private func applyHighlight(_ cr: OpaquePointer, cover: () -> Void) {
        cairo_save(cr)
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
        cairo_set_operator(cr, op)
        setGradient(cr) { f in (transform(f.0), transform(f.1), transform(f.2)) }
        cover()
    }

    /// Makes the source a linear gradient along the light axis with one stop per factor
    /// triple, coloured `color(factors)` (red, green, blue in 0…1), padded past its ends.
    private func setGradient(_ cr: OpaquePointer, _ color: ((Double, Double, Double)) -> (Double, Double, Double)) {
        let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
        for (index, f) in factors.enumerated() {
            let (red, green, blue) = color(f)
            cairo_pattern_add_color_stop_rgb(pattern, Double(index) / Double(factors.count - 1), red, green, blue)
        }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_set_source(cr, pattern)
        cairo_pattern_destroy(pattern)
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
        let stride = mask.stride
        mask.withMutablePixelBytes { bytes in
            let alpha = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let plane = UnsafeMutableBufferPointer<Float>.allocate(capacity: width * height)
            defer { plane.deallocate() }
            for y in 0..<height {
                for x in 0..<width { plane[y * width + x] = Float(alpha[y * stride + x]) }
            }
            ImageEffects.gaussianBlur(plane, width: width, height: height, sigma: sigma)
            for y in 0..<height {
                for x in 0..<width {
                    // Clamped to 0…255, then rounded (ties to even) by adding 2²³.
                    let value = min(255, max(0, plane[y * width + x]))
                    alpha[y * stride + x] = UInt8(truncatingIfNeeded: (value + 8_388_608).bitPattern)
                }
            }
        }
    }
}
