import SceneModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Image effects (``SceneModel/Effect``) on a finished RGB picture. They read and write the
/// picture's pixels only; masks are separate arrays that no effect sees.
enum ImageEffects {
    /// Applies `effects` in order to `image` (an RGB24 surface): the picture is widened once
    /// to three `Float` planes in 0…1, each effect runs over them and clamps to 0…1, and the
    /// result is rounded back to 8 bits.
    /// - Complexity: O(pixels) per effect; Gaussian blur O(pixels · σ), motion blur
    ///   O(pixels · length).
    static func apply(_ effects: [Effect], to image: ImageSurface) throws {
        guard !effects.isEmpty else { return }
        var planes = Planes(image)
        for effect in effects { planes.apply(effect) }
        planes.write(to: image)
    }

    /// Blurs a row-major `width × height` plane in place with a Gaussian of standard
    /// deviation `sigma` pixels: separable, kernel radius ⌈3σ⌉ with weights summing to 1,
    /// edge pixels repeated beyond the border.
    static func gaussianBlur(_ plane: inout [Float], width: Int, height: Int, sigma: Double) {
        guard sigma > 0, sigma.isFinite, width > 0, height > 0 else { return }
        let radius = min(Int(ceil(3 * sigma)), max(width, height))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        for i in kernel.indices { kernel[i] /= total }
        // Horizontal: each row copied with `radius` repeated edge pixels on both sides.
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        var temp = [Float](repeating: 0, count: width * height)
        kernel.withUnsafeBufferPointer { k in
            plane.withUnsafeMutableBufferPointer { p in
                temp.withUnsafeMutableBufferPointer { t in
                    padded.withUnsafeMutableBufferPointer { row in
                        for y in 0..<height {
                            let base = y * width
                            for i in 0..<radius { row[i] = p[base]; row[radius + width + i] = p[base + width - 1] }
                            for x in 0..<width { row[radius + x] = p[base + x] }
                            for x in 0..<width { t[base + x] = 0 }
                            for (i, weight) in k.enumerated() {
                                for x in 0..<width { t[base + x] += weight * row[x + i] }
                            }
                        }
                    }
                    // Vertical: whole rows at a time, rows clamped at the top and bottom.
                    for y in 0..<height {
                        let base = y * width
                        for x in 0..<width { p[base + x] = 0 }
                        for (i, weight) in k.enumerated() {
                            let source = min(height - 1, max(0, y + i - radius)) * width
                            for x in 0..<width { p[base + x] += weight * t[source + x] }
                        }
                    }
                }
            }
        }
    }
}

/// A picture as three planes of `Float` in 0…1, row-major, `width * height` each.
private struct Planes {
    let width: Int
    let height: Int
    var channels: [[Float]]

