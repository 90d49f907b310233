import SceneModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Image effects (``SceneModel/Effect``) on a finished RGB picture. They read and write the
/// picture's pixels only; masks are separate arrays that no effect sees.
enum ImageEffects {
    /// Applies `effects` in order to `image` (an RGB24 surface) as `sensor` records it: the
    /// picture is widened once to `Float` planes in 0…1 (three for RGB; one, the BT.601 luma,
    /// for grey), each effect runs over them and clamps to 0…1, and the result is rounded back
    /// to 8 bits in `image` (grey as R = G = B).
    /// - Returns: for a grey sensor, the samples at its bit depth; `nil` for RGB.
    /// - Complexity: O(pixels · channels) per effect; Gaussian blur O(pixels · σ), motion blur
    ///   O(pixels · length); haze O(pixels) whatever its σ.
    static func apply(_ effects: [Effect], to image: ImageSurface, sensor: Sensor = .rgb8) throws -> GrayPicture? {
        guard sensor.isGray || !effects.isEmpty else { return nil }
        if !sensor.isGray, effects.count == 1, case let .gaussianNoise(sigma, seed) = effects[0] {
            // The common case, fused: the same arithmetic as widening to planes, adding the
            // noise, clamping and rounding back, so the same bytes, in one pass over the pixels.
            GaussianNoise(sigma: Float(sigma), seed: seed)?.add(to: image)
            return nil
        }
        var planes = Planes(image, channels: sensor.channels)
        for effect in effects { planes.apply(effect) }
        planes.write(to: image)
        return sensor.isGray ? planes.grayPicture(bitDepth: sensor.bitDepth) : nil
    }

    /// Blurs a row-major `width × height` plane in place with three box blurs whose widths
    /// approximate a Gaussian of standard deviation `sigma` pixels (Kovesi, "Fast almost-Gaussian
    /// filtering", 2010), edge pixels repeated beyond the border.
    /// - Complexity: O(pixels), whatever `sigma`.
    static func boxGaussianBlur(_ plane: UnsafeMutableBufferPointer<Float>, width: Int, height: Int, sigma: Double) {
        guard sigma > 0, sigma.isFinite, width > 0, height > 0 else { return }
        let passes = 3.0
        let ideal = (12 * sigma * sigma / passes + 1).squareRoot()
        var lower = Int(ideal.rounded(.down))
        if lower % 2 == 0 { lower -= 1 }
        lower = max(1, lower)
        let l = Double(lower)
        let m = Int(((12 * sigma * sigma - passes * l * l - 4 * passes * l - 3 * passes) / (-4 * l - 4)).rounded())
        let temp = UnsafeMutableBufferPointer<Float>.allocate(capacity: width * height)
        defer { temp.deallocate() }
        for pass in 0..<3 {
            let radius = min((pass < m ? lower : lower + 2) / 2, max(width, height))
            guard radius > 0 else { continue }
            boxBlurRows(from: plane, to: temp, width: width, height: height, radius: radius)
            boxBlurColumns(from: temp, to: plane, width: width, height: height, radius: radius)
        }
    }

    /// Each row of `source` averaged over `2 · radius + 1` pixels into `target`, edges
    /// clamped; running sums.
    private static func boxBlurRows(from source: UnsafeMutableBufferPointer<Float>, to target: UnsafeMutableBufferPointer<Float>,
                                    width: Int, height: Int, radius: Int) {
        let scale = 1 / Float(2 * radius + 1)
        for y in 0..<height {
            let row = source.baseAddress! + y * width, out = target.baseAddress! + y * width
            var sum: Float = 0
            for k in -radius...radius { sum += row[min(width - 1, max(0, k))] }
            for x in 0..<width {
                out[x] = sum * scale
                sum += row[min(width - 1, x + radius + 1)] - row[max(0, x - radius)]
            }
        }
    }

    /// Each column of `source` averaged over `2 · radius + 1` rows into `target`, edges
    /// clamped; a running sum of whole rows, so memory is read row by row.
    private static func boxBlurColumns(from source: UnsafeMutableBufferPointer<Float>, to target: UnsafeMutableBufferPointer<Float>,
                                       width: Int, height: Int, radius: Int) {
        let scale = 1 / Float(2 * radius + 1)
        let sum = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { sum.deallocate() }
        sum.initialize(repeating: 0, count: width)
        let base = source.baseAddress!
        func row(_ y: Int) -> UnsafeMutablePointer<Float> { base + min(height - 1, max(0, y)) * width }
        for k in -radius...radius { addScaled(sum, row(k), 1, width) }
        for y in 0..<height {
            let out = target.baseAddress! + y * width
            for x in 0..<width { out[x] = sum[x] * scale }
            addScaled(sum, row(y + radius + 1), 1, width)
            addScaled(sum, row(y - radius), -1, width)
        }
    }

