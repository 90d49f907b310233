@testable import Rendering
import SceneModel
import Testing
import Foundation

/// A busy scene: a checker background and three labeled shapes.
private func busyScene(_ effects: [Effect], width: Int = 40) -> Scene {
    let checker = Paint.texture(Texture(.checker, scale: 4, foreground: rgbColor(0.2, 0.3, 0.4),
                                        background: rgbColor(0.8, 0.7, 0.6)))
    return scene(width: width, height: 40, [
        square(side: 14, at: 12, 12),
        Shape(geometry: .circle(radius: 8), transform: .translation(26, 26), paint: .solid(rgbColor(0.1, 0.7, 0.3))),
        square(side: 10, at: 28, 10, rotate: 20, paint: .solid(rgbColor(0.5, 0.5, 0.9))),
    ], background: checker, effects: effects)
}

private func render(_ effects: [Effect]) throws -> RenderedScene {
    try SceneRenderer.render(busyScene(effects))
}

@Suite struct EffectsTests {
    static let all: [Effect] = [
        .gaussianNoise(sigma: 0.05, seed: 1), .gaussianBlur(sigma: 1.5), .motionBlur(angle: 30, length: 7),
        .brightness(1.3), .contrast(0.6), .gamma(1.8), .saturation(0.2), .vignette(strength: 0.7, radius: 0.3),
        .colorTemperature(kelvin: 3200),
    ]

    @Test(arguments: all)
    func effectsChangeThePictureButNeverTheRaster(effect: Effect) throws {
        let (plain, affected) = (try render([]), try render([effect]))
        #expect(affected.instanceIDs == plain.instanceIDs)
        #expect(samples(affected) != samples(plain))
    }

    @Test func effectsApplyInOrderAndAreDeterministic() throws {
        let a = try render(Self.all), b = try render(Self.all)
        #expect(samples(a) == samples(b))
        #expect(samples(a) != samples(try render(Self.all.reversed())))
    }

    @Test(arguments: [(1.3, true), (0.7, false)])
    func brightnessMovesTheMean(factor: Double, isBrighter: Bool) throws {
        let (before, after) = (mean(samples(try render([]))), mean(samples(try render([.brightness(factor)]))))
        #expect(isBrighter ? after > before + 10 : after < before - 10)
    }

    @Test(arguments: [Effect.gaussianBlur(sigma: 1.5), .motionBlur(angle: 0, length: 6), .motionBlur(angle: 70, length: 9),
                      .contrast(0.5)])
    func smoothingEffectsReduceVariance(effect: Effect) throws {
        let (before, after) = (variance(samples(try render([]))), variance(samples(try render([effect]))))
        #expect(after < 0.9 * before)
    }

    @Test func blurKeepsAFlatImageFlat() throws {
        let flat = scene([], background: .solid(rgbColor(0.4, 0.5, 0.6)))
        var blurred = flat
        blurred.effects = [.gaussianBlur(sigma: 3), .motionBlur(angle: 45, length: 11)]
        #expect(samples(try SceneRenderer.render(blurred)) == samples(try SceneRenderer.render(flat)))
    }

    /// However the sums are laid out in registers, each value is exactly the separable sum
    /// added in kernel order: a plane of sparse blobs (one at an edge, so edge repetition is
    /// exercised; widths past 32 and not a multiple of 8, so every lane layout is) blurs to
    /// the same bits as the textbook loops.
    @Test(arguments: [0.8, 1.5, 4.0])
    func blurEqualsTheSeparableSums(sigma: Double) {
        let (width, height) = (37, 29)
        var plane = [Float](repeating: 0, count: width * height)
        for (x, y, v) in [(0, 3, 0.9), (1, 3, 0.4), (18, 14, 1.0), (19, 15, 0.25), (36, 28, 0.7)] as [(Int, Int, Float)] {
            plane[y * width + x] = v
        }
        let radius = Int(ceil(3 * sigma))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        for i in kernel.indices { kernel[i] /= total }
        func at(_ x: Int, _ y: Int, _ p: [Float]) -> Float { p[min(height - 1, max(0, y)) * width + min(width - 1, max(0, x))] }
        var across = [Float](repeating: 0, count: width * height), expected = across
        for y in 0..<height { for x in 0..<width { for (i, w) in kernel.enumerated() { across[y * width + x] += w * at(x + i - radius, y, plane) } } }
        for y in 0..<height { for x in 0..<width { for (i, w) in kernel.enumerated() { expected[y * width + x] += w * at(x, y + i - radius, across) } } }
        plane.withUnsafeMutableBufferPointer { ImageEffects.gaussianBlur($0, width: width, height: height, sigma: sigma) }
        #expect(plane.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func motionBlurActsAlongItsAngleOnly() throws {
        // A horizontal edge: top half black, bottom half white.
        let edge = Paint.texture(Texture(.stripes(duty: 0.5), scale: 32, angle: 90, foreground: .black, background: .white))
        let sharp = scene([], background: edge)
        var along = sharp, across = sharp
        along.effects = [.motionBlur(angle: 0, length: 9)]
        across.effects = [.motionBlur(angle: 90, length: 9)]
        #expect(samples(try SceneRenderer.render(along)) == samples(try SceneRenderer.render(sharp)))
        #expect(samples(try SceneRenderer.render(across)) != samples(try SceneRenderer.render(sharp)))
    }