    init(_ image: ImageSurface) {
        width = image.width
        height = image.height
        let count = width * height
        var (r, g, b) = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count),
                         [Float](repeating: 0, count: count))
        image.withPixelBytes { bytes in
            for y in 0..<image.height {
                let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<image.width {
                    let word = row[x], i = y * image.width + x
                    r[i] = Float((word >> 16) & 0xFF) / 255
                    g[i] = Float((word >> 8) & 0xFF) / 255
                    b[i] = Float(word & 0xFF) / 255
                }
            }
        }
        channels = [r, g, b]
    }

    func write(to image: ImageSurface) {
        image.withMutablePixelBytes { bytes in
            for y in 0..<height {
                let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let i = y * width + x
                    func byte(_ v: Float) -> UInt32 { UInt32(v * 255 + 0.5) }
                    row[x] = byte(channels[0][i]) << 16 | byte(channels[1][i]) << 8 | byte(channels[2][i])
                }
            }
        }
    }

    mutating func apply(_ effect: Effect) {
        switch effect {
        case let .gaussianNoise(sigma, seed):
            addNoise(sigma: Float(sigma), seed: seed)
        case let .gaussianBlur(sigma):
            for c in 0..<3 { ImageEffects.gaussianBlur(&channels[c], width: width, height: height, sigma: sigma) }
        case let .motionBlur(angle, length):
            for c in 0..<3 { motionBlur(&channels[c], angle: angle, length: length) }
        case let .brightness(factor):
            let f = Float(factor)
            map { v, _ in v * f }
        case let .contrast(factor):
            let f = Float(factor)
            map { v, _ in 0.5 + (v - 0.5) * f }
        case let .gamma(gamma):
            let g = Float(gamma)
            guard g > 0 else { return }
            map { v, _ in powf(v, g) }
        case let .saturation(factor):
            let f = Float(factor)
            mapPixels { r, g, b in
                let luma = 0.299 * r + 0.587 * g + 0.114 * b
                return (luma + (r - luma) * f, luma + (g - luma) * f, luma + (b - luma) * f)
            }
        case let .vignette(strength, radius):
            vignette(strength: Float(strength), radius: Float(radius))
        case let .colorTemperature(kelvin):
            let white = blackBody(6500), target = blackBody(kelvin)
            let gains = (0..<3).map { Float(target[$0] / white[$0]) }
            for c in 0..<3 { let gain = gains[c]; transform(c) { $0 * gain } }
        }
        clamp()
    }

    /// Every channel of every pixel through `f(value, channel)`.
    private mutating func map(_ f: (Float, Int) -> Float) {
        for c in 0..<3 { transform(c) { f($0, c) } }
    }

    private mutating func transform(_ c: Int, _ f: (Float) -> Float) {
        channels[c].withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = f(p[i]) }
        }
    }

    private mutating func mapPixels(_ f: (Float, Float, Float) -> (Float, Float, Float)) {
        for i in 0..<(width * height) {
            (channels[0][i], channels[1][i], channels[2][i]) = f(channels[0][i], channels[1][i], channels[2][i])
        }
    }

    private mutating func clamp() {
        for c in 0..<3 { transform(c) { min(1, max(0, $0)) } }
    }

    /// Box–Muller on two 32-bit uniforms from one hash of (seed, pixel index, channel).
    private mutating func addNoise(sigma: Float, seed: UInt64) {
        guard sigma != 0, sigma.isFinite else { return }
        for c in 0..<3 {
            channels[c].withUnsafeMutableBufferPointer { p in
                for i in p.indices {
                    let bits = PixelHash.hash(seed, i, c)
                    let u1 = (Float(bits >> 40) + 0.5) * (1 / 16_777_216)
                    let u2 = Float((bits >> 8) & 0xFF_FFFF) * (1 / 16_777_216)
                    p[i] += sigma * (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
                }
            }
        }
    }

    /// The mean of `plane` along a centred line of `length` pixels at `angle` degrees, one
    /// bilinear sample per pixel step: each sample is the whole plane shifted by a constant
    /// offset, read from a copy padded with repeated edge pixels.
    private func motionBlur(_ plane: inout [Float], angle: Double, length: Double) {
        guard length.isFinite, angle.isFinite else { return }
        let count = Int(length.rounded())
        guard count >= 2 else { return }
        let a = angle * .pi / 180
        let margin = count / 2 + 2
        let (pw, ph) = (width + 2 * margin, height + 2 * margin)
        var padded = [Float](repeating: 0, count: pw * ph)
        for y in 0..<ph {
            let source = min(height - 1, max(0, y - margin)) * width
            for x in 0..<pw { padded[y * pw + x] = plane[source + min(width - 1, max(0, x - margin))] }
        }
        var sum = [Float](repeating: 0, count: width * height)
        let weight = 1 / Float(count)
        padded.withUnsafeBufferPointer { src in
            sum.withUnsafeMutableBufferPointer { out in
                for step in 0..<count {
                    let t = Double(step) - Double(count - 1) / 2
                    let (ox, oy) = (t * cos(a), t * sin(a))
                    let (ix, iy) = (Int(floor(ox)), Int(floor(oy)))
                    let (fx, fy) = (Float(ox - floor(ox)), Float(oy - floor(oy)))
                    let w00 = weight * (1 - fx) * (1 - fy), w10 = weight * fx * (1 - fy)
                    let w01 = weight * (1 - fx) * fy, w11 = weight * fx * fy
                    for y in 0..<height {
                        let top = (y + margin + iy) * pw + margin + ix
                        let bottom = top + pw
                        let base = y * width
                        for x in 0..<width {
                            out[base + x] += w00 * src[top + x] + w10 * src[top + x + 1]
                                + w01 * src[bottom + x] + w11 * src[bottom + x + 1]
                        }
                    }
                }
            }
        }
        plane = sum
    }

    private mutating func vignette(strength: Float, radius: Float) {
        let (cx, cy) = (Float(width) / 2, Float(height) / 2)
        let halfDiagonal = (cx * cx + cy * cy).squareRoot()
        let span = max(1e-6, 1 - radius)
        for y in 0..<height {
            for x in 0..<width {
                let (dx, dy) = (Float(x) + 0.5 - cx, Float(y) + 0.5 - cy)
                let t = min(1, max(0, ((dx * dx + dy * dy).squareRoot() / halfDiagonal - radius) / span))
                let factor = 1 - strength * t * t * (3 - 2 * t)
                let i = y * width + x
                for c in 0..<3 { channels[c][i] *= factor }
            }
        }
    }
}

/// The sRGB colour (0…255 per channel) of a black body at `kelvin`, by Tanner Helland's
/// fit (2012), valid for 1000…40000 K (clamped to that range).
private func blackBody(_ kelvin: Double) -> [Double] {
    let t = min(40000, max(1000, kelvin)) / 100
    func clamp(_ v: Double) -> Double { min(255, max(1, v)) }
    let red = t <= 66 ? 255 : clamp(329.698727446 * pow(t - 60, -0.1332047592))
    let green = t <= 66 ? clamp(99.4708025861 * log(t) - 161.1195681661) : clamp(288.1221695283 * pow(t - 60, -0.0755148492))
    let blue = t >= 66 ? 255 : (t <= 19 ? 1 : clamp(138.5177312231 * log(t - 10) - 305.0447927307))
    return [red, green, blue]
}