    /// Blurs a row-major `width × height` plane in place with a Gaussian of standard
    /// deviation `sigma` pixels: separable, kernel radius ⌈3σ⌉ with weights summing to 1,
    /// edge pixels repeated beyond the border. Each output is its taps' products added in
    /// kernel order to 0, summed in registers (one store per output, not a load and a store
    /// per tap).
    /// - Complexity: O(pixels · σ).
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
        let sources = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: kernel.count)
        defer { row.deallocate(); temp.deallocate(); sources.deallocate() }
        kernel.withUnsafeBufferPointer { kernel in
            for y in 0..<height {
                let line = p + y * width
                row.initialize(repeating: line[0], count: radius)
                (row + radius).update(from: line, count: width)
                (row + radius + width).initialize(repeating: line[width - 1], count: radius)
                for i in kernel.indices { sources[i] = UnsafePointer(row + i) }
                weightedSum(into: temp + y * width, count: width, kernel, sources)
            }
            // Vertical: whole rows at a time, rows clamped at the top and bottom.
            for y in 0..<height {
                for i in kernel.indices { sources[i] = UnsafePointer(temp + min(height - 1, max(0, y + i - radius)) * width) }
                weightedSum(into: p + y * width, count: width, kernel, sources)
            }
        }
    }
}

