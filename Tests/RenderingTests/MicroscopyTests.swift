@testable import Rendering
import SceneModel
import Testing

/// The image formation of a microscope: grey sensors, haze, flat-field and the photon-counting
/// detector (docs/RENDERING.md, *Microscopy*).
@Suite struct MicroscopyTests {
    /// Bright discs on a dim background, seen by `sensor`.
    private static func cells(_ effects: [Effect], sensor: Sensor = Sensor(channels: 1, bitDepth: 16), level: Double = 0.2) -> Scene {
        var s = scene(width: 64, height: 48, [
            Shape(geometry: .circle(radius: 9), transform: .translation(20, 20), paint: .solid(rgbColor(0.8, 0.8, 0.8))),
            Shape(geometry: .ellipse(radiusX: 12, radiusY: 6), transform: .translation(44, 30), paint: .solid(rgbColor(0.5, 0.5, 0.5))),
        ], background: .solid(rgbColor(level, level, level)), effects: effects)
        s.sensor = sensor
        return s
    }

    private static func gray(_ s: Scene) throws -> [Double] {
        try SceneRenderer.render(s).gray!.samples.map(Double.init)
    }

    static let microscope: [Effect] = [
        .gaussianBlur(sigma: 1.5), .haze(sigma: 20, amount: 0.3), .flatField(falloff: 0.4, gradient: 0.2, seed: 3),
        .detector(photons: 300, readNoise: 2, offset: 10, seed: 4),
    ]

    @Test(arguments: microscope.map { [$0] } + [microscope])
    func microscopeEffectsChangeThePictureButNeverTheRaster(effects: [Effect]) throws {
        for sensor in [Sensor.rgb8, Sensor(channels: 1, bitDepth: 8), Sensor(channels: 1, bitDepth: 16)] {
            let plain = try SceneRenderer.render(Self.cells([], sensor: sensor))
            let affected = try SceneRenderer.render(Self.cells(effects, sensor: sensor))
            #expect(affected.instanceIDs == plain.instanceIDs)
            #expect(samples(affected) != samples(plain))
            let again = try SceneRenderer.render(Self.cells(effects, sensor: sensor))
            #expect(samples(again) == samples(affected) && again.gray == affected.gray, "deterministic")
        }
    }

    @Test func aGreySensorRecordsTheLumaAtItsDepth() throws {
        let colour = Color(red: 0.2, green: 0.6, blue: 1)
        var s = scene(width: 8, height: 4, [], background: .solid(colour))
        s.sensor = Sensor(channels: 1, bitDepth: 16)
        let rendered = try SceneRenderer.render(s)
        // The colour drawn at 8 bits (Cairo), then its BT.601 luma at 16 bits.
        let bytes = [0.2, 0.6, 1.0].map { ($0 * 255).rounded() / 255 }
        let luma = 0.299 * bytes[0] + 0.587 * bytes[1] + 0.114 * bytes[2]
        #expect(rendered.gray!.bitDepth == 16)
        #expect(rendered.gray!.samples.allSatisfy { abs(Double($0) - luma * 65535) <= 1 })
        #expect(Set(samples(rendered)).count == 1, "the RGB picture is grey, R = G = B")
        s.sensor = Sensor(channels: 1, bitDepth: 8)
        #expect(try SceneRenderer.render(s).gray!.samples.allSatisfy { abs(Double($0) - luma * 255) <= 0.5 })
        s.sensor = .rgb8
        #expect(try SceneRenderer.render(s).gray == nil)
    }

    @Test func hazeAddsItsAmountOfAFlatPicture() throws {
        var s = Self.cells([.haze(sigma: 30, amount: 0.5)])
        s.instances = []
        let (before, after) = (try Self.gray(Self.withoutEffects(s)), try Self.gray(s))
        for (b, a) in zip(before, after) { #expect(abs(a - 1.5 * b) <= 1.5) }
    }

    private static func withoutEffects(_ s: Scene) -> Scene {
        var plain = s
        plain.effects = []
        return plain
    }

    @Test(arguments: [2.0, 7.5, 40])
    func threeBoxBlursHaveTheGaussiansSpread(sigma: Double) {
        let (width, height) = (401, 1)
        var plane = [Float](repeating: 0, count: width * height)
        plane[200] = 1
        plane.withUnsafeMutableBufferPointer { ImageEffects.boxGaussianBlur($0, width: width, height: height, sigma: sigma) }
        let total = plane.reduce(0, +)
        let variance = plane.enumerated().reduce(0.0) { $0 + Double($1.element) * Double(($1.offset - 200) * ($1.offset - 200)) } / Double(total)
        #expect(abs(Double(total) - 1) < 1e-4)
        #expect(abs(variance.squareRoot() - sigma) < 0.05 * sigma + 0.3)
    }

    @Test func flatFieldDimsTheCornersAndDependsOnItsSeed() throws {
        var s = scene(width: 80, height: 80, [], background: .solid(rgbColor(0.6, 0.6, 0.6)),
                      effects: [.flatField(falloff: 0.5, gradient: 0, seed: 1)])
        s.sensor = Sensor(channels: 1, bitDepth: 16)
        let field = try Self.gray(s)
        let centre = field[40 * 80 + 40], corner = field[0]
        #expect(corner < 0.75 * centre)
        #expect(centre <= 0.6 * 65535 + 1)
        s.effects = [.flatField(falloff: 0.5, gradient: 0.3, seed: 2)]
        let other = try Self.gray(s)
        s.effects = [.flatField(falloff: 0.5, gradient: 0.3, seed: 3)]
        #expect(try Self.gray(s) != other, "each seed has its own centre and gradient direction")
        s.effects = [.flatField(falloff: 0, gradient: 0, seed: 9)]
        #expect(try Self.gray(s) == Self.gray(Self.withoutEffects(s)))
    }

    /// The signal (the flat picture of `level` as drawn, in counts) and the mean and variance
    /// of the detector's output, in counts.
    private static func detected(level: Double, photons: Double, readNoise: Double, offset: Double) throws
        -> (signal: Double, mean: Double, variance: Double)
    {
        var s = scene(width: 128, height: 128, [], background: .solid(rgbColor(level, level, level)),
                      effects: [.detector(photons: photons, readNoise: readNoise, offset: offset, seed: 5)])
        s.sensor = Sensor(channels: 1, bitDepth: 16)
        let counts = try gray(s).map { $0 / 65535 * photons }
        let signal = try gray(withoutEffects(s))[0] / 65535 * photons
        return (signal, mean(counts), variance(counts))
    }

    @Test(arguments: [(0.02, 400.0), (0.4, 60), (0.5, 2000)])
    func detectorCountsArePoisson(level: Double, photons: Double) throws {
        let (signal, m, v) = try Self.detected(level: level, photons: photons, readNoise: 0, offset: 0)
        // The standard error of the mean of 16384 samples is √(signal / 16384) < 0.25 counts.
        #expect(abs(m - signal) < 0.02 * signal.squareRoot() * 4 + 0.05)
        #expect(abs(v - signal) < 0.06 * signal + 0.1, "Poisson: the variance is the mean")
    }

    @Test func readNoiseAndOffsetAddInCounts() throws {
        let (signal, m, v) = try Self.detected(level: 0.3, photons: 1000, readNoise: 8, offset: 50)
        #expect(abs(m - (signal + 50)) < 0.5)
        #expect(abs(v - (signal + 64)) < 0.08 * (signal + 64))
    }
}
