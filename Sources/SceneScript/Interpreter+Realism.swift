import SceneModel

/// The evaluated arguments of one call, bound to its signature, with checked accessors whose
/// errors name the owner and parameter (`shadow: opacity`), the value, and point at the
/// argument (or at the call when a required argument has no argument of its own).
struct CheckedArguments {
    let owner: String
    let signature: Signature
    let values: [Value?]
    let ranges: [SourceRange?]
    let call: SourceRange

    func slot(_ parameter: String) -> Int {
        guard let slot = signature.parameters.firstIndex(where: { $0.name == parameter }) else {
            preconditionFailure("\(signature.description) has no parameter '\(parameter)'")
        }
        return slot
    }

    func isGiven(_ parameter: String) -> Bool { values[slot(parameter)] != nil }

    private func what(_ parameter: String) -> String { "\(owner): \(parameter)" }
    private func range(_ parameter: String) -> SourceRange { ranges[slot(parameter)] ?? call }

    /// A finite number within `bounds` (`unit` is appended to the bounds in the message), or
    /// `fallback` when the argument is omitted.
    func number(_ parameter: String, in bounds: ClosedRange<Double>? = nil, unit: String = "", or fallback: Double? = nil) throws -> Double {
        guard let value = values[slot(parameter)] else { return fallback! }
        guard let v = value.number else {
            throw ProblemReport("\(what(parameter)) must be a number, got \(value.typeName) \(value.display)", at: range(parameter))
        }
        guard v.isFinite else { throw ProblemReport("\(what(parameter)) must be a finite number, got \(formatNumber(v))", at: range(parameter)) }
        if let bounds, !bounds.contains(v) {
            throw ProblemReport("\(what(parameter)) must be between \(formatNumber(bounds.lowerBound)) and \(formatNumber(bounds.upperBound))\(unit), got \(formatNumber(v))",
                                at: range(parameter))
        }
        return v
    }

    /// As ``number(_:in:unit:or:)``, and also greater than the lower bound.
    func positive(_ parameter: String, in bounds: ClosedRange<Double>, unit: String = "", or fallback: Double? = nil) throws -> Double {
        let v = try number(parameter, in: bounds, unit: unit, or: fallback)
        guard v > bounds.lowerBound else {
            throw ProblemReport("\(what(parameter)) must be greater than \(formatNumber(bounds.lowerBound))\(unit), got \(formatNumber(v))", at: range(parameter))
        }
        return v
    }

    /// A whole number within `bounds`, or `fallback` when omitted.
    func integer(_ parameter: String, in bounds: ClosedRange<Int>, or fallback: Int) throws -> Int {
        guard let value = values[slot(parameter)] else { return fallback }
        let n: Int
        switch value {
        case let .int(v): n = v
        case let .double(v) where v == v.rounded() && Swift.abs(v) < 9e15: n = Int(v)
        default: throw ProblemReport("\(what(parameter)) must be a whole number, got \(value.typeName) \(value.display)", at: range(parameter))
        }
        guard bounds.contains(n) else {
            throw ProblemReport("\(what(parameter)) must be between \(bounds.lowerBound) and \(bounds.upperBound), got \(n)", at: range(parameter))
        }
        return n
    }

    func color(_ parameter: String, or fallback: Color? = nil) throws -> Color {
        guard let value = values[slot(parameter)] else { return fallback! }
        guard case let .color(c) = value else {
            throw ProblemReport("\(what(parameter)) must be a Color, got \(value.typeName) \(value.display)", at: range(parameter))
        }
        return c
    }

    func bool(_ parameter: String, or fallback: Bool) throws -> Bool {
        guard let value = values[slot(parameter)] else { return fallback }
        guard case let .bool(b) = value else {
            throw ProblemReport("\(what(parameter)) must be true or false, got \(value.typeName) \(value.display)", at: range(parameter))
        }
        return b
    }

    /// A Point offset within ±``Limits/coordinate`` pixels, or (0, 0) when omitted.
    func offset(_ parameter: String) throws -> SceneModel.Point {
        guard let value = values[slot(parameter)] else { return SceneModel.Point(0, 0) }
        guard case let .point(x, y) = value, x.isFinite, y.isFinite, Swift.abs(x) <= Limits.coordinate, Swift.abs(y) <= Limits.coordinate else {
            throw ProblemReport("\(what(parameter)) must be a Point within ±\(formatNumber(Limits.coordinate)) pixels, got \(value.typeName) \(value.display)",
                                at: range(parameter))
        }
        return SceneModel.Point(x, y)
    }
}

extension Interpreter {
    /// Evaluates `call`'s arguments against `signature` (written order) for checked access.
    mutating func checkedArguments(_ call: Call, _ signature: Signature, owner: String) throws -> CheckedArguments {
        let (values, ranges) = try evaluateArguments(call, signature: signature)
        return CheckedArguments(owner: owner, signature: signature, values: values, ranges: ranges, call: call.range)
    }

    /// A 64-bit seed for a noise texture or noise effect: one raw draw, `next()`.
    private mutating func drawSeed() -> UInt64 { rng.next() }

    /// `radial`, the textures and `shadow`. Noise textures draw their seed after their
    /// arguments are evaluated and checked.
    mutating func callRealismBuiltin(_ function: BuiltinFunction, _ arguments: CheckedArguments) throws -> Value {
        switch function {
        case .radial:
            let radius = arguments.isGiven("radius")
                ? try arguments.positive("radius", in: 0...Limits.coordinate, unit: " pixels") : nil
            return .radialGradient(RadialGradientValue(
                inner: try arguments.color("inner"), outer: try arguments.color("outer"),
                offset: try arguments.offset("center"), radius: radius))
        case .shadow:
            return .shadow(Shadow(
                distance: try arguments.number("distance", in: RealismLimits.shadowDistance, unit: " pixels"),
                blur: try arguments.number("blur", in: RealismLimits.shadowBlur, unit: " pixels", or: 2),
                opacity: try arguments.number("opacity", in: 0...1, or: 0.5),
                color: try arguments.color("color", or: .black)))
        default:
            let (foreground, background) = (try arguments.color("foreground"), try arguments.color("background"))
            let isNoise = function == .value_noise || function == .perlin_noise
            let scale = try arguments.positive("scale", in: RealismLimits.textureScale, unit: " pixels", or: isNoise ? 32 : 8)
            let angle = try arguments.number("angle", or: 0)
            let pattern: Texture.Pattern
            switch function {
            case .stripes: pattern = .stripes(duty: try arguments.number("duty", in: 0...1, or: 0.5))
            case .checker: pattern = .checker
            case .dots: pattern = .dots(radius: try arguments.number("radius", in: RealismLimits.dotRadius, or: 0.25))
            case .value_noise:
                let octaves = try arguments.integer("octaves", in: RealismLimits.octaves, or: 4)
                pattern = .valueNoise(seed: drawSeed(), octaves: octaves)
            default:
                let octaves = try arguments.integer("octaves", in: RealismLimits.octaves, or: 4)
                pattern = .perlinNoise(seed: drawSeed(), octaves: octaves)
            }
            return .texture(Texture(pattern, scale: scale, angle: angle, foreground: foreground, background: background))
        }
    }

    /// The paint of a radial gradient or texture value, or nil for any other value.
    func realismPaint(_ value: Value, center: SceneModel.Point, radius: Double) -> Paint? {
        switch value {
        case let .radialGradient(g): return g.paint(center: center, radius: radius)
        case let .texture(t): return .texture(t)
        default: return nil
        }
    }

    /// `light ARGS`: evaluates and checks the arguments; the light replaces any earlier one.
    mutating func executeLight(_ call: Call) throws {
        let arguments = try checkedArguments(call, LightStatement.signature, owner: "light")
        var shadow: Shadow?
        let slot = arguments.slot("shadow")
        if let value = arguments.values[slot] {
            guard case let .shadow(s) = value else {
                throw ProblemReport("light: shadow must be a Shadow made by shadow(distance, …), got \(value.typeName) \(value.display)",
                                    at: arguments.ranges[slot]!)
            }
            shadow = s
        }
        light = Light(
            direction: try arguments.number("direction"),
            elevation: try arguments.number("elevation", in: RealismLimits.elevation, unit: " degrees", or: 45),
            intensity: try arguments.number("intensity", in: RealismLimits.intensity, or: 1),
            color: try arguments.color("color", or: .white),
            ambient: try arguments.number("ambient", in: RealismLimits.ambient, or: 0.3),
            specular: try arguments.number("specular", in: 0...1, or: 0),
            shadow: shadow)
    }

