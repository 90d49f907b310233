import Testing
@testable import SceneScript

// Known answers computed by an independent Python implementation of the spec in
// docs/LANGUAGE.md ("Generator"): SplitMix64 seeding of xoshiro256**, u = (next >> 11)·2⁻⁵³,
// Box–Muller normal, Lemire bounded integers. The script, verbatim in its essentials:
//
//   M = (1 << 64) - 1; G = 0x9E3779B97F4A7C15
//   def mix(x):
//       z = (x + G) & M
//       z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//       z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//       return z ^ (z >> 31)
//   def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
//   class Rng:
//       def __init__(self, seed, index):
//           s0 = mix(seed) ^ mix((index + 0x632BE59BD9B4E019) & M)
//           self.s = [mix((s0 + i * G) & M) for i in range(4)]
//       def next(self):
//           s = self.s; r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
//           s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
//           return r
//       def unit(self): return (self.next() >> 11) * 2.0**-53
//       def uniform(self, a, b): return a + (b - a) * self.unit()
//       def normal(self, m, sd):
//           u1 = self.unit(); u2 = self.unit()
//           return m + sd * math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)
//       def bounded(self, n):
//           x = self.next() * n; lo = x & M
//           if lo < n:
//               t = ((1 << 64) - n) % n
//               while lo < t: x = self.next() * n; lo = x & M
//           return x >> 64
//       def randint(self, lo, hi): return lo + self.bounded(hi - lo + 1)

struct GeneratorKnownAnswerTests {
    @Test(arguments: [
        (UInt64(0), 0, [0x69d6_4b1a_6778_f668, 0x2b33_aae0_5246_eb1f, 0x41c9_2773_ae2d_16b1, 0xfcc4_5d50_7a5d_9d9c] as [UInt64]),
        (7, 3, [0x738b_3f20_3a31_5d88, 0x0105_7ddb_78b5_84d1, 0x3b2d_2ba7_7760_903f, 0x998e_f827_28b1_1845]),
        (12_345_678_901_234_567_890, 999, [0x0351_fc0e_4f60_6202, 0x282d_9e74_4be9_2e47, 0xd156_9342_96f1_20be, 0xda1a_3bff_4a38_d3b7]),
    ])
    func firstOutputs(seed: UInt64, index: Int, expected: [UInt64]) {
        var rng = SceneRandomGenerator(seed: seed, index: index)
        #expect((0..<4).map { _ in rng.next() } == expected)
    }

    @Test func uniform() {
        var rng = SceneRandomGenerator(seed: 1, index: 2)
        let draws = (0..<4).map { _ in Distributions.uniform(-5, 10, using: &rng) }
        #expect(draws == [-4.24426557674863, 1.5339218713731952, -2.0337856271043386, -3.2699371749783124])
    }

    @Test func normal() {
        var rng = SceneRandomGenerator(seed: 1, index: 2)
        let draws = (0..<3).map { _ in Distributions.normal(10, 2, using: &rng) }
        let expected = [9.408849688246812, 10.994021262064107, 11.641493702422178]
        for (draw, answer) in zip(draws, expected) {
            #expect(abs(draw - answer) < 1e-12)  // libm's log/cos may differ in the last bit
        }
    }

    @Test func randint() {
        var rng = SceneRandomGenerator(seed: 1, index: 2)
        #expect((0..<12).map { _ in Distributions.randint(1, 6, using: &rng) } == [1, 3, 2, 1, 4, 1, 6, 4, 6, 1, 2, 4])
        var wide = SceneRandomGenerator(seed: 1, index: 2)
        #expect((0..<3).map { _ in Distributions.randint(-(1 << 62), 1 << 62, using: &wide) }
            == [-594_033_199_799_563_511, -3_407_926_438_640_590_485, 4_436_047_578_902_944_162])
    }

    @Test func choiceAndBernoulli() {
        var rng = SceneRandomGenerator(seed: 1, index: 2)
        #expect((0..<12).map { _ in Distributions.choiceIndex(5, using: &rng) } == [0, 2, 0, 0, 2, 0, 4, 2, 4, 0, 1, 3])
        var coin = SceneRandomGenerator(seed: 1, index: 2)
        #expect((0..<8).map { _ in Distributions.bernoulli(0.3, using: &coin) } == [true, false, true, true, false, true, false, false])
    }

    @Test func seedsAndIndicesGiveDifferentStreams() {
        var a = SceneRandomGenerator(seed: 5, index: 0), b = SceneRandomGenerator(seed: 5, index: 1)
        var c = SceneRandomGenerator(seed: 6, index: 0)
        let (x, y, z) = (a.next(), b.next(), c.next())
        #expect(x != y && x != z && y != z)
    }
}

