/// The parameters of a callable (built-in function, primitive or template), used to bind the
/// written arguments — statically by the checker and again at run time.
struct Signature: Sendable {
    struct Parameter: Sendable {
        var name: String
        var isRequired: Bool
    }

    /// What the callable is, for messages: "function 'uniform'", "shape 'circle'", "template 'disc'".
    var description: String
    var parameters: [Parameter]
    /// Takes any number ≥ `minimumCount` of positional arguments (`choice`, `min`, `max`),
    /// then only labelled arguments for `parameters` (`choice(…, weights: […])`).
    var isVariadic = false
    var minimumCount = 0

    init(_ description: String, _ parameters: [Parameter], isVariadic: Bool = false, minimumCount: Int = 0) {
        self.description = description
        self.parameters = parameters
        self.isVariadic = isVariadic
        self.minimumCount = minimumCount
    }

    /// Required parameters `names`, then optional parameters `optional`.
    init(_ description: String, required names: [String], optional: [String] = []) {
        self.init(description, names.map { Parameter(name: $0, isRequired: true) } + optional.map { Parameter(name: $0, isRequired: false) })
    }

    /// For each parameter, the index into `arguments` of the argument bound to it, or nil when
    /// the parameter is left to its default. Positional arguments fill parameters in order;
    /// labelled ones name them. For a variadic signature, the positional arguments in order,
    /// then one entry per (labelled-only) parameter.
    /// - Throws: a ``ProblemReport`` naming the parameter for an unknown, duplicate, missing or
    ///   surplus argument.
    func bind(_ arguments: [Argument], call: SourceRange) throws -> [Int?] {
        var bound = [Int?](repeating: nil, count: parameters.count)
        var positional: [Int?] = []
        if isVariadic {
            if parameters.isEmpty, let labelled = arguments.first(where: { $0.label != nil }) {
                throw ProblemReport("\(description) takes no argument labels", at: labelled.labelRange!)
            }
            positional = arguments.indices.prefix { arguments[$0].label == nil }.map { $0 }
            if positional.count < minimumCount {
                throw ProblemReport("\(description) needs at least \(minimumCount) argument\(minimumCount == 1 ? "" : "s")", at: call)
            }
        }
        var nextPositional = 0
        var seenLabel = false
        for (i, argument) in arguments.enumerated() {
            let slot: Int
            if let label = argument.label {
                seenLabel = true
                guard let found = parameters.firstIndex(where: { $0.name == label }) else {
                    throw ProblemReport("\(description) has no parameter '\(label)'", at: argument.labelRange!,
                                        help: didYouMean(label, among: parameters.map(\.name)))
                }
                slot = found
            } else {
                if seenLabel {
                    throw ProblemReport("positional argument after a labelled one in \(description)", at: argument.range,
                                        help: "put positional arguments first")
                }
                if isVariadic { continue }
                guard nextPositional < parameters.count else {
                    throw ProblemReport("too many arguments to \(description): it takes \(parameters.count)", at: argument.range)
                }
                slot = nextPositional
                nextPositional += 1
            }
            if bound[slot] != nil {
                throw ProblemReport("argument '\(parameters[slot].name)' of \(description) is given twice", at: argument.range)
            }
            bound[slot] = i
        }
        for (slot, parameter) in parameters.enumerated() where parameter.isRequired && bound[slot] == nil {
            throw ProblemReport("missing argument '\(parameter.name)' of \(description)", at: call)
        }
        return positional.isEmpty ? bound : positional + bound
    }
}

/// The shapes a part statement can draw.
enum Primitive: String, CaseIterable, Sendable {
    case rectangle, rounded_rectangle, circle, ellipse, regular_polygon, star, polygon, path
    case polyline, line, arc
    case text, sprite

    /// The signature, built once per case: it is asked at every call the script makes.
    var signature: Signature { Self.signatures[self]! }

    private static let signatures = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.builtSignature) })

    private var builtSignature: Signature {
        let paint = ["fill", "fill_rule"] + Primitive.styleParameters
        let stroke = ["stroke_width", "fill"] + Primitive.styleParameters
        switch self {
        case .rounded_rectangle: return Signature("shape 'rounded_rectangle'", required: ["width", "height", "radius"], optional: paint)
        case .star: return Signature("shape 'star'", required: ["points", "outer", "inner"], optional: paint)
        case .path: return Signature("shape 'path'", required: ["elements"], optional: ["fill", "fill_rule", "stroke_width"] + Primitive.styleParameters)
        case .polyline: return Signature("shape 'polyline'", required: ["points"], optional: stroke)
        case .line: return Signature("shape 'line'", required: ["from", "to"], optional: stroke)
        case .arc: return Signature("shape 'arc'", required: ["radius", "start", "end"], optional: stroke)
        case .rectangle: return Signature("shape 'rectangle'", required: ["width", "height"], optional: paint)
        case .circle: return Signature("shape 'circle'", required: ["radius"], optional: paint)
        case .ellipse: return Signature("shape 'ellipse'", required: ["rx", "ry"], optional: paint)
        case .regular_polygon: return Signature("shape 'regular_polygon'", required: ["sides", "radius"], optional: paint)
        case .polygon: return Signature("shape 'polygon'", required: ["points"], optional: paint)
        case .text: return Signature("shape 'text'", required: ["content"], optional: ["size", "font", "weight", "slant", "fill"] + Primitive.styleParameters)
        case .sprite: return Signature("shape 'sprite'", required: ["file"], optional: ["width", "height"] + Primitive.styleParameters)
        }
    }
}