    /// `effect NAME(ARGS)`: appends the effect; `noise`, `flat_field` and `detector` then draw
    /// their seed.
    mutating func executeEffect(_ call: Call) throws {
        guard let kind = EffectKind(rawValue: call.name) else {
            throw ProblemReport("unknown effect '\(call.name)'", at: call.nameRange)
        }
        guard effects.count < Limits.effects else {
            throw ProblemReport("an image may have at most \(Limits.effects) effects; this is effect \(effects.count + 1)", at: call.range)
        }
        let arguments = try checkedArguments(call, kind.signature, owner: kind.rawValue)
        let effect: Effect
        switch kind {
        case .noise:
            let sigma = try arguments.number("sigma", in: RealismLimits.noiseSigma)
            useStream(for: call.range)
            effect = .gaussianNoise(sigma: sigma, seed: drawSeed())
        case .blur: effect = .gaussianBlur(sigma: try arguments.number("sigma", in: RealismLimits.blurSigma, unit: " pixels"))
        case .motion_blur:
            let angle = try arguments.number("angle")
            effect = .motionBlur(angle: angle, length: try arguments.number("length", in: RealismLimits.motionLength, unit: " pixels"))
        case .brightness: effect = .brightness(try arguments.number("factor", in: RealismLimits.factor))
        case .contrast: effect = .contrast(try arguments.number("factor", in: RealismLimits.factor))
        case .saturation: effect = .saturation(try arguments.number("factor", in: RealismLimits.factor))
        case .gamma: effect = .gamma(try arguments.number("gamma", in: RealismLimits.gamma))
        case .vignette:
            let strength = try arguments.number("strength", in: 0...1)
            effect = .vignette(strength: strength, radius: try arguments.number("radius", in: 0...1, or: 0.5))
        case .color_temperature: effect = .colorTemperature(kelvin: try arguments.number("kelvin", in: RealismLimits.kelvin, unit: " K"))
        case .haze:
            let sigma = try arguments.number("sigma", in: RealismLimits.hazeSigma, unit: " pixels")
            effect = .haze(sigma: sigma, amount: try arguments.number("amount", in: RealismLimits.hazeAmount))
        case .flat_field:
            let falloff = try arguments.number("falloff", in: 0...1)
            let gradient = try arguments.number("gradient", in: 0...1, or: 0)
            useStream(for: call.range)
            effect = .flatField(falloff: falloff, gradient: gradient, seed: drawSeed())
        case .detector:
            let photons = try arguments.number("photons", in: RealismLimits.photons, unit: " counts")
            let readNoise = try arguments.number("read_noise", in: RealismLimits.counts, unit: " counts", or: 0)
            let offset = try arguments.number("offset", in: RealismLimits.counts, unit: " counts", or: 0)
            useStream(for: call.range)
            effect = .detector(photons: photons, readNoise: readNoise, offset: offset, seed: drawSeed())
        }
        effects.append(effect)
    }

    /// Applies a primitive's style options (`outline`, `outline_width`, `opacity`, `shaded`,
    /// `casts_shadow`) to `shape`.
    func styled(_ shape: Shape, _ arguments: CheckedArguments) throws -> Shape {
        var shape = shape
        if arguments.isGiven("outline"), shape.geometry.strokeWidth != nil {
            // A stroke has no fill for an outline to border: Cairo would stroke its centre
            // line, a stripe down the middle rather than an edge.
            throw ProblemReport("\(arguments.owner): outline is for filled shapes; this one is a stroke, so its outline "
                                + "would be a stripe along its centre line", at: arguments.ranges[arguments.slot("outline")]!,
                                help: "to border a line, draw it twice: first wider in the border colour, then the line on top")
        }
        if arguments.isGiven("outline") {
            shape.outline = Outline(color: try arguments.color("outline"),
                                    width: try arguments.positive("outline_width", in: RealismLimits.outlineWidth, unit: " pixels", or: 1))
        } else if arguments.isGiven("outline_width") {
            let slot = arguments.slot("outline_width")
            throw ProblemReport("\(arguments.owner): outline_width is given without an outline colour", at: arguments.ranges[slot]!,
                                help: "add 'outline: COLOR', e.g. 'outline: #000000'")
        }
        shape.opacity = try arguments.number("opacity", in: 0...1, or: 1)
        shape.isShaded = try arguments.bool("shaded", or: true)
        shape.castsShadow = try arguments.bool("casts_shadow", or: true)
        return shape
    }
}
