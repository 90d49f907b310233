#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The distributions beyond the basic ones in Random.swift. Each documents the number of
/// generator draws it consumes, which decides reproducibility; parameters are checked by the
/// caller (the interpreter), so these routines assume valid input.
extension Distributions {
    /// A normal(mean, sd) value conditioned on `low ≤ x ≤ high`, by inversion (one draw):
    /// with α = (low − mean)/sd, β = (high − mean)/sd and Φ the standard normal CDF,
    /// `x = mean + sd · Φ⁻¹(Φ(α) + u·(Φ(β) − Φ(α)))`, clamped to [low, high]. When α > 0 the
    /// interval is mirrored (−β…−α, then negated) so the upper tail keeps its precision. When
    /// Φ(β) − Φ(α) underflows to 0 (the whole interval beyond about 38 sd below the mean) the
    /// tail's exponential shape is used instead: `z = β + ln(1 − u)/|β|`.
    /// Requires sd > 0 and low < high.
    static func truncatedNormal(_ mean: Double, _ sd: Double, _ low: Double, _ high: Double,
                                using rng: inout SceneRandomGenerator) -> Double {
        let u = rng.nextUnit()
        var (a, b) = ((low - mean) / sd, (high - mean) / sd)
        let isMirrored = a > 0
        if isMirrored { (a, b) = (-b, -a) }
        let (pa, pb) = (standardNormalCDF(a), standardNormalCDF(b))
        var z: Double
        if pb - pa > 0 {
            let p = pa + u * (pb - pa)
            z = p <= 0 ? a : (p >= 1 ? b : inverseStandardNormalCDF(p))
        } else {
            z = b + log(1 - u) / -b
        }
        z = Swift.min(Swift.max(z, a), b)
        if isMirrored { z = -z }
        return Swift.min(Swift.max(mean + sd * z, low), high)
    }

    /// `exp(normal(mu, sigma))` (two draws, as `normal`); mu and sigma are the mean and standard
    /// deviation of the logarithm.
    static func logNormal(_ mu: Double, _ sigma: Double, using rng: inout SceneRandomGenerator) -> Double {
        exp(normal(mu, sigma, using: &rng))
    }

    /// A Poisson(λ) count by inversion with sequential search (one draw): the smallest k with
    /// u < P(X ≤ k), the probabilities computed as `exp(log p)` with
    /// `log p(0) = −λ`, `log p(k) = log p(k−1) + log λ − log k`. The search stops at
    /// ⌈λ + 40√λ + 40⌉, beyond which the remaining mass is below 1e-300.
    /// - Complexity: O(λ) steps; the caller counts them against the step limit.
    static func poisson(_ lambda: Double, using rng: inout SceneRandomGenerator) -> Int {
        let u = rng.nextUnit()
        guard lambda > 0 else { return 0 }
        let last = Int((lambda + 40 * lambda.squareRoot() + 40).rounded(.up))
        let logLambda = log(lambda)
        var logP = -lambda
        var cumulative = exp(logP)
        var k = 0
        while u >= cumulative && k < last {
            k += 1
            logP += logLambda - log(Double(k))
            cumulative += exp(logP)
        }
        return k
    }

    /// The index of one of `weights` (finite, ≥ 0, positive total), chosen with probability
    /// proportional to its weight (one draw): the first i with `u · total < w₀ + … + wᵢ`,
    /// skipping zero weights.
    static func weightedIndex(_ weights: [Double], using rng: inout SceneRandomGenerator) -> Int {
        let total = weights.reduce(0, +)
        let target = rng.nextUnit() * total
        var cumulative = 0.0
        var last = 0
        for (i, w) in weights.enumerated() where w > 0 {
            cumulative += w
            last = i
            if target < cumulative { return i }
        }
        return last  // only when rounding leaves `target` at the very top
    }

    /// A point uniform in the disc of `radius` about (cx, cy) (two draws, u1 then u2):
    /// `r = radius·√u1`, `θ = 2π·u2`, `(cx + r·cos θ, cy + r·sin θ)`.
    static func pointInDisc(_ cx: Double, _ cy: Double, _ radius: Double, using rng: inout SceneRandomGenerator) -> (Double, Double) {
        let r = radius * rng.nextUnit().squareRoot()
        let theta = 2 * Double.pi * rng.nextUnit()
        return (cx + r * cos(theta), cy + r * sin(theta))
    }
}

/// Φ(x) = erfc(−x/√2)/2, the standard normal CDF.
func standardNormalCDF(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot())
}

/// Φ⁻¹(p) for 0 < p < 1: Wichura's algorithm AS241 (PPND16, Applied Statistics 37(3), 1988),
/// relative accuracy about 1e-16.
func inverseStandardNormalCDF(_ p: Double) -> Double {
    let q = p - 0.5
    if Swift.abs(q) <= 0.425 {
        let r = 0.180625 - q * q
        let num = (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r
            + 4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
            + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0) * q
        let den = (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r
            + 2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
            + 4.2313330701600911252e+1) * r + 1.0)
        return num / den
    }
    var r = (-log(q <= 0 ? p : 1 - p)).squareRoot()
    let num: Double, den: Double
    if r <= 5 {
        r -= 1.6
        num = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r
            + 1.27045825245236838258e+0) * r + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r
            + 4.63033784615654529590e+0) * r + 1.42343711074968357734e+0)
        den = (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r
            + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r
            + 2.05319162663775882187e+0) * r + 1.0)
    } else {
        r -= 5
        num = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r
            + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r
            + 5.46378491116411436990e+0) * r + 6.65790464350110377720e+0)
        den = (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r
            + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
            + 5.99832206555887937690e-1) * r + 1.0)
    }
    let x = num / den
    return q < 0 ? -x : x
}
