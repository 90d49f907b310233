#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SceneModel

extension Interpreter {
    /// Evaluates a call of a built-in function: binds and evaluates its arguments, checks them
    /// (errors name the parameter, its value and its position) and computes the result, drawing
    /// from the generator as documented per function.
    mutating func callBuiltin(_ call: Call) throws -> Value {
        guard let function = BuiltinFunction(rawValue: call.name) else {
            throw ProblemReport("unknown function '\(call.name)'", at: call.nameRange)
        }
        if function.isRenderedFact || function == .class_name { return try callRenderedFact(function, call) }
        if function.isTemporal { return try temporalValue(function, call) }
        let (values, ranges) = try evaluateArguments(call, signature: function.signature)
        // After the arguments, whose own draws use their own streams.
        if function.draws { useStream(for: call.range) }
        let name = function.rawValue
        func argument(_ i: Int) -> Value { values[i]! }
        func num(_ i: Int) throws -> Double {
            try Self.number(values[i]!, "\(name): \(function.signature.parameters[i].name)", at: ranges[i]!)
        }
        func int(_ i: Int) throws -> Int {
            try Self.integer(values[i]!, "\(name): \(function.signature.parameters[i].name)", at: ranges[i]!)
        }
        func unit(_ i: Int) throws -> Double {
            let v = try num(i)
            guard v >= 0 && v <= 1 else {
                throw ProblemReport("\(name): \(function.signature.parameters[i].name) must be between 0 and 1, got \(formatNumber(v))", at: ranges[i]!)
            }
            return v
        }
        func byte(_ i: Int) throws -> Double {
            let v = try num(i)
            guard v >= 0 && v <= 255 else {
                throw ProblemReport("\(name): \(function.signature.parameters[i].name) must be between 0 and 255, got \(formatNumber(v))", at: ranges[i]!)
            }
            return v / 255
        }
        func color(_ i: Int) throws -> Color {
            guard case let .color(c) = values[i]! else {
                throw ProblemReport("\(name): \(function.signature.parameters[i].name) must be a Color, got \(values[i]!.typeName) \(values[i]!.display)", at: ranges[i]!)
            }
            return c
        }
        func point(_ i: Int) throws -> SceneModel.Point {
            guard case let .point(x, y) = values[i]! else {
                throw ProblemReport("\(name): \(function.signature.parameters[i].name) must be a Point, got \(values[i]!.typeName) \(values[i]!.display)", at: ranges[i]!)
            }
            return SceneModel.Point(x, y)
        }
        func numeric(_ v: Double) throws -> Value {
            guard v.isFinite else { throw ProblemReport("\(name) gives a non-finite result", at: call.range) }
            return .double(v)
        }
        func rounded(_ rule: FloatingPointRoundingRule) throws -> Value {
            if case let .int(v) = argument(0) { return .int(v) }
            let v = try num(0).rounded(rule)
            guard abs(v) <= 9e15 else { throw ProblemReport("\(name): \(formatNumber(v)) is too large for an Int", at: ranges[0]!) }
            return .int(Int(v))
        }
        switch function {
        case .photo:
            return try photo(values[0]!, at: ranges[0]!)
        case .uniform:
            let (low, high) = (try num(0), try num(1))
            if low > high {
                throw ProblemReport("uniform: low (\(formatNumber(low))) must not be greater than high (\(formatNumber(high)))", at: call.range)
            }
            return .double(Distributions.uniform(low, high, using: &rng))
        case .normal:
            let (mean, sd) = (try num(0), try num(1))
            if sd < 0 { throw ProblemReport("normal: sd must not be negative, got \(formatNumber(sd))", at: ranges[1]!) }
            return .double(Distributions.normal(mean, sd, using: &rng))
        case .randint:
            let (low, high) = (try int(0), try int(1))
            if low > high {
                throw ProblemReport("randint: low (\(low)) must not be greater than high (\(high))", at: call.range)
            }
            return .int(Distributions.randint(low, high, using: &rng))
        case .choice:
            var options = values.dropLast()
            // One List alone: its elements are the options (as `random.choice` reads it).
            if options.count == 1, case let .list(items)? = options.first! {
                guard !items.isEmpty else { throw ProblemReport("choice: the List to choose from is empty", at: ranges[0]!) }
                options = ArraySlice(items.map { Optional($0) })
            }
            guard let weightsValue = values.last!, let weightsRange = ranges.last! else {
                return options[options.startIndex + Distributions.choiceIndex(options.count, using: &rng)]!
            }
            guard case let .list(items) = weightsValue else {
                throw ProblemReport("choice: weights must be a List of numbers, got \(weightsValue.typeName) \(weightsValue.display)", at: weightsRange)
            }
            guard items.count == options.count else {
                throw ProblemReport("choice: weights has \(items.count) element\(items.count == 1 ? "" : "s") but there \(options.count == 1 ? "is 1 option" : "are \(options.count) options")", at: weightsRange)
            }
            var weights: [Double] = []
            for (i, item) in items.enumerated() {
                let w = try Self.number(item, "choice: weights[\(i)]", at: weightsRange)
                guard w >= 0 else { throw ProblemReport("choice: weights[\(i)] must not be negative, got \(formatNumber(w))", at: weightsRange) }
                weights.append(w)
            }
            let total = weights.reduce(0, +)
            guard total > 0, total.isFinite else {
                throw ProblemReport("choice: weights must have a positive, finite sum, got \(weightsValue.display)", at: weightsRange)
            }
            return options[Distributions.weightedIndex(weights, using: &rng)]!
        case .truncnormal:
            let (mean, sd, low, high) = (try num(0), try num(1), try num(2), try num(3))
            if sd <= 0 { throw ProblemReport("truncnormal: sd must be positive, got \(formatNumber(sd))", at: ranges[1]!) }
            if low >= high {
                throw ProblemReport("truncnormal: low (\(formatNumber(low))) must be less than high (\(formatNumber(high)))", at: call.range)
            }
            return .double(Distributions.truncatedNormal(mean, sd, low, high, using: &rng))
        case .lognormal:
            let (mu, sigma) = (try num(0), try num(1))
            if sigma < 0 { throw ProblemReport("lognormal: sigma must not be negative, got \(formatNumber(sigma))", at: ranges[1]!) }
            return try numeric(Distributions.logNormal(mu, sigma, using: &rng))
        case .poisson:
            let lambda = try num(0)
            guard lambda >= 0 && lambda <= Limits.poissonLambda else {
                throw ProblemReport("poisson: lambda must be between 0 and \(formatNumber(Limits.poissonLambda)), got \(formatNumber(lambda))", at: ranges[0]!)
            }
            let k = Distributions.poisson(lambda, using: &rng)
            try step(call.range, cost: k)
            return .int(k)
        case .random_color:
            /// The [low, high] list of parameter `i`, or `whole` when omitted; when `isBounded`,
            /// it must lie within `whole`.
            func interval(_ i: Int, _ whole: ClosedRange<Double>, isBounded: Bool) throws -> (Double, Double) {
                let parameter = function.signature.parameters[i].name
                guard let value = values[i] else { return (whole.lowerBound, whole.upperBound) }
                guard case let .list(items) = value, items.count == 2 else {
                    throw ProblemReport("\(name): \(parameter) must be a List [low, high], got \(value.typeName) \(value.display)", at: ranges[i]!)
                }
                let low = try Self.number(items[0], "\(name): \(parameter)", at: ranges[i]!)
                let high = try Self.number(items[1], "\(name): \(parameter)", at: ranges[i]!)
                guard low <= high, !isBounded || (whole.contains(low) && whole.contains(high)) else {
                    let bounds = isBounded ? "\(formatNumber(whole.lowerBound)) ≤ low ≤ high ≤ \(formatNumber(whole.upperBound))" : "low ≤ high"
                    throw ProblemReport("\(name): \(parameter) must be [low, high] with \(bounds), got \(value.display)", at: ranges[i]!)
                }
                return (low, high)
            }
            let hue = try interval(0, 0...360, isBounded: false)
            let saturation = try interval(1, 0...1, isBounded: true), value = try interval(2, 0...1, isBounded: true)
            let h = Distributions.uniform(hue.0, hue.1, using: &rng)
            let sat = Distributions.uniform(saturation.0, saturation.1, using: &rng)
            return .color(hsvColor(hue: h, saturation: sat, value: Distributions.uniform(value.0, value.1, using: &rng)))
        case .point_in_rectangle:
            let (low, high) = (try point(0), try point(1))
            guard low.x <= high.x, low.y <= high.y else {
                throw ProblemReport("point_in_rectangle: min (\(formatNumber(low.x)), \(formatNumber(low.y))) must not exceed max (\(formatNumber(high.x)), \(formatNumber(high.y))) in x or y", at: call.range)
            }
            let x = Distributions.uniform(low.x, high.x, using: &rng)
            return .point(x, Distributions.uniform(low.y, high.y, using: &rng))
        case .point_in_disc:
            let (center, radius) = (try point(0), try num(1))
            if radius < 0 { throw ProblemReport("point_in_disc: radius must not be negative, got \(formatNumber(radius))", at: ranges[1]!) }
            let (x, y) = Distributions.pointInDisc(center.x, center.y, radius, using: &rng)
            return .point(x, y)
        case .bernoulli:
            return .bool(Distributions.bernoulli(try unit(0), using: &rng))
        case .rgb:
            return .color(Color(red: try byte(0), green: try byte(1), blue: try byte(2)))
        case .rgba:
            return .color(Color(red: try byte(0), green: try byte(1), blue: try byte(2), alpha: try unit(3)))
        case .hsv:
            return .color(hsvColor(hue: try num(0), saturation: try unit(1), value: try unit(2)))
        case .gray:
            let v = try unit(0)
            return .color(Color(red: v, green: v, blue: v))
        case .linear:
            let angle = values[2] == nil ? 0 : try num(2)
            return .gradient(GradientValue(from: try color(0), to: try color(1), angle: angle))
        case .sin: return try numeric(Foundation_sin(try num(0)))
        case .cos: return try numeric(Foundation_cos(try num(0)))
        case .tan: return try numeric(Foundation_tan(try num(0)))
        case .atan2: return try numeric(Foundation_atan2(try num(0), try num(1)))
        case .sqrt:
            let x = try num(0)
            if x < 0 { throw ProblemReport("sqrt: x must not be negative, got \(formatNumber(x))", at: ranges[0]!) }
            return .double(x.squareRoot())
        case .abs:
            if case let .int(v) = argument(0) {
                guard v != Int.min else { throw ProblemReport("integer overflow in abs: \(v) has no Int absolute value", at: ranges[0]!) }
                return .int(Swift.abs(v))
            }
            return .double(Swift.abs(try num(0)))
        case .floor: return try rounded(.down)
        case .ceil: return try rounded(.up)
        case .round: return try rounded(.toNearestOrAwayFromZero)
        case .min, .max:
            let numbers = values.map { $0! }
            var best = numbers[0]
            for (i, value) in numbers.enumerated() {
                let v = try Self.number(value, "\(name): argument \(i + 1)", at: ranges[i]!)
                if i == 0 { continue }
                let current = best.number!
                if (function == .min && v < current) || (function == .max && v > current) { best = value }
            }
            if numbers.contains(where: { if case .double = $0 { return true } else { return false } }) {
                return .double(best.number!)
            }
            return best
        case .clamp:
            let (x, lo, hi) = (try num(0), try num(1), try num(2))
            if lo > hi { throw ProblemReport("clamp: lo (\(formatNumber(lo))) must not be greater than hi (\(formatNumber(hi)))", at: call.range) }
            if case .int = argument(0), case .int = argument(1), case .int = argument(2) { return .int(Int(Swift.min(Swift.max(x, lo), hi))) }
            return .double(Swift.min(Swift.max(x, lo), hi))
        case .lerp:
            let (a, b, t) = (try num(0), try num(1), try num(2))
            return .double(a + (b - a) * t)
        case .keyframes, .along, .wander:
            return try callMotionBuiltin(function, values, ranges, call: call)
        case .radians: return .double(try num(0) * Double.pi / 180)
        case .degrees: return .double(try num(0) * 180 / Double.pi)
        case .move_to, .line_to:
            let p = try point(0)
            return .pathElement(function == .move_to ? .move(p) : .line(p))
        case .curve_to:
            return .pathElement(.curve(control1: try point(0), control2: try point(1), end: try point(2)))
        case .close:
            return .pathElement(.close)
        case .radial, .stripes, .checker, .dots, .value_noise, .perlin_noise, .shadow:
            return try callRealismBuiltin(function, CheckedArguments(
                owner: name, signature: function.signature, values: values, ranges: ranges, call: call.range))
        case .len:
            guard case let .list(items) = argument(0) else {
                throw ProblemReport("len: list must be a List, got \(argument(0).typeName) \(argument(0).display)", at: ranges[0]!)
            }
            return .int(items.count)
        case .visible_pixels, .visible_fraction, .amodal_area, .in_frame_fraction, .hidden_pixels, .hidden_by,
             .bbox_x, .bbox_y, .bbox_width, .bbox_height, .shared_edge, .class_name:
            preconditionFailure("handled by callRenderedFact")
        case .count_frames, .longest_run, .ever, .always, .first_frame, .last_frame:
            preconditionFailure("handled by temporalValue")
        }
    }
}

/// HSV → RGB; `hue` in degrees (wrapped into [0, 360)), saturation and value in 0...1.
func hsvColor(hue: Double, saturation s: Double, value v: Double) -> Color {
    var h = hue.truncatingRemainder(dividingBy: 360)
    if h < 0 { h += 360 }
    let c = v * s
    let sector = h / 60
    let x = c * (1 - Swift.abs(sector.truncatingRemainder(dividingBy: 2) - 1))
    let m = v - c
    let (r, g, b): (Double, Double, Double)
    switch Int(sector) {
    case 0: (r, g, b) = (c, x, 0)
    case 1: (r, g, b) = (x, c, 0)
    case 2: (r, g, b) = (0, c, x)
    case 3: (r, g, b) = (0, x, c)
    case 4: (r, g, b) = (x, 0, c)
    default: (r, g, b) = (c, 0, x)
    }
    return Color(red: r + m, green: g + m, blue: b + m)
}

// The math functions by name, since the enum cases shadow them inside `callBuiltin`.
private func Foundation_sin(_ x: Double) -> Double { sin(x) }
private func Foundation_cos(_ x: Double) -> Double { cos(x) }
private func Foundation_tan(_ x: Double) -> Double { tan(x) }
private func Foundation_atan2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }
