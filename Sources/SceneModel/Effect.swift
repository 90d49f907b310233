/// A camera or post-processing effect applied to the finished RGB image, in list order.
///
/// Effects work on colour values in 0…1 (the 8-bit value / 255) and clamp to 0…1 after each
/// effect. They never change the instance raster or any mask: labels describe the scene, not
/// the camera. Every effect is deterministic; the random ones take their `seed` from the value,
/// so the same scene renders the same bytes.
public enum Effect: Hashable, Sendable {
    /// Adds independent, zero-mean Gaussian noise with standard deviation `sigma` (in 0…1
    /// colour units, so 0.02 ≈ 5 levels of 255) to every channel of every pixel. Each value is
    /// one of 4096 equally likely quantiles of the normal distribution (exact mean and
    /// standard deviation, tails cut at ±3.67σ), picked by 12 bits of a hash of `seed` and the
    /// pixel, so the noise does not depend on evaluation order.
    case gaussianNoise(sigma: Double, seed: UInt64)
    /// Gaussian blur with standard deviation `sigma` in pixels (separable, kernel radius
    /// ⌈3σ⌉, edges clamped).
    case gaussianBlur(sigma: Double)
    /// Motion blur: the mean of the image along a line of `length` pixels centred on each
    /// pixel, at `angle` degrees (clockwise on screen, 0 = horizontal), sampled bilinearly at
    /// 1-pixel steps; edges clamped.
    case motionBlur(angle: Double, length: Double)
    /// Multiplies every channel by `factor` (1 = unchanged, > 1 brighter).
    case brightness(Double)
    /// Scales every channel's distance from mid-grey 0.5 by `factor` (1 = unchanged, 0 = flat
    /// grey).
    case contrast(Double)
    /// Raises every channel to the power `gamma` (1 = unchanged, > 1 darker mid-tones).
    case gamma(Double)
    /// Blends each pixel with its luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) by
    /// `factor`: 0 = greyscale, 1 = unchanged, > 1 more saturated.
    case saturation(Double)
    /// Darkens towards the corners: each pixel is multiplied by
    /// `1 − strength · smoothstep(radius, 1, d)`, where `d` is the distance from the image
    /// centre divided by half the image diagonal (so `radius` 0…1 is where darkening starts).
    case vignette(strength: Double, radius: Double)
    /// White balance as if the scene were lit by a black body at `kelvin` (1000…40000):
    /// each channel is multiplied by that black body's sRGB colour divided by the colour at
    /// 6500 K (below 6500 K warmer/redder, above cooler/bluer; Tanner Helland's fit).
    case colorTemperature(kelvin: Double)
    /// Out-of-focus haze: the light of structures above and below the focal plane, modelled
    /// as a wide, low blur of the picture added back to it: each value becomes
    /// `v + amount · (G_sigma ∗ v)`, where `G_sigma` is a Gaussian of standard deviation
    /// `sigma` pixels (approximated by three box blurs, Kovesi 2010; edges clamped).
    case haze(sigma: Double, amount: Double)
    /// Uneven illumination (a flat-field): every value is multiplied by
    /// `max(0, (1 − falloff · r²) · (1 + gradient · t))`, where `r` is the distance from the
    /// optical centre divided by half the image diagonal, and `t` the signed distance from the
    /// image centre along a direction, over half the diagonal (−1…1). The optical centre is
    /// displaced from the image centre by up to 10 % of the width and height, and the
    /// direction is any angle; both are a hash of `seed`, so each image has its own field.
    case flatField(falloff: Double, gradient: Double, seed: UInt64)
    /// A photon-counting camera (Poisson–Gaussian noise and a dark level). A value `v` (0…1,
    /// 1 = full scale = `photons` counts) is read as
    /// `(Poisson(v · photons) + readNoise · z + offset) / photons`, with `z` standard normal;
    /// so `readNoise` (standard deviation) and `offset` (the camera's dark level) are in
    /// counts. The draws are a hash of `seed`, the channel and the pixel: exact inversion of
    /// the Poisson distribution below a mean of 32 counts, the normal approximation rounded to
    /// whole counts above; `z` from the same 4096 quantiles as ``gaussianNoise(sigma:seed:)``.
    case detector(photons: Double, readNoise: Double, offset: Double, seed: UInt64)
}