    @Test func noiseIsSeeded() throws {
        let a = try render([.gaussianNoise(sigma: 0.05, seed: 7)])
        let b = try render([.gaussianNoise(sigma: 0.05, seed: 7)])
        let c = try render([.gaussianNoise(sigma: 0.05, seed: 8)])
        #expect(samples(a) == samples(b))
        #expect(samples(a) != samples(c))
    }

    @Test(arguments: [0.05, 0.4])
    func noiseAloneIsTheSameAsNoiseAmongOtherEffects(sigma: Double) throws {
        // Noise alone takes the fused one-pass path; with an identity effect after it, the
        // float planes. Strong noise clamps at 0 and 1 on both paths.
        let alone = try render([.gaussianNoise(sigma: sigma, seed: 11)])
        let among = try render([.gaussianNoise(sigma: sigma, seed: 11), .brightness(1)])
        #expect(samples(alone) == samples(among))
    }

    @Test(arguments: [37, 38, 39, 41])
    func noiseAloneIsTheSameAsNoiseAmongOtherEffectsAtEveryWidth(width: Int) throws {
        // The fused path takes four pixels at a time and finishes a row one at a time.
        let alone = try SceneRenderer.render(busyScene([.gaussianNoise(sigma: 0.2, seed: 3)], width: width))
        let among = try SceneRenderer.render(busyScene([.gaussianNoise(sigma: 0.2, seed: 3), .brightness(1)], width: width))
        #expect(samples(alone) == samples(among))
    }

    @Test func noiseQuantilesAreAStandardNormal() {
        let q = GaussianNoise.quantiles.map(Double.init)
        #expect(q.count == 4096)
        #expect(zip(q, q.dropFirst()).allSatisfy { $0 < $1 })
        #expect(q.indices.allSatisfy { abs(q[$0] + q[4095 - $0]) < 1e-6 })
        let m = mean(q)
        #expect(abs(m) < 1e-6)
        #expect(abs(q.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 4096 - 1) < 1e-5)
        #expect(abs(q[4095] - 3.67) < 0.01)
        // Φ⁻¹ at known points (Abramowitz & Stegun, table 26.5).
        #expect(abs(GaussianNoise.inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(GaussianNoise.inverseNormalCDF(0.5)) < 1e-15)
        #expect(abs(GaussianNoise.inverseNormalCDF(1e-4) + 3.719016485455709) < 1e-10)
    }

    @Test func noiseHasItsStandardDeviation() throws {
        let grey = scene(width: 64, height: 64, [], background: .solid(rgbColor(0.5, 0.5, 0.5)),
                         effects: [.gaussianNoise(sigma: 0.04, seed: 3)])
        var plain = grey
        plain.effects = []
        let values = samples(try SceneRenderer.render(grey))
        #expect(abs(mean(values) - mean(samples(try SceneRenderer.render(plain)))) < 0.3)
        #expect(abs(variance(values).squareRoot() - 0.04 * 255) < 0.3)
    }

    @Test func saturationZeroIsGrey() throws {
        let r = try render([.saturation(0)])
        for y in stride(from: 0, to: 40, by: 3) { for x in stride(from: 0, to: 40, by: 3) {
            let p = r.image.rgb(x: x, y: y)
            #expect(abs(Int(p.red) - Int(p.green)) <= 1 && abs(Int(p.green) - Int(p.blue)) <= 1)
        } }
    }

    @Test func gammaAboveOneDarkens() throws {
        #expect(mean(samples(try render([.gamma(2)]))) < mean(samples(try render([]))) - 10)
    }

    @Test func vignetteDarkensCornersNotTheCentre() throws {
        let white = scene(width: 40, height: 40, [], effects: [.vignette(strength: 0.8, radius: 0.5)])
        let r = try SceneRenderer.render(white)
        #expect(brightness(r, 20, 20) == 3 * 255)
        #expect(brightness(r, 0, 0) < 3 * 255 / 2)
        #expect(brightness(r, 0, 0) < brightness(r, 8, 8))
    }

    @Test(arguments: [(3000.0, true), (10000.0, false)])
    func colourTemperatureTintsWarmOrCool(kelvin: Double, isWarm: Bool) throws {
        let grey = scene([], background: .solid(rgbColor(0.5, 0.5, 0.5)), effects: [.colorTemperature(kelvin: kelvin)])
        let p = try SceneRenderer.render(grey).image.rgb(x: 5, y: 5)
        #expect(isWarm ? p.red > p.blue + 30 : p.blue > p.red + 20)
    }

    @Test func neutralTemperatureAndUnitFactorsChangeNothing() throws {
        let plain = samples(try render([]))
        let neutral = samples(try render([.colorTemperature(kelvin: 6500), .brightness(1), .contrast(1), .gamma(1), .saturation(1)]))
        #expect(plain == neutral)
    }
}
