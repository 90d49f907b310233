#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SceneModel

// The names and signatures of the realism parts of the language: the `light` statement,
// `effect` statements, the paint and shadow functions, and the style options of primitives.
// Their evaluation is in Interpreter+Realism.swift.

extension Primitive {
    /// Optional parameters every primitive takes after its own: an outline, opacity, and
    /// opting out of shading and of casting a shadow.
    static let styleParameters = ["outline", "outline_width", "opacity", "shaded", "casts_shadow"]
}

extension BuiltinFunction {
    /// The signatures of the paint functions (`radial` and the textures) and of `shadow`.
    var realismSignature: Signature {
        let name = "function '\(rawValue)'"
        let pattern = ["foreground", "background"]
        switch self {
        case .radial: return Signature(name, required: ["inner", "outer"], optional: ["center", "radius"])
        case .stripes: return Signature(name, required: pattern, optional: ["scale", "angle", "duty"])
        case .checker: return Signature(name, required: pattern, optional: ["scale", "angle"])
        case .dots: return Signature(name, required: pattern, optional: ["scale", "angle", "radius"])
        case .value_noise, .perlin_noise: return Signature(name, required: pattern, optional: ["scale", "angle", "octaves"])
        case .shadow: return Signature(name, required: ["distance"], optional: ["blur", "opacity", "color"])
        default: preconditionFailure("'\(rawValue)' is not a realism function")
        }
    }
}

/// The parameters of the `light` statement.
enum LightStatement {
    static let signature = Signature(
        "'light'", required: ["direction"], optional: ["elevation", "intensity", "color", "ambient", "specular", "shadow"])
}

/// The image effects an `effect NAME(…)` statement can add, with their parameters.
enum EffectKind: String, CaseIterable, Sendable {
    case noise, blur, motion_blur, brightness, contrast, gamma, saturation, vignette, color_temperature
    case haze, flat_field, detector

    var signature: Signature {
        let name = "effect '\(rawValue)'"
        switch self {
        case .noise, .blur: return Signature(name, required: ["sigma"])
        case .motion_blur: return Signature(name, required: ["angle", "length"])
        case .brightness, .contrast, .saturation: return Signature(name, required: ["factor"])
        case .gamma: return Signature(name, required: ["gamma"])
        case .vignette: return Signature(name, required: ["strength"], optional: ["radius"])
        case .color_temperature: return Signature(name, required: ["kelvin"])
        case .haze: return Signature(name, required: ["sigma", "amount"])
        case .flat_field: return Signature(name, required: ["falloff"], optional: ["gradient"])
        case .detector: return Signature(name, required: ["photons"], optional: ["read_noise", "offset"])
        }
    }
}

/// A radial gradient as written (`radial(inner, outer, center:, radius:)`), turned into a
/// ``SceneModel/Paint`` once the painted region (a shape or the canvas) is known.
struct RadialGradientValue: Sendable, Equatable {
    var inner: Color
    var outer: Color
    /// Offset of the gradient's centre from the region's centre (a shape's local origin, or
    /// the canvas centre), in pixels of the painted frame.
    var offset: SceneModel.Point
    /// Radius in pixels of the painted frame, or nil for the region's radius (a shape's
    /// bounding radius, or half the canvas diagonal).
    var radius: Double?

    func paint(center: SceneModel.Point, radius regionRadius: Double) -> Paint {
        .radialGradient(center: SceneModel.Point(center.x + offset.x, center.y + offset.y), radius: radius ?? regionRadius,
                        stops: [ColorStop(offset: 0, color: inner), ColorStop(offset: 1, color: outer)])
    }

    var display: String {
        "radial(\(formatColor(inner)), \(formatColor(outer)), center: \(Value.point(offset.x, offset.y).display)"
            + (radius.map { ", radius: \(formatNumber($0))" } ?? "") + ")"
    }
}

func displayTexture(_ t: Texture) -> String {
    let common = "\(formatColor(t.foreground)), \(formatColor(t.background)), scale: \(formatNumber(t.scale)), angle: \(formatNumber(t.angle))"
    switch t.pattern {
    case let .stripes(duty): return "stripes(\(common), duty: \(formatNumber(duty)))"
    case .checker: return "checker(\(common))"
    case let .dots(radius): return "dots(\(common), radius: \(formatNumber(radius)))"
    case let .valueNoise(_, octaves): return "value_noise(\(common), octaves: \(octaves))"
    case let .perlinNoise(_, octaves): return "perlin_noise(\(common), octaves: \(octaves))"
    }
}

func displayShadow(_ s: Shadow) -> String {
    "shadow(\(formatNumber(s.distance)), blur: \(formatNumber(s.blur)), opacity: \(formatNumber(s.opacity)), color: \(formatColor(s.color)))"
}

/// Limits of the realism parameters, each checked when the value is evaluated.
enum RealismLimits {
    /// Shadow offset, pixels.
    static let shadowDistance = 0.0...1000
    /// Shadow blur, pixels (the renderer's cap).
    static let shadowBlur = 0.0...Shadow.maximumBlur
    static let elevation = 0.0...90
    static let intensity = 0.0...4
    static let ambient = 0.0...2
    /// Texture period or feature size, pixels.
    static let textureScale = 0.5...1_000_000
    static let octaves = 1...8
    static let dotRadius = 0.0...0.5
    /// Outline width, canvas pixels.
    static let outlineWidth = 0.0...1000
    /// Gaussian noise standard deviation, colour units (0…1).
    static let noiseSigma = 0.0...1
    /// Gaussian blur standard deviation, pixels.
    static let blurSigma = 0.0...64
    /// Motion blur length, pixels.
    static let motionLength = 0.0...256
    /// Brightness, contrast and saturation factors.
    static let factor = 0.0...10
    static let gamma = 0.1...10
    static let kelvin = 1000.0...40000
    /// Haze standard deviation, pixels (computed in O(pixels) whatever its size).
    static let hazeSigma = 0.0...1024
    /// Haze amount: the fraction of the blurred picture added back.
    static let hazeAmount = 0.0...10
    /// Photon counts at full scale (value 1).
    static let photons = 1.0...1_000_000
    /// Read noise (standard deviation) and dark level, counts.
    static let counts = 0.0...1_000_000
}
