internal import CCairo
import SceneModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Light shading of one instance (see ``SceneModel/Light`` for the model): per-channel
/// factors at 9 stops along the light direction over the instance's device-space box,
/// interpolated linearly between them, and an optional specular highlight.
///
/// The shaded paint is the paint's colour times the factors, clamped to 1, with the paint's
/// own alpha: a shape is then filled once with it, so its edges are covered once and the
/// transparent parts of its paint stay transparent.
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

    /// Paints the current path (kept) in `color` shaded, in one pass, then the highlight: a
    /// linear gradient whose stops are `color` times each stop's factors, clamped to 1, at
    /// the colour's alpha, plus a stop wherever a channel reaches 1 between two stops — so
    /// exactly the colour times the interpolated factors.
    func paint(_ color: Color, _ cr: OpaquePointer, cover: () -> Void) {
        let c = (color.red, color.green, color.blue)
        func shaded(_ f: (Double, Double, Double)) -> (Double, Double, Double) {
            (min(1, max(0, c.0 * f.0)), min(1, max(0, c.1 * f.1)), min(1, max(0, c.2 * f.2)))
        }
        let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
        let last = Double(factors.count - 1)
        for (index, f) in factors.enumerated() {
            let (red, green, blue) = shaded(f)
            cairo_pattern_add_color_stop_rgba(pattern, Double(index) / last, red, green, blue, color.alpha)
            guard index < factors.count - 1 else { break }
            let g = factors[index + 1]
            // Where each channel's product crosses 1 inside this segment, in order.
            let crossings = [(c.0 * f.0, c.0 * g.0), (c.1 * f.1, c.1 * g.1), (c.2 * f.2, c.2 * g.2)]
                .compactMap { (a, b) -> Double? in (a < 1) != (b < 1) && a != b ? (1 - a) / (b - a) : nil }
                .filter { $0 > 0 && $0 < 1 }
                .sorted()
            for t in crossings {
                let (red, green, blue) = shaded((f.0 + (g.0 - f.0) * t, f.1 + (g.1 - f.1) * t, f.2 + (g.2 - f.2) * t))
                cairo_pattern_add_color_stop_rgba(pattern, (Double(index) + t) / last, red, green, blue, color.alpha)
            }
        }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_set_source(cr, pattern)
        cairo_pattern_destroy(pattern)
        cover()
        applyHighlight(cr, cover: cover)
    }

    /// Paints the current path (kept) in any paint shaded, then the highlight: the paint is
    /// rendered over `box` (canvas pixels) into an ARGB32 surface (`source` sets it as the
    /// source of the context it is given, whose user space is the canvas), each pixel's
    /// premultiplied channels are multiplied by the factors at its centre (clamped to its
    /// alpha, so alpha is kept), and the path is filled once with the result.
    /// - Throws: `RenderError` if the surface cannot be made or `source` fails.
    func paint(over box: DeviceBox, _ cr: OpaquePointer, source: (OpaquePointer) throws -> Void, cover: () -> Void) throws {
        let (x0, y0) = (Int(box.x0.rounded(.down)), Int(box.y0.rounded(.down)))
        let (x1, y1) = (Int(box.x1.rounded(.up)), Int(box.y1.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return }
        let surface = try ImageSurface(width: x1 - x0, height: y1 - y0, format: CAIRO_FORMAT_ARGB32)
        try withContext(surface) { s in
            cairo_translate(s, -Double(x0), -Double(y0))
            try source(s)
            cairo_paint(s)
        }
        let (dx, dy) = (end.x - start.x, end.y - start.y)
        let length2 = dx * dx + dy * dy
        let last = factors.count - 1
        let (width, height, stride) = (surface.width, surface.height, surface.stride)
        surface.withMutablePixelBytes { bytes in
            for row in 0..<height {
                let pixels = bytes.baseAddress!.advanced(by: row * stride).assumingMemoryBound(to: UInt32.self)
                for column in 0..<width {
                    let word = pixels[column]
                    let alpha = word >> 24
                    guard alpha > 0 else { continue }
                    let (x, y) = (Double(x0 + column) + 0.5, Double(y0 + row) + 0.5)
                    let t = length2 > 0 ? min(1, max(0, ((x - start.x) * dx + (y - start.y) * dy) / length2)) : 0.5
                    let position = t * Double(last)
                    let k = min(last - 1, Int(position))
                    let w = position - Double(k)
                    let (f, g) = (factors[k], factors[k + 1])
                    func channel(_ shift: UInt32, _ a: Double, _ b: Double) -> UInt32 {
                        let value = Double(word >> shift & 0xFF) * (a + (b - a) * w)
                        return min(alpha, UInt32(max(0, value) + 0.5)) << shift
                    }
                    pixels[column] = alpha << 24 | channel(16, f.0, g.0) | channel(8, f.1, g.1) | channel(0, f.2, g.2)
                }
            }
        }
        cairo_set_source_surface(cr, surface.surface, Double(x0), Double(y0))
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

}

/// Cast shadows (see ``SceneModel/Shadow``), drawn into the picture only.
enum ShadowRenderer {
    /// Darkens `cr`'s picture with `instance`'s shadow: the antialiased coverage of its
    /// shadow-casting shapes (each at its opacity), moved `shadow.distance` pixels along
    /// `direction` (degrees, y down), blurred by a Gaussian of σ = `shadow.blur` pixels, used
    /// as a mask (`cairo_mask_surface`) for the shadow colour at `shadow.opacity` times the
    /// colour's alpha.
    /// - Throws: `RenderError.cairo` if the mask surface cannot be made.
    /// - Complexity: the coverage fills plus a separable blur over the shadow's box.
    static func draw(_ instance: Instance, shadow: Shadow, direction: Double,
                     canvasWidth: Int, canvasHeight: Int, _ cr: OpaquePointer,
                     outlines: TextOutlines) throws {
        let values = [shadow.distance, shadow.blur, shadow.opacity, direction]
        guard shadow.opacity > 0, values.allSatisfy(\.isFinite) else { return }
        let casters = instance.shapes.filter { $0.castsShadow && $0.opacity > 0 }
        guard let bounds = SceneRenderer.deviceBounds(casters, includingOutlines: true, cr, outlines: outlines) else { return }
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
                                           origin: (Double(x0) - dx, Double(y0) - dy), outlines: outlines)
            }
        }
        if sigma > 0 { blurAlpha(mask, sigma: sigma) }
        let c = shadow.color
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, min(1, shadow.opacity) * min(1, max(0, c.alpha)))
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
