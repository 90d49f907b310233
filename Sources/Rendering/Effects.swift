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
    static func gaussianBlur(_ plane: UnsafeMutableBufferPointer<Float>, width: Int, height: Int, sigma: Double) {
        guard sigma > 0, sigma.isFinite, width > 0, height > 0 else { return }
        let radius = min(Int(ceil(3 * sigma)), max(width, height))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        for i in kernel.indices { kernel[i] /= total }
        let p = plane.baseAddress!
        // Horizontal: each row copied with `radius` repeated edge pixels on both sides.
        let row = UnsafeMutablePointer<Float>.allocate(capacity: width + 2 * radius)
        let temp = UnsafeMutablePointer<Float>.allocate(capacity: width * height)
        defer { row.deallocate(); temp.deallocate() }
        temp.initialize(repeating: 0, count: width * height)
        for y in 0..<height {
            let line = p + y * width
            row.initialize(repeating: line[0], count: radius)
            (row + radius).update(from: line, count: width)
            (row + radius + width).initialize(repeating: line[width - 1], count: radius)
            for (i, weight) in kernel.enumerated() { addScaled(temp + y * width, row + i, weight, width) }
        }
        // Vertical: whole rows at a time, rows clamped at the top and bottom.
        plane.update(repeating: 0)
        for y in 0..<height {
            for (i, weight) in kernel.enumerated() {
                let source = min(height - 1, max(0, y + i - radius))
                addScaled(p + y * width, temp + source * width, weight, width)
            }
        }
    }
}

