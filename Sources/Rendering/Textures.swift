internal import CCairo
import SceneModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Procedural textures (``SceneModel/Texture``), evaluated per device pixel.
enum TextureRenderer {
    /// Renders `texture` over the canvas pixels `x0..<x1` × `y0..<y1` into an ARGB32 surface
    /// whose pixel (0, 0) is canvas pixel (x0, y0). `frame` maps the texture's frame (a
    /// shape's local frame, or the canvas) to canvas pixels; each pixel takes the pattern at
    /// its centre mapped back through `frame`, averaged over a 2 × 2 grid of sub-pixel samples
    /// for the hard-edged patterns so their edges are antialiased like Cairo's fills.
    /// - Returns: `nil` when `frame` is singular or the window is empty.
    /// - Throws: `RenderError.cairo` if the surface cannot be created.
    /// - Complexity: O(pixels × samples × octaves).
    static func surface(_ texture: Texture, frame: AffineTransform,
                        x0: Int, y0: Int, x1: Int, y1: Int) throws -> ImageSurface? {
        guard x1 > x0, y1 > y0, let inverse = frame.inverted, texture.scale > 0, texture.scale.isFinite else {
            return nil
        }
        // Texture frame → pattern units: rotate by −angle, then divide by the scale.
        let toPattern = AffineTransform.scale(1 / texture.scale, 1 / texture.scale)
            .concatenating(.rotation(degrees: -texture.angle)).concatenating(inverse)
        let surface = try ImageSurface(width: x1 - x0, height: y1 - y0, format: CAIRO_FORMAT_ARGB32)
        let isSmooth: Bool
        switch texture.pattern {
        case .valueNoise, .perlinNoise: isSmooth = true
        case .stripes, .checker, .dots: isSmooth = false
        }
        let offsets: [Double] = isSmooth ? [0.5] : [0.25, 0.75]
        let weight = 1 / Double(offsets.count * offsets.count)
        let (fg, bg) = (texture.foreground, texture.background)
        surface.withMutablePixelBytes { bytes in
            for y in 0..<surface.height {
                let row = bytes.baseAddress!.advanced(by: y * surface.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<surface.width {
                    var value = 0.0
                    for oy in offsets {
                        for ox in offsets {
                            let p = toPattern.apply(Point(Double(x0 + x) + ox, Double(y0 + y) + oy))
                            value += patternValue(texture.pattern, p.x, p.y)
                        }
                    }
                    row[x] = premultipliedARGB(mix(bg, fg, value * weight))
                }
            }
        }
        return surface
    }

    /// The pattern's value in 0…1 at (u, v) in pattern units (one period or cell per unit).
    static func patternValue(_ pattern: Texture.Pattern, _ u: Double, _ v: Double) -> Double {
        switch pattern {
        case let .stripes(duty):
            return u - floor(u) < duty ? 1 : 0
        case .checker:
            return (Int(floor(u)) + Int(floor(v))) & 1 == 0 ? 1 : 0
        case let .dots(radius):
            let (du, dv) = (u - floor(u) - 0.5, v - floor(v) - 0.5)
            return du * du + dv * dv < radius * radius ? 1 : 0
        case let .valueNoise(seed, octaves):
            return fractal(octaves, u, v) { valueNoise(seed &+ UInt64($2), $0, $1) }
        case let .perlinNoise(seed, octaves):
            return fractal(octaves, u, v) { min(1, max(0, 0.5 + 0.7 * perlinNoise(seed &+ UInt64($2), $0, $1))) }
        }
    }

    /// Sums `octaves` ≥ 1 layers `noise(u·2^k, v·2^k, k)` with amplitudes 2^−k, divided by the
    /// total amplitude so that a noise in 0…1 stays in 0…1.
    private static func fractal(_ octaves: Int, _ u: Double, _ v: Double,
                                _ noise: (Double, Double, Int) -> Double) -> Double {
        var (sum, amplitude, total, frequency) = (0.0, 1.0, 0.0, 1.0)
        for k in 0..<max(1, min(octaves, 16)) {
            sum += amplitude * noise(u * frequency, v * frequency, k)
            total += amplitude
            amplitude *= 0.5
            frequency *= 2
        }
        return sum / total
    }

    /// Value noise in 0…1: hashed values at integer lattice points, interpolated with
    /// smoothstep weights.
    static func valueNoise(_ seed: UInt64, _ u: Double, _ v: Double) -> Double {
        let (iu, iv) = (floor(u), floor(v))
        let (i, j) = (Int(iu), Int(iv))
        let (fu, fv) = (u - iu, v - iv)
        func value(_ a: Int, _ b: Int) -> Double { Double(PixelHash.unit(PixelHash.hash(seed, a, b))) }
        let (su, sv) = (fu * fu * (3 - 2 * fu), fv * fv * (3 - 2 * fv))
        let top = value(i, j) + su * (value(i + 1, j) - value(i, j))
        let bottom = value(i, j + 1) + su * (value(i + 1, j + 1) - value(i, j + 1))
        return top + sv * (bottom - top)
    }

    /// Perlin gradient noise, about −0.7…0.7: unit gradients at integer lattice points at
    /// hashed angles, blended with the quintic fade 6t⁵ − 15t⁴ + 10t³ (Perlin 2002).
    static func perlinNoise(_ seed: UInt64, _ u: Double, _ v: Double) -> Double {
        let (iu, iv) = (floor(u), floor(v))
        let (i, j) = (Int(iu), Int(iv))
        let (fu, fv) = (u - iu, v - iv)
        func dot(_ a: Int, _ b: Int, _ du: Double, _ dv: Double) -> Double {
            let angle = 2 * Double.pi * Double(PixelHash.unit(PixelHash.hash(seed, a, b)))
            return cos(angle) * du + sin(angle) * dv
        }
        func fade(_ t: Double) -> Double { t * t * t * (t * (t * 6 - 15) + 10) }
        let (su, sv) = (fade(fu), fade(fv))
        let top = dot(i, j, fu, fv) + su * (dot(i + 1, j, fu - 1, fv) - dot(i, j, fu, fv))
        let bottom = dot(i, j + 1, fu, fv - 1) + su * (dot(i + 1, j + 1, fu - 1, fv - 1) - dot(i, j + 1, fu, fv - 1))
        return top + sv * (bottom - top)
    }
}

/// `a` blended towards `b` by `t` ∈ 0…1, per straight component.
func mix(_ a: Color, _ b: Color, _ t: Double) -> Color {
    Color(red: a.red + (b.red - a.red) * t, green: a.green + (b.green - a.green) * t,
          blue: a.blue + (b.blue - a.blue) * t, alpha: a.alpha + (b.alpha - a.alpha) * t)
}

/// `color` as a `CAIRO_FORMAT_ARGB32` word: premultiplied, 8 bits per channel.
func premultipliedARGB(_ color: Color) -> UInt32 {
    func byte(_ v: Double) -> UInt32 { UInt32((min(1, max(0, v)) * 255).rounded()) }
    let a = min(1, max(0, color.alpha))
    return byte(a) << 24 | byte(color.red * a) << 16 | byte(color.green * a) << 8 | byte(color.blue * a)
}

extension AffineTransform {
    /// The inverse transform, or `nil` when this one is singular or not finite.
    var inverted: AffineTransform? {
        let determinant = a * d - b * c
        guard determinant != 0, determinant.isFinite, tx.isFinite, ty.isFinite else { return nil }
        let (ia, ib, ic, id) = (d / determinant, -b / determinant, -c / determinant, a / determinant)
        return AffineTransform(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ic * ty), ty: -(ib * tx + id * ty))
    }
}
