#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The SplitMix64 output function (Steele, Lea & Flood 2014): one step of the SplitMix64
/// stream whose state is `x`, returning its output.
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c): the
/// generator behind every random draw of a script. Our own, so that image *i* of a run never
/// changes with the Swift version; pinned by known-answer tests.
public struct SceneRandomGenerator: Sendable, Hashable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// The generator of attempt `attempt` (0-based; see `require`) of image `index` of a run
    /// with `seed`: `s = mix(seed) ^ mix(index + 0x632BE59BD9B4E019)`; for attempt k ≥ 1,
    /// `s = mix(s ^ k·0xD1B54A32D192ED03)`; then the four state words are the first four
    /// outputs of a SplitMix64 stream started at `s`. Attempt 0 is the image's first sample.
    public init(seed: UInt64, index: Int, attempt: Int = 0) {
        self.init(start: Self.root(seed: seed, index: index, attempt: attempt))
    }

    /// The root of attempt `attempt` of image `index` with `seed`: the `s` of
    /// ``init(seed:index:attempt:)``, from which every stream of the attempt is derived.
    public static func root(seed: UInt64, index: Int, attempt: Int = 0) -> UInt64 {
        var start = splitMix64(seed) ^ splitMix64(UInt64(bitPattern: Int64(index)) &+ 0x632B_E59B_D9B4_E019)
        if attempt > 0 { start = splitMix64(start ^ (UInt64(attempt) &* 0xD1B5_4A32_D192_ED03)) }
        return start
    }

    /// The generator of one stream of an attempt: `t = mix(root ^ stream)`, state words the
    /// first four outputs of a SplitMix64 stream started at `t` (see ``RandomStreams``).
    public init(root: UInt64, stream: UInt64) {
        self.init(start: splitMix64(root ^ stream))
    }

    private init(start: UInt64) {
        state = (
            splitMix64(start),
            splitMix64(start &+ 0x9E37_79B9_7F4A_7C15),
            splitMix64(start &+ 2 &* 0x9E37_79B9_7F4A_7C15),
            splitMix64(start &+ 3 &* 0x9E37_79B9_7F4A_7C15))
    }

    public static func == (a: Self, b: Self) -> Bool { a.state == b.state }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1): the top 53 bits of one draw, times 2⁻⁵³.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0 ..< bound` without bias (Lemire 2019, "Fast random integer
    /// generation in an interval": multiply-shift with rejection). Draws once, and again only
    /// on the rare rejection. `bound == 0` means the full 64-bit range (one draw).
    public mutating func nextBounded(_ bound: UInt64) -> UInt64 {
        if bound == 0 { return next() }
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}

/// The sampling routines of the scene language, each on an explicit generator.
enum Distributions {
    /// `low + (high - low) · u`, u uniform in [0, 1) (one draw).
    static func uniform(_ low: Double, _ high: Double, using rng: inout SceneRandomGenerator) -> Double {
        low + (high - low) * rng.nextUnit()
    }

    /// Box–Muller, two draws u1 then u2, no caching: `mean + sd · √(−2 ln(1 − u1)) · cos(2π u2)`.
    static func normal(_ mean: Double, _ sd: Double, using rng: inout SceneRandomGenerator) -> Double {
        let u1 = rng.nextUnit()
        let u2 = rng.nextUnit()
        return mean + sd * (-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An integer in `low ... high` inclusive, `low + nextBounded(high − low + 1)`.
    static func randint(_ low: Int, _ high: Int, using rng: inout SceneRandomGenerator) -> Int {
        let span = UInt64(bitPattern: Int64(high &- low)) &+ 1
        return low &+ Int(truncatingIfNeeded: rng.nextBounded(span))
    }

    /// The index of one of `count` ≥ 1 options: `nextBounded(count)`.
    static func choiceIndex(_ count: Int, using rng: inout SceneRandomGenerator) -> Int {
        Int(rng.nextBounded(UInt64(count)))
    }

    /// True with probability `p`: `u < p` (one draw).
    static func bernoulli(_ p: Double, using rng: inout SceneRandomGenerator) -> Bool {
        rng.nextUnit() < p
    }
}
