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
}