/// `destination[j] = 0 + kernel[0] · sources[0][j] + kernel[1] · sources[1][j] + …`, added
/// in that order, for `j` in `0..<count`: 32 outputs at a time in four independent
/// eight-lane sums (so the additions of one tap overlap), then eight, then one.
@inline(__always)
private func weightedSum(into destination: UnsafeMutablePointer<Float>, count: Int, _ kernel: UnsafeBufferPointer<Float>,
                         _ sources: UnsafeMutablePointer<UnsafePointer<Float>>) {
    typealias Lanes = SIMD8<Float>
    func load(_ source: UnsafePointer<Float>, _ j: Int) -> Lanes { UnsafeRawPointer(source + j).loadUnaligned(as: Lanes.self) }
    func store(_ sum: Lanes, _ j: Int) { UnsafeMutableRawPointer(destination + j).storeBytes(of: sum, as: Lanes.self) }
    var j = 0
    while j + 32 <= count {
        var (s0, s1, s2, s3) = (Lanes(repeating: 0), Lanes(repeating: 0), Lanes(repeating: 0), Lanes(repeating: 0))
        for i in 0..<kernel.count {
            let (w, source) = (Lanes(repeating: kernel[i]), sources[i])
            s0 = s0 + w * load(source, j)
            s1 = s1 + w * load(source, j + 8)
            s2 = s2 + w * load(source, j + 16)
            s3 = s3 + w * load(source, j + 24)
        }
        store(s0, j); store(s1, j + 8); store(s2, j + 16); store(s3, j + 24)
        j += 32
    }
    while j + 8 <= count {
        var sum = Lanes(repeating: 0)
        for i in 0..<kernel.count { sum = sum + Lanes(repeating: kernel[i]) * load(sources[i], j) }
        store(sum, j)
        j += 8
    }
    while j < count {
        var sum: Float = 0
        for i in 0..<kernel.count { sum += kernel[i] * sources[i][j] }
        destination[j] = sum
        j += 1
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

/// A channel byte as a colour value in 0…1: the byte / 255.
@inline(__always)
private func unit(_ byte: UInt32) -> Float { Float(byte) * (1 / 255) }

/// `value` clamped to 0…1; NaN becomes 0.
@inline(__always)
private func clampUnit(_ value: Float) -> Float { value > 1 ? 1 : (value >= 0 ? value : 0) }

/// A colour value in 0…1 rounded to the nearest byte (ties to even). Adding 2²³ leaves the
/// rounded integer in the low mantissa bits of a `Float` (values are at most 255, far below
/// 2²³), which is cheaper than a checked conversion.
@inline(__always)
private func byte(_ value: Float) -> UInt32 { (value * 255 + 8_388_608).bitPattern & 0xFF }

/// ``unit(_:)`` of four bytes: `Float(byte)` made exactly by placing the byte in the
/// mantissa of 2²³ and subtracting 2²³, then the same multiplication.
@inline(__always)
private func units4(_ bytes: SIMD4<UInt32>) -> SIMD4<Float> {
    (unsafeBitCast(bytes | 0x4B00_0000, to: SIMD4<Float>.self) - 8_388_608) * (1 / 255)
}

/// ``clampUnit(_:)`` of four values.
@inline(__always)
private func clampUnit4(_ values: SIMD4<Float>) -> SIMD4<Float> {
    var v = values.replacing(with: 0, where: .!(values .>= 0))
    v.replace(with: 1, where: v .> 1)
    return v
}

/// ``byte(_:)`` of four values.
@inline(__always)
private func bytes4(_ values: SIMD4<Float>) -> SIMD4<UInt32> {
    unsafeBitCast(values * 255 + 8_388_608, to: SIMD4<UInt32>.self) & 0xFF
}

/// Seeded Gaussian noise per pixel and channel (``SceneModel/Effect/gaussianNoise(sigma:seed:)``):
/// one SplitMix64 hash of (seed, pixel index) gives three 12-bit numbers, and each picks one of
/// the 4096 equally likely quantiles of the normal distribution in ``quantiles``, so the noise
/// does not depend on the order or thread in which pixels are computed.
struct GaussianNoise {
    /// The midpoints of 4096 equal-probability bins of the standard normal distribution,
    /// Φ⁻¹((k + ½) / 4096), scaled so that the table has mean 0 and variance exactly 1; the
    /// tails are cut at ±3.67σ.
    static let quantiles: [Float] = {
        let count = 4096
        var z = (0..<count).map { inverseNormalCDF((Double($0) + 0.5) / Double(count)) }
        let rms = (z.reduce(0) { $0 + $1 * $1 } / Double(count)).squareRoot()
        for k in z.indices { z[k] /= rms }
        return z.map(Float.init)
    }()

    private let key: UInt64
    /// ``quantiles`` times σ.
    private let levels: [Float]

    /// - Returns: `nil` when `sigma` is 0 or not finite (no noise).
    init?(sigma: Float, seed: UInt64) {
        guard sigma != 0, sigma.isFinite else { return nil }
        key = PixelHash.mix(seed)
        levels = GaussianNoise.quantiles.map { $0 * sigma }
    }

    /// The noise for red, green and blue of the pixel at row-major index `pixel`.
    @inline(__always)
    func values(pixel: Int) -> (Float, Float, Float) {
        let bits = PixelHash.mix(key &+ UInt64(pixel))
        return levels.withUnsafeBufferPointer { t in
            (t[Int(bits & 0xFFF)], t[Int(bits >> 16 & 0xFFF)], t[Int(bits >> 32 & 0xFFF)])
        }
    }

    /// Adds the noise to `image`'s RGB24 pixels: each channel widened to 0…1, noise added,
    /// clamped and rounded back, exactly as ``Planes`` does it. Four pixels at a time: the
    /// hashes and table look-ups are scalar, the arithmetic is the same `Float` operations in
    /// the same order on four lanes (no fused multiply-add), so the bytes are those of the
    /// one-pixel loop that finishes each row.
    func add(to image: ImageSurface) {
        let (width, height) = (image.width, image.height)
        levels.withUnsafeBufferPointer { levels in
            let t = levels.baseAddress!
            image.withMutablePixelBytes { bytes in
                for y in 0..<height {
                    let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                    var x = 0
                    while x + 4 <= width {
                        let i = key &+ UInt64(y * width + x)
                        let h = (PixelHash.mix(i), PixelHash.mix(i &+ 1), PixelHash.mix(i &+ 2), PixelHash.mix(i &+ 3))
                        func noise(_ shift: UInt64) -> SIMD4<Float> {
                            SIMD4(t[Int(h.0 >> shift & 0xFFF)], t[Int(h.1 >> shift & 0xFFF)],
                                  t[Int(h.2 >> shift & 0xFFF)], t[Int(h.3 >> shift & 0xFFF)])
                        }
                        let word = UnsafeRawPointer(row + x).loadUnaligned(as: SIMD4<UInt32>.self)
                        let r = bytes4(clampUnit4(units4(word &>> 16 & 0xFF) + noise(0)))
                        let g = bytes4(clampUnit4(units4(word &>> 8 & 0xFF) + noise(16)))
                        let b = bytes4(clampUnit4(units4(word & 0xFF) + noise(32)))
                        UnsafeMutableRawPointer(row + x).storeBytes(of: r &<< 16 | g &<< 8 | b, as: SIMD4<UInt32>.self)
                        x += 4
                    }
                    while x < width {
                        let bits = PixelHash.mix(key &+ UInt64(y * width + x))
                        let word = row[x]
                        let r = byte(clampUnit(unit(word >> 16 & 0xFF) + t[Int(bits & 0xFFF)]))
                        let g = byte(clampUnit(unit(word >> 8 & 0xFF) + t[Int(bits >> 16 & 0xFFF)]))
                        let b = byte(clampUnit(unit(word & 0xFF) + t[Int(bits >> 32 & 0xFFF)]))
                        row[x] = r << 16 | g << 8 | b
                        x += 1
                    }
                }
            }
        }
    }

    /// Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative error 1.15·10⁻⁹)
    /// refined by one Halley step on Φ(x) = erfc(−x/√2)/2.
    static func inverseNormalCDF(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low || p > 1 - low {
            let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            if p > 1 - low { x = -x }
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }
}

/// A picture as `channels` planes of `Float` in 0…1, row-major, each `width * height`
/// values: red, then green, then blue; or one grey plane.
private struct Planes {
    let width: Int
    let height: Int
    /// 3 (RGB) or 1 (grey).
    let channels: Int
    var values: [Float]

    private var count: Int { width * height }

    /// The picture of `image` as 3 planes, or as 1 plane of its luma
    /// 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601).
    init(_ image: ImageSurface, channels: Int) {
        precondition(channels == 1 || channels == 3)
        width = image.width
        height = image.height
        self.channels = channels
        let n = image.width * image.height
        values = [Float](unsafeUninitializedCapacity: channels * n) { out, initialized in
            image.withPixelBytes { bytes in
                for y in 0..<image.height {
                    let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<image.width {
                        let word = row[x], i = y * image.width + x
                        let (r, g, b) = (unit(word >> 16 & 0xFF), unit(word >> 8 & 0xFF), unit(word & 0xFF))
                        if channels == 1 {
                            out[i] = clampUnit(0.299 * r + 0.587 * g + 0.114 * b)
                        } else {
                            (out[i], out[n + i], out[2 * n + i]) = (r, g, b)
                        }
                    }
                }
            }
            initialized = channels * n
        }
    }

    /// Rounds the planes (clamped to 0…1 by every effect) back into `image`'s pixels; one
    /// grey plane as R = G = B.
    func write(to image: ImageSurface) {
        let n = count
        let (green, blue) = channels == 1 ? (0, 0) : (n, 2 * n)
        values.withUnsafeBufferPointer { v in
            image.withMutablePixelBytes { bytes in
                for y in 0..<height {
                    let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<width {
                        let i = y * width + x
                        row[x] = byte(v[i]) << 16 | byte(v[green + i]) << 8 | byte(v[blue + i])
                    }
                }
            }
        }
    }

    /// The first plane as samples of `bitDepth` bits: 8 → the byte of ``write(to:)``;
    /// 16 → round(v · 65535), to nearest.
    func grayPicture(bitDepth: Int) -> GrayPicture {
        let n = count
        let samples = values.withUnsafeBufferPointer { v in
            (0..<n).map { i in bitDepth == 16 ? UInt16((v[i] * 65535).rounded()) : UInt16(byte(v[i])) }
        }
        return GrayPicture(width: width, height: height, bitDepth: bitDepth, samples: samples)
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
            guard channels == 3 else { break }   // grey has no colour to scale
            saturate(Float(factor))
        case let .vignette(strength, radius):
            vignette(strength: Float(strength), radius: Float(radius))
        case let .colorTemperature(kelvin):
            guard channels == 3 else { break }   // a grey sensor has no white balance
            let white = blackBody(6500), target = blackBody(kelvin)
            let n = count
            values.withUnsafeMutableBufferPointer { v in
                for c in 0..<3 {
                    let gain = Float(target[c] / white[c])
                    for i in (c * n)..<((c + 1) * n) { v[i] *= gain }
                }
            }
        case let .haze(sigma, amount):
            let a = Float(amount)
            forEachPlane { plane in
                let wide = UnsafeMutableBufferPointer<Float>.allocate(capacity: plane.count)
                defer { wide.deallocate() }
                _ = wide.initialize(from: plane)
                ImageEffects.boxGaussianBlur(wide, width: width, height: height, sigma: sigma)
                addScaled(plane.baseAddress!, wide.baseAddress!, a, plane.count)
            }
        case let .flatField(falloff, gradient, seed):
            flatField(falloff: falloff, gradient: gradient, seed: seed)
        case let .detector(photons, readNoise, offset, seed):
            detect(photons: photons, readNoise: Float(readNoise), offset: Float(offset), seed: seed)
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
        transformValues(clampUnit)
    }

    private mutating func forEachPlane(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = count
        values.withUnsafeMutableBufferPointer { v in
            for c in 0..<channels { body(UnsafeMutableBufferPointer(rebasing: v[(c * n)..<((c + 1) * n)])) }
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

    private mutating func addNoise(sigma: Float, seed: UInt64) {
        guard let noise = GaussianNoise(sigma: sigma, seed: seed) else { return }
        let n = count
        let isGray = channels == 1
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
                let (r, g, b) = noise.values(pixel: i)
                v[i] += r
                guard !isGray else { continue }
                v[n + i] += g
                v[2 * n + i] += b
            }
        }
    }

    /// Multiplies every plane by a per-pixel factor.
    private mutating func scale(by factor: (_ x: Int, _ y: Int) -> Float) {
        let n = count, channels = self.channels, width = self.width, height = self.height
        values.withUnsafeMutableBufferPointer { v in
            for y in 0..<height {
                for x in 0..<width {
                    let f = factor(x, y), i = y * width + x
                    for c in 0..<channels { v[c * n + i] *= f }
                }
            }
        }
    }

    /// ``SceneModel/Effect/flatField(falloff:gradient:seed:)``: three uniform numbers from
    /// hashes of `seed` place the optical centre (±10 % of the size) and turn the gradient.
    private mutating func flatField(falloff: Double, gradient: Double, seed: UInt64) {
        func uniform(_ k: UInt64) -> Double { Double(PixelHash.mix(PixelHash.mix(seed) &+ k) >> 11) * 0x1p-53 }
        let (w, h) = (Double(width), Double(height))
        let halfDiagonal = (w * w + h * h).squareRoot() / 2
        let (ox, oy) = (w / 2 + (uniform(0) - 0.5) * 0.2 * w, h / 2 + (uniform(1) - 0.5) * 0.2 * h)
        let angle = uniform(2) * 2 * .pi
        let (ux, uy) = (Float(cos(angle) / halfDiagonal), Float(sin(angle) / halfDiagonal))
        let (a, g) = (Float(falloff / (halfDiagonal * halfDiagonal)), Float(gradient))
        let (cx, cy, fx, fy) = (Float(w / 2), Float(h / 2), Float(ox), Float(oy))
        scale { x, y in
            let (px, py) = (Float(x) + 0.5, Float(y) + 0.5)
            let (dx, dy) = (px - fx, py - fy)
            let t = (px - cx) * ux + (py - cy) * uy
            return max(0, (1 - a * (dx * dx + dy * dy)) * (1 + g * t))
        }
    }

    /// ``SceneModel/Effect/detector(photons:readNoise:offset:seed:)``: one SplitMix64 hash per
    /// sample (channel-major index) gives 12 bits for the read noise, 12 for the normal
    /// approximation of the shot noise and 32 for the uniform of the exact Poisson inversion.
    private mutating func detect(photons: Double, readNoise: Float, offset: Float, seed: UInt64) {
        let key = PixelHash.mix(seed)
        let scale = Float(1 / photons)
        values.withUnsafeMutableBufferPointer { v in
            GaussianNoise.quantiles.withUnsafeBufferPointer { z in
                for i in v.indices {
                    let bits = PixelHash.mix(key &+ UInt64(i))
                    let mean = Double(max(0, v[i])) * photons
                    var counts: Float
                    if mean < 32 {
                        // Inversion: the smallest k whose cumulative probability reaches u.
                        let u = (Double(bits >> 32) + 0.5) * 0x1p-32
                        var p = exp(-mean), total = p, k = 0
                        while u > total, k < 256 {
                            k += 1
                            p *= mean / Double(k)
                            total += p
                        }
                        counts = Float(k)
                    } else {
                        counts = max(0, (Float(mean) + Float(mean.squareRoot()) * z[Int(bits >> 12 & 0xFFF)]).rounded())
                    }
                    counts += readNoise * z[Int(bits & 0xFFF)] + offset
                    v[i] = counts * scale
                }
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
        scale { x, y in
            let (dx, dy) = (Float(x) + 0.5 - cx, Float(y) + 0.5 - cy)
            let t = min(1, max(0, ((dx * dx + dy * dy).squareRoot() / halfDiagonal - radius) / span))
            return 1 - strength * t * t * (3 - 2 * t)
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
