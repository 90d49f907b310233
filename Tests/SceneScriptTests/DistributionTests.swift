import Testing
import SceneModel
@testable import SceneScript

/// Known answers for the distributions beyond uniform/normal/randint/choice/bernoulli, computed
/// by Fixtures/make_distribution_vectors.py, an independent Python implementation of
/// docs/LANGUAGE.md (Python's erfc, NormalDist.inv_cdf and colorsys).
struct DistributionKnownAnswerTests {
    /// Within 1e-12 relative: libm's log/exp/erfc may differ from Python's in the last bit.
    private func expectClose(_ actual: [Double], _ expected: [Double]) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= 1e-12 * max(1, abs(e)), "\(a) vs \(e)") }
    }

    private func draws<T>(_ n: Int, _ draw: (inout SceneRandomGenerator) -> T) -> [T] {
        var rng = SceneRandomGenerator(seed: 1, index: 2)
        return (0..<n).map { _ in draw(&rng) }
    }

    @Test func truncatedNormal() {
        expectClose(draws(4) { Distributions.truncatedNormal(10, 2, 9, 14, using: &$0) },
                    [9.187224178501888, 10.505789083872937, 9.701984777551928, 9.41872956632046])
        // Wholly in the upper tail: the mirrored branch.
        expectClose(draws(3) { Distributions.truncatedNormal(0, 1, 3, 4, using: &$0) },
                    [3.7238943261019877, 3.236095599958285, 3.438616489352251])
        // Beyond Φ's range (50 sd): the exponential tail, so draws hug the near bound.
        expectClose(draws(3) { Distributions.truncatedNormal(0, 1, 50, 60, using: &$0) },
                    [50.001033915820905, 50.01143965661058, 50.00440664076796])
    }

    @Test func logNormal() {
        expectClose(draws(3) { Distributions.logNormal(1, 0.5, using: &$0) },
                    [2.344828868527964, 3.485129892913459, 4.097485224317474])
    }

    @Test func poisson() {
        #expect(draws(8) { Distributions.poisson(3.5, using: &$0) } == [1, 3, 2, 1, 3, 1, 8, 3])
        #expect(draws(3) { Distributions.poisson(2000, using: &$0) } == [1927, 1993, 1962])
    }

    @Test func weightedChoiceSkipsZeroWeights() {
        #expect(draws(10) { Distributions.weightedIndex([1, 0, 3, 6], using: &$0) } == [0, 3, 2, 2, 3, 2, 3, 3, 3, 2])
    }

    @Test func colourThroughTheLanguage() throws {
        let text = "classes a\nobject a { circle(1, fill: random_color(hue: [30, 90], saturation: [0.5, 1], value: [0.2, 0.4])) }"
        guard case let .solid(color) = try compile(text).sample(seed: 1, index: 2).instances[0].shapes[0].paint else {
            Issue.record("not solid"); return
        }
        // Hue, saturation, value: three uniform draws on the call's stream.
        var rng = try StreamProbe(text, seed: 1, index: 2).generator("random_color(hue: [30, 90], saturation: [0.5, 1], value: [0.2, 0.4])")
        let (h, s) = (Distributions.uniform(30, 90, using: &rng), Distributions.uniform(0.5, 1, using: &rng))
        let expected = hsvColor(hue: h, saturation: s, value: Distributions.uniform(0.2, 0.4, using: &rng))
        expectClose([color.red, color.green, color.blue], [expected.red, expected.green, expected.blue])
    }

    @Test func weightedChoiceThroughTheLanguage() throws {
        let text = "classes a\nrepeat 10 { object a at (choice(0, 1, 2, 3, weights: [1, 0, 3, 6]), 0) { circle(1) } }"
        let picks = try compile(text).sample(seed: 1, index: 2).instances.map { $0.shapes[0].transform.tx }
        let probe = try StreamProbe(text, seed: 1, index: 2)
        #expect(picks == (0..<10).map { i in
            var rng = probe.generator("choice(0, 1, 2, 3, weights: [1, 0, 3, 6])", context: probe.context("repeat", i))
            return Double(Distributions.weightedIndex([1, 0, 3, 6], using: &rng))
        })
        #expect(Set(picks) == [0, 2, 3], "weight 0 is never picked")
    }

    @Test func choiceOfOneListPicksAnElementAsItsArgumentsWould() throws {
        // choice(l) with one List draws exactly as choice(l[0], l[1], …), weights included.
        for (list, spread) in [("choice([0, 1, 2, 3], weights: [1, 0, 3, 6])", "choice(0, 1, 2, 3, weights: [1, 0, 3, 6])"),
                               ("choice([5, 6, 7])", "choice(5, 6, 7)")] {
            let a = try compile("classes a\nrepeat 10 { object a at (\(list), 0) { circle(1) } }")
            let b = try compile("classes a\nrepeat 10 { object a at (\(spread), 0) { circle(1) } }")
            let picks = { (p: SceneProgram) in try p.sample(seed: 1, index: 2).instances.map { $0.shapes[0].transform.tx } }
            #expect(try picks(a) == picks(b))
        }
        #expect(throws: ScriptError.self) { try compile("classes a\nobject a { circle(choice([])) }").sample(seed: 1, index: 0) }
    }

    @Test func pointsAlone() throws {
        let text = """
            classes a
            object a at point_in_rectangle((10, 20), (30, 60)) { circle(1) }
            object a at point_in_disc((5, -5), 10) { circle(1) }
            """
        let t = try compile(text).sample(seed: 1, index: 2).instances.map { $0.shapes[0].transform }
        let probe = try StreamProbe(text, seed: 1, index: 2)
        // Rectangle: x then y on its stream; disc: its two draws on its own.
        var rng = probe.generator("point_in_rectangle((10, 20), (30, 60))")
        expectClose([t[0].tx, t[0].ty], [Distributions.uniform(10, 30, using: &rng), Distributions.uniform(20, 60, using: &rng)])
        rng = probe.generator("point_in_disc((5, -5), 10)")
        let disc = Distributions.pointInDisc(5, -5, 10, using: &rng)
        expectClose([t[1].tx, t[1].ty], [disc.0, disc.1])
    }
}