/// The functions usable in expressions.
enum BuiltinFunction: String, CaseIterable, Sendable {
    case uniform, normal, randint, choice, bernoulli
    case truncnormal, lognormal, poisson, random_color, point_in_rectangle, point_in_disc
    case rgb, rgba, hsv, gray, linear
    case sin, cos, tan, atan2, sqrt, abs, floor, ceil, round, min, max, clamp, lerp, radians, degrees
    case len
    case move_to, line_to, curve_to, close
    case radial, stripes, checker, dots, value_noise, perlin_noise, shadow
    case photo
    case visible_pixels, visible_fraction, amodal_area, in_frame_fraction, hidden_pixels, hidden_by
    case bbox_x, bbox_y, bbox_width, bbox_height, shared_edge, class_name
    case keyframes, along, wander
    case count_frames, longest_run, ever, always, first_frame, last_frame

    /// The signature, built once per case: it is asked at every call the script makes.
    var signature: Signature { Self.signatures[self]! }

    private static let signatures = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.builtSignature) })

    private var builtSignature: Signature {
        let name = "function '\(rawValue)'"
        switch self {
        case .uniform: return Signature(name, required: ["low", "high"])
        case .normal: return Signature(name, required: ["mean", "sd"])
        case .randint: return Signature(name, required: ["low", "high"])
        case .min, .max: return Signature(name, [], isVariadic: true, minimumCount: 1)
        case .choice: return Signature(name, [Signature.Parameter(name: "weights", isRequired: false)], isVariadic: true, minimumCount: 1)
        case .truncnormal: return Signature(name, required: ["mean", "sd", "low", "high"])
        case .lognormal: return Signature(name, required: ["mu", "sigma"])
        case .poisson: return Signature(name, required: ["lambda"])
        case .random_color: return Signature(name, required: [], optional: ["hue", "saturation", "value"])
        case .point_in_rectangle: return Signature(name, required: ["min", "max"])
        case .point_in_disc: return Signature(name, required: ["center", "radius"])
        case .bernoulli: return Signature(name, required: ["p"])
        case .rgb: return Signature(name, required: ["r", "g", "b"])
        case .rgba: return Signature(name, required: ["r", "g", "b", "a"])
        case .hsv: return Signature(name, required: ["h", "s", "v"])
        case .gray: return Signature(name, required: ["v"])
        case .linear: return Signature(name, required: ["c0", "c1"], optional: ["angle"])
        case .sin, .cos, .tan, .sqrt, .abs, .floor, .ceil, .round: return Signature(name, required: ["x"])
        case .atan2: return Signature(name, required: ["y", "x"])
        case .clamp: return Signature(name, required: ["x", "lo", "hi"])
        case .lerp: return Signature(name, required: ["a", "b", "t"])
        case .keyframes: return Signature(name, [Signature.Parameter(name: "ease", isRequired: false)], isVariadic: true, minimumCount: 2)
        case .along: return Signature(name, required: ["points", "speed", "time"], optional: ["loop"])
        case .wander: return Signature(name, required: ["center", "radius", "time"], optional: ["speed"])
        case .count_frames, .ever, .always, .first_frame, .last_frame: return Signature(name, required: ["condition"])
        case .longest_run: return Signature(name, required: ["condition"], optional: ["between"])
        case .radians: return Signature(name, required: ["deg"])
        case .degrees: return Signature(name, required: ["rad"])
        case .len: return Signature(name, required: ["list"])
        case .move_to, .line_to: return Signature(name, required: ["point"])
        case .curve_to: return Signature(name, required: ["control1", "control2", "end"])
        case .close: return Signature(name, required: [])
        case .radial, .stripes, .checker, .dots, .value_noise, .perlin_noise, .shadow: return realismSignature
        case .photo: return Signature(name, required: ["path"])
        case .hidden_by: return Signature(name, required: ["instance", "by"])
        case .shared_edge: return Signature(name, required: ["instance", "other"])
        case .visible_pixels, .visible_fraction, .amodal_area, .in_frame_fraction, .hidden_pixels,
             .bbox_x, .bbox_y, .bbox_width, .bbox_height, .class_name:
            return Signature(name, required: ["instance"])
        }
    }

    /// Whether the function draws from the generator (each call on its own stream).
    var draws: Bool {
        switch self {
        case .uniform, .normal, .randint, .choice, .bernoulli, .truncnormal, .lognormal, .poisson, .random_color,
             .point_in_rectangle, .point_in_disc, .value_noise, .perlin_noise, .photo, .wander:
            return true
        default:
            return false
        }
    }

    /// Whether the function reads the rendered picture (its instance raster), so that it can
    /// only be evaluated in a requirement, after the attempt is drawn.
    var isRenderedFact: Bool {
        switch self {
        case .visible_pixels, .visible_fraction, .amodal_area, .in_frame_fraction, .hidden_pixels, .hidden_by,
             .bbox_x, .bbox_y, .bbox_width, .bbox_height, .shared_edge:
            return true
        default:
            return false
        }
    }

    /// Whether the function looks at every frame of a clip (docs/LANGUAGE.md, *Requirements
    /// over a clip*): its arguments are Bool conditions evaluated once per frame, and its value
    /// is known once the clip's last frame is sampled.
    var isTemporal: Bool {
        switch self {
        case .count_frames, .longest_run, .ever, .always, .first_frame, .last_frame: return true
        default: return false
        }
    }

    /// Built-in constants, visible everywhere unless shadowed.
    static let constants = ["pi", "width", "height", "time", "image_index", "stratum"]
}