struct DistributionStatisticsTests {
    static let count = 100_000

    func moments(_ draw: (inout SceneRandomGenerator) -> Double) -> (mean: Double, variance: Double) {
        var rng = SceneRandomGenerator(seed: 42, index: 0)
        var sum = 0.0, squares = 0.0
        for _ in 0..<Self.count {
            let x = draw(&rng)
            sum += x
            squares += x * x
        }
        let mean = sum / Double(Self.count)
        return (mean, squares / Double(Self.count) - mean * mean)
    }

    @Test func uniformMoments() {
        let (mean, variance) = moments { Distributions.uniform(2, 8, using: &$0) }
        #expect(abs(mean - 5) < 0.03)          // sd of the mean ≈ 0.0055
        #expect(abs(variance - 3) < 0.05)      // (8 − 2)² / 12
    }

    @Test func normalMoments() {
        let (mean, variance) = moments { Distributions.normal(-3, 2, using: &$0) }
        #expect(abs(mean + 3) < 0.03)          // sd of the mean ≈ 0.0063
        #expect(abs(variance - 4) < 0.1)
    }

    @Test func randintMomentsAndRange() {
        var seen = Set<Int>()
        let (mean, variance) = moments { rng in
            let v = Distributions.randint(1, 6, using: &rng)
            seen.insert(v)
            return Double(v)
        }
        #expect(seen == Set(1...6))
        #expect(abs(mean - 3.5) < 0.03)
        #expect(abs(variance - 35.0 / 12) < 0.05)
    }

    @Test func bernoulliRate() {
        let (mean, _) = moments { Distributions.bernoulli(0.3, using: &$0) ? 1 : 0 }
        #expect(abs(mean - 0.3) < 0.01)
    }

    @Test func choiceIsUniform() {
        var rng = SceneRandomGenerator(seed: 9, index: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<Self.count { counts[Distributions.choiceIndex(7, using: &rng)] += 1 }
        for c in counts { #expect(abs(Double(c) / Double(Self.count) - 1.0 / 7) < 0.006) }
    }
}

/// Attempt k ≥ 1 of an image (after a `require` rejected the earlier ones) reseeds with
/// `s = mix(s ^ k·0xD1B54A32D192ED03)`; attempt 0 is the image's plain generator. Known answers
/// from the Python generator above with that one line added to `__init__`:
///
///   if attempt > 0: s0 = mix(s0 ^ ((attempt * 0xD1B54A32D192ED03) & M))
struct AttemptGeneratorTests {
    @Test(arguments: [
        (UInt64(0), 0, 0, [0x69d6_4b1a_6778_f668, 0x2b33_aae0_5246_eb1f] as [UInt64]),
        (7, 3, 1, [0x86a5_ffff_454a_dd94, 0x4640_1be9_da86_e6d2]),
        (7, 3, 2, [0xf89c_1884_d3a1_743a, 0x7722_8ce4_a88c_fe20]),
    ])
    func firstOutputs(seed: UInt64, index: Int, attempt: Int, expected: [UInt64]) {
        var rng = SceneRandomGenerator(seed: seed, index: index, attempt: attempt)
        #expect((0..<2).map { _ in rng.next() } == expected)
    }
}

/// A stream's generator: `t = mix(root ^ stream)`, then the state words as for an image.
/// Known answer from an independent Python implementation of docs/LANGUAGE.md, *Generator*.
struct StreamGeneratorTests {
    @Test func firstOutputs() {
        var rng = SceneRandomGenerator(root: 0x0123_4567_89ab_cdef, stream: 0xfedc_ba98_7654_3210)
        #expect([rng.next(), rng.next()] == [0x0983_2129_65e7_b92a, 0x93cb_01ae_0f01_e8af])
    }
}