/// Mean and variance over 100 000 draws (seed 42), against the exact moments; the tolerances
/// are several standard errors, so a wrong formula fails.
extension DistributionStatisticsTests {
    @Test func truncatedNormalMoments() {
        var isInside = true
        let (mean, variance) = moments { rng in
            let x = Distributions.truncatedNormal(10, 2, 9, 14, using: &rng)
            isInside = isInside && x >= 9 && x <= 14
            return x
        }
        #expect(isInside)
        #expect(abs(mean - 10.89148755654503) < 0.02)      // sd of the mean ≈ 0.004
        #expect(abs(variance - 1.5063753445473431) < 0.03)
    }

    @Test func logNormalMoments() {
        let (mean, variance) = moments { Distributions.logNormal(0.5, 0.4, using: &$0) }
        #expect(abs(mean - 1.7860384307500734) < 0.01)     // exp(μ + σ²/2)
        #expect(abs(variance - 0.5534881011446781) < 0.02) // (e^σ² − 1)·e^(2μ + σ²)
    }

    @Test(arguments: [0.7, 3.5, 500.0])
    func poissonMoments(lambda: Double) {
        let (mean, variance) = moments { Double(Distributions.poisson(lambda, using: &$0)) }
        #expect(abs(mean - lambda) < 0.02 * max(1, lambda.squareRoot()) * 1.5)
        #expect(abs(variance - lambda) < 0.03 * max(1, lambda))
    }

    @Test func weightedChoiceFrequencies() {
        var counts = [0, 0, 0, 0]
        _ = moments { rng in
            counts[Distributions.weightedIndex([1, 0, 3, 6], using: &rng)] += 1
            return 0
        }
        let expected = [0.1, 0, 0.3, 0.6]
        for (c, p) in zip(counts, expected) { #expect(abs(Double(c) / Double(Self.count) - p) < 0.005) }
        #expect(counts[1] == 0)
    }

    @Test func pointInDiscIsUniformOverTheArea() {
        var squares = 0.0
        let (meanX, varianceX) = moments { rng in
            let (x, y) = Distributions.pointInDisc(5, -5, 10, using: &rng)
            squares += (x - 5) * (x - 5) + (y + 5) * (y + 5)
            return x
        }
        #expect(abs(meanX - 5) < 0.1)
        #expect(abs(varianceX - 25) < 0.5)                 // R²/4
        #expect(abs(squares / Double(Self.count) - 50) < 0.5) // E[r²] = R²/2 (√u, not u)
    }

    @Test func randomColorAndRectangleMoments() throws {
        let program = try compile("classes a\nobject a at point_in_rectangle((0, 10), (6, 40)) { circle(1, fill: random_color(saturation: [0.5, 1], value: [0.2, 0.6])) }")
        var (sumV, sumS, sumX, sumY, sumY2) = (0.0, 0.0, 0.0, 0.0, 0.0)
        let n = 20_000
        for index in 0..<n {
            let shape = try program.sample(seed: 42, index: index).instances[0].shapes[0]
            guard case let .solid(c) = shape.paint else { Issue.record("not solid"); return }
            let (hi, lo) = (max(c.red, c.green, c.blue), min(c.red, c.green, c.blue))
            sumV += hi
            sumS += (hi - lo) / hi
            sumX += shape.transform.tx
            sumY += shape.transform.ty
            sumY2 += shape.transform.ty * shape.transform.ty
        }
        let count = Double(n)
        #expect(abs(sumV / count - 0.4) < 0.005)
        #expect(abs(sumS / count - 0.75) < 0.005)
        #expect(abs(sumX / count - 3) < 0.05)
        #expect(abs(sumY / count - 25) < 0.2)
        #expect(abs(sumY2 / count - (sumY / count) * (sumY / count) - 75) < 2)   // 30² / 12
    }
}
