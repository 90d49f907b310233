/// Counter-based randomness for textures and effects: the value at a lattice point or pixel
/// is a hash of the seed and its coordinates, so it does not depend on the order (or the
/// thread) in which pixels are computed.
enum PixelHash {
    /// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A 64-bit hash of `seed` and the integer point (`a`, `b`).
    @inline(__always)
    static func hash(_ seed: UInt64, _ a: Int, _ b: Int) -> UInt64 {
        mix(seed ^ mix(UInt64(bitPattern: Int64(a)) ^ mix(UInt64(bitPattern: Int64(b)) ^ 0x5851_F42D_4C95_7F2D)))
    }

    /// The top 24 bits of `bits` as a `Float` in [0, 1).
    @inline(__always)
    static func unit(_ bits: UInt64) -> Float {
        Float(bits >> 40) * (1 / 16_777_216)
    }
}