/// `destination[i] += weight · source[i]` for `i` in `0..<count`, eight lanes at a time.
@inline(__always)
private func addScaled(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ weight: Float, _ count: Int) {
    let w = SIMD8<Float>(repeating: weight)
    var i = 0
    while i + 8 <= count {
        let s = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
        let d = UnsafeRawPointer(destination + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(destination + i).storeBytes(of: d + w * s, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        destination[i] += weight * source[i]
        i += 1
    }
}

/// A picture as three planes of `Float` in 0…1, row-major: red, then green, then blue, each
/// `width * height` values.
private struct Planes {
    let width: Int
    let height: Int
    var values: [Float]

    private var count: Int { width * height }

    init(_ image: ImageSurface) {
        width = image.width
        height = image.height
        let n = image.width * image.height
        values = [Float](unsafeUninitializedCapacity: 3 * n) { out, initialized in
            image.withPixelBytes { bytes in
                for y in 0..<image.height {
                    let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<image.width {
                        let word = row[x], i = y * image.width + x
                        out[i] = Float((word >> 16) & 0xFF) * (1 / 255)
                        out[n + i] = Float((word >> 8) & 0xFF) * (1 / 255)
                        out[2 * n + i] = Float(word & 0xFF) * (1 / 255)
                    }
                }
            }
            initialized = 3 * n
        }
    }

    /// Rounds the planes (clamped to 0…1 by every effect) back into `image`'s pixels.
    func write(to image: ImageSurface) {
        // Values are in 0…1, so the truncating conversion is exact rounding and cannot trap.
        @inline(__always) func byte(_ value: Float) -> UInt32 { UInt32(truncatingIfNeeded: Int32(value * 255 + 0.5)) }
        let n = count
        values.withUnsafeBufferPointer { v in
            image.withMutablePixelBytes { bytes in
                for y in 0..<height {
                    let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<width {
                        let i = y * width + x
                        row[x] = byte(v[i]) << 16 | byte(v[n + i]) << 8 | byte(v[2 * n + i])
                    }
                }
            }
        }
    }

    mutating func apply(_ effect: Effect) {
        let (width, height) = (self.width, self.height)
        switch effect {
        case let .gaussianNoise(sigma, seed):
            addNoise(sigma: Float(sigma), seed: seed)
        case let .gaussianBlur(sigma):
            forEachPlane { ImageEffects.gaussianBlur($0, width: width, height: height, sigma: sigma) }
        case let .motionBlur(angle, length):
            forEachPlane { Planes.motionBlur($0, width: width, height: height, angle: angle, length: length) }
        case let .brightness(factor):
            let f = Float(factor)
            transformValues { $0 * f }
        case let .contrast(factor):
            let f = Float(factor)
            transformValues { 0.5 + ($0 - 0.5) * f }
        case let .gamma(gamma):
            let g = Float(gamma)
            guard g > 0, g != 1 else { break }
            transformValues { powf($0, g) }
        case let .saturation(factor):
            saturate(Float(factor))
        case let .vignette(strength, radius):
            vignette(strength: Float(strength), radius: Float(radius))
        case let .colorTemperature(kelvin):
            let white = blackBody(6500), target = blackBody(kelvin)
            let n = count
            values.withUnsafeMutableBufferPointer { v in
                for c in 0..<3 {
                    let gain = Float(target[c] / white[c])
                    for i in (c * n)..<((c + 1) * n) { v[i] *= gain }
                }
            }
        }
        clamp()
    }

    /// Every value through `f`.
    private mutating func transformValues(_ f: (Float) -> Float) {
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] = f(v[i]) }
        }
    }

    /// Every value clamped to 0…1 (NaN becomes 0).
    private mutating func clamp() {
        transformValues { $0 > 1 ? 1 : ($0 >= 0 ? $0 : 0) }
    }

    private mutating func forEachPlane(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = count
        values.withUnsafeMutableBufferPointer { v in
            for c in 0..<3 { body(UnsafeMutableBufferPointer(rebasing: v[(c * n)..<((c + 1) * n)])) }
        }
    }

    private mutating func saturate(_ factor: Float) {
        let n = count
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
                let (r, g, b) = (v[i], v[n + i], v[2 * n + i])
                let luma = 0.299 * r + 0.587 * g + 0.114 * b
                v[i] = luma + (r - luma) * factor
                v[n + i] = luma + (g - luma) * factor
                v[2 * n + i] = luma + (b - luma) * factor
            }
        }
    }

    /// Approximately Gaussian noise: the sum of four uniform variates (Irwin–Hall), centred
    /// and scaled to mean 0 and standard deviation `sigma`, tails cut at ±2√3 σ. The four
    /// 16-bit uniforms come from one hash of (seed, value index).
    private mutating func addNoise(sigma: Float, seed: UInt64) {
        guard sigma != 0, sigma.isFinite else { return }
        let key = PixelHash.mix(seed)
        // Sum of four 16-bit integers: mean 2·65535.5 − 2, variance 4·(65536² − 1)/12.
        let scale = sigma * Float(3).squareRoot() / 65536
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices {
                let bits = PixelHash.mix(key &+ UInt64(i))
                let sum = (bits & 0xFFFF) + (bits >> 16 & 0xFFFF) + (bits >> 32 & 0xFFFF) + (bits >> 48)
                v[i] += (Float(sum) - 2 * 65535) * scale
            }
        }
    }

    /// The mean of a plane along a centred line of `length` pixels at `angle` degrees, one
    /// bilinear sample per pixel step: each sample is the whole plane shifted by a constant
    /// offset, read from a copy padded with repeated edge pixels.
    private static func motionBlur(_ plane: UnsafeMutableBufferPointer<Float>, width: Int, height: Int,
                                   angle: Double, length: Double) {
        guard length.isFinite, angle.isFinite, length < Double(4 * (width + height)) else { return }
        let steps = Int(length.rounded())
        guard steps >= 2 else { return }
        let a = angle * .pi / 180
        let margin = steps / 2 + 2
        let (pw, ph) = (width + 2 * margin, height + 2 * margin)
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: pw * ph)
        defer { padded.deallocate() }
        for y in 0..<ph {
            let source = plane.baseAddress! + min(height - 1, max(0, y - margin)) * width
            let line = padded + y * pw
            line.initialize(repeating: source[0], count: margin)
            (line + margin).initialize(from: source, count: width)
            (line + margin + width).initialize(repeating: source[width - 1], count: margin)
        }
        plane.update(repeating: 0)
        let out = plane.baseAddress!
        let weight = 1 / Float(steps)
        for step in 0..<steps {
            let t = Double(step) - Double(steps - 1) / 2
            let (ox, oy) = (t * cos(a), t * sin(a))
            let (ix, iy) = (Int(floor(ox)), Int(floor(oy)))
            let (fx, fy) = (Float(ox - floor(ox)), Float(oy - floor(oy)))
            let taps: [(dx: Int, dy: Int, w: Float)] = [
                (0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy),
            ]
            for tap in taps where tap.w > 0 {
                for y in 0..<height {
                    let source = padded + (y + margin + iy + tap.dy) * pw + margin + ix + tap.dx
                    addScaled(out + y * width, source, weight * tap.w, width)
                }
            }
        }
    }

    private mutating func vignette(strength: Float, radius: Float) {
        let (cx, cy) = (Float(width) / 2, Float(height) / 2)
        let halfDiagonal = (cx * cx + cy * cy).squareRoot()
        let span = max(1e-6, 1 - radius)
        let n = count
        values.withUnsafeMutableBufferPointer { v in
            for y in 0..<height {
                for x in 0..<width {
                    let (dx, dy) = (Float(x) + 0.5 - cx, Float(y) + 0.5 - cy)
                    let t = min(1, max(0, ((dx * dx + dy * dy).squareRoot() / halfDiagonal - radius) / span))
                    let factor = 1 - strength * t * t * (3 - 2 * t)
                    let i = y * width + x
                    v[i] *= factor
                    v[n + i] *= factor
                    v[2 * n + i] *= factor
                }
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
