#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SceneModel

/// Hard limits per image; exceeding one is a runtime error at the offending statement.
enum Limits {
    static let repeatCount = 100_000
    /// Evaluation steps per image, over all of its attempts together.
    static let evaluationSteps = 10_000_000
    /// Samples an image may draw until its `require`s hold, unless `attempts N` says otherwise.
    static let defaultAttempts = 100
    /// The largest `attempts N`.
    static let attempts = 10_000
    static let instances = 65_535
    static let templateDepth = 32
    static let shapesPerInstance = 100_000
    /// Characters (Unicode scalars) in a String made by `+`: doubling a string in a loop must
    /// not exhaust memory.
    static let stringLength = 100_000
    /// Elements in a List made by `+`.
    static let listLength = 100_000
    /// The largest `poisson` mean; each draw costs about λ evaluation steps.
    static let poissonLambda = 1_000_000.0
    /// Vertices of one regular polygon or star, points of a polygon or polyline, steps of a path.
    static let sides = 10_000
    /// Magnitude of a `scale` factor, and of the linear scale of any shape's combined transform:
    /// below it an object would shrink to nothing, above it overflow Cairo's coordinates.
    static let scale = 0.001...1000.0
    /// Largest `skew` angle in degrees (90° would flatten the shape).
    static let skewDegrees = 89.0
    /// Largest size or coordinate, in pixels: beyond it Cairo's 24.8 fixed-point path
    /// coordinates could no longer represent the shape exactly.
    static let coordinate = 1_000_000.0
}

/// What a checked program gives the interpreter: the flattened top-level statements and the
/// tables the statements refer to. Immutable, shared by all threads.
struct CompiledScript: Sendable {
    var statements: [Statement]
    var templates: [String: TemplateDeclaration]
    var categories: [Category]
    var categoryIDs: [String: Int]
    var width: Int
    var height: Int
    /// Samples an image may draw until its `require`s hold (`attempts N`).
    var attempts: Int
}

/// A `require` whose condition was false: the sample is rejected and drawn again.
struct Rejection: Error {
    /// The condition of the `require` that failed.
    var constraint: SourceRange
}

/// How often each `require` was evaluated and held, over the attempts of one image.
struct ConstraintTally {
    struct Count {
        var evaluated = 0
        var held = 0
    }

    private(set) var counts: [SourceRange: Count] = [:]

    mutating func record(_ constraint: SourceRange, held: Bool) {
        counts[constraint, default: Count()].evaluated += 1
        if held { counts[constraint]!.held += 1 }
    }

    /// The constraint that rejected most often (ties: the earliest in the source), with its counts.
    var worst: (constraint: SourceRange, count: Count)? {
        counts.map { (constraint: $0.key, count: $0.value) }.min { a, b in
            let (ra, rb) = (a.count.evaluated - a.count.held, b.count.evaluated - b.count.held)
            return ra != rb ? ra > rb : (a.constraint.file, a.constraint.start) < (b.constraint.file, b.constraint.start)
        }
    }
}

/// The state of sampling one attempt of one image: its random generator, its frame time, the
/// variables in scope, the instances drawn so far. Created fresh for each attempt of each
/// `sample(seed:index:)` call and never shared.
struct Interpreter {
    let script: CompiledScript
    var rng: SceneRandomGenerator
    /// The time of the frame being sampled, in seconds, visible to scripts as `time`. Always 0
    /// for still images; video will sample one image per frame time.
    let time: Double
    /// Evaluation steps taken so far by this image, including its earlier attempts.
    private(set) var steps: Int
    /// How often each `require` held, including earlier attempts of this image.
    private(set) var tally: ConstraintTally
    /// Innermost scope last. A template call swaps in a fresh stack holding its parameters.
    private var scopes: [[String: Value]] = [[:]]
    private var templateDepth = 0
    private(set) var instances: [Instance] = []
    private(set) var background: Paint = .solid(.black)
    /// The parts of the object being built, or nil outside an object.
    private var parts: [Shape]?
    /// Maps the current local frame (object, template use) to canvas pixels.
    private var transform = AffineTransform.identity

    init(script: CompiledScript, rng: SceneRandomGenerator, time: Double = 0, steps: Int = 0, tally: ConstraintTally = ConstraintTally()) {
        self.script = script
        self.rng = rng
        self.time = time
        self.steps = steps
        self.tally = tally
    }

    // MARK: Statements

    mutating func run() throws {
        try execute(script.statements)
    }

    private mutating func step(_ range: SourceRange, cost: Int = 1) throws {
        steps += cost
        if steps > Limits.evaluationSteps {
            throw ProblemReport("this image needs more than \(Limits.evaluationSteps) evaluation steps", at: range,
                                help: "lower the repeat counts or the template nesting")
        }
    }

    private mutating func execute(_ block: [Statement]) throws {
        for statement in block { try execute(statement) }
    }

    /// Runs `body` with the current transform composed with `local` (an object, group or
    /// template use), restoring the transform afterwards.
    private mutating func inFrame(_ local: AffineTransform, _ body: (inout Interpreter) throws -> Void) throws {
        let outer = transform
        transform = outer.concatenating(local)
        defer { transform = outer }
        try body(&self)
    }

    private mutating func inScope(_ body: (inout Interpreter) throws -> Void) throws {
        scopes.append([:])
        defer { scopes.removeLast() }
        try body(&self)
    }

    private mutating func execute(_ statement: Statement) throws {
        try step(statement.range)
        switch statement.kind {
        case .canvas, .classes, .import, .template, .attempts:
            break  // resolved at compile time
        case let .background(expr):
            let value = try evaluate(expr)
            let center = SceneModel.Point(Double(script.width) / 2, Double(script.height) / 2)
            let halfDiagonal = (Double(script.width * script.width + script.height * script.height)).squareRoot() / 2
            background = try paint(value, center: center, radius: halfDiagonal, what: "background", at: expr.range)
        case let .let(name, _, expr):
            scopes[scopes.count - 1][name] = try evaluate(expr)
        case let .assign(name, range, expr):
            let value = try evaluate(expr)
            guard let level = scopes.lastIndex(where: { $0[name] != nil }) else {
                throw ProblemReport("unknown variable '\(name)'", at: range)
            }
            scopes[level][name] = value
        case let .repeat(countExpr, indexName, _, body):
            let count = try integer(try evaluate(countExpr), "repeat count", at: countExpr.range)
            if count < 0 { throw ProblemReport("repeat count must not be negative, got \(count)", at: countExpr.range) }
            if count > Limits.repeatCount {
                throw ProblemReport("repeat count \(count) exceeds the limit of \(Limits.repeatCount) per loop", at: countExpr.range)
            }
            for i in 0..<count {
                try step(countExpr.range)  // so that even empty loops count towards the step limit
                try inScope { this in
                    if let indexName { this.scopes[this.scopes.count - 1][indexName] = .int(i) }
                    try this.execute(body)
                }
            }
        case let .for(name, _, sequence, body):
            let value = try evaluate(sequence)
            guard case let .list(items) = value else {
                throw ProblemReport("'for' needs a List to go through, got \(value.typeName) \(value.display)", at: sequence.range)
            }
            for item in items {
                try step(sequence.range)
                try inScope { this in
                    this.scopes[this.scopes.count - 1][name] = item
                    try this.execute(body)
                }
            }
        case let .if(condition, then, elseBody):
            let value = try evaluate(condition)
            guard case let .bool(isTrue) = value else {
                throw ProblemReport("the condition must be a Bool, got \(value.typeName) \(value.display)", at: condition.range)
            }
            if isTrue {
                try inScope { try $0.execute(then) }
            } else if let elseBody {
                try inScope { try $0.execute(elseBody) }
            }
        case let .require(condition):
            let value = try evaluate(condition)
            guard case let .bool(holds) = value else {
                throw ProblemReport("a requirement must be a Bool, got \(value.typeName) \(value.display)", at: condition.range)
            }
            tally.record(condition.range, held: holds)
            if !holds { throw Rejection(constraint: condition.range) }
        case let .object(objectClass, transforms, body):
            try drawObject(objectClass, transforms, body, range: statement.range)
        case let .group(transforms, body):
            let local = try localTransform(transforms)
            try inFrame(local) { try $0.inScope { try $0.execute(body) } }
        case let .draw(call, transforms):
            try drawPart(call, transforms)
        }
    }

    private mutating func drawObject(_ objectClass: ObjectClass, _ transforms: Transforms, _ body: [Statement], range: SourceRange) throws {
        let categoryID: Int?
        switch objectClass {
        case .unlabeled:
            categoryID = nil
        case let .name(name, nameRange):
            guard let id = script.categoryIDs[name] else { throw ProblemReport("unknown class '\(name)'", at: nameRange) }
            categoryID = id
        case let .expression(expr):
            let value = try evaluate(expr)
            guard case let .string(name) = value else {
                throw ProblemReport("a class must be given by its name as a String, got \(value.typeName) \(value.display)", at: expr.range)
            }
            guard let id = script.categoryIDs[name] else {
                throw ProblemReport("unknown class '\(name)'", at: expr.range,
                                    help: didYouMean(name, among: script.categories.map(\.name)))
            }
            categoryID = id
        }
        if instances.count >= Limits.instances {
            throw ProblemReport("this image has more than \(Limits.instances) instances", at: range)
        }
        let local = try localTransform(transforms)
        parts = []
        defer { parts = nil }
        try inFrame(local) { try $0.inScope { try $0.execute(body) } }
        instances.append(Instance(id: instances.count + 1, categoryID: categoryID, shapes: parts ?? []))
    }

    /// Draws a primitive, or runs a template body, under the current transform composed with
    /// the part's own. Arguments are evaluated first (written order, then missing defaults in
    /// parameter order), then the transforms in written order.
    private mutating func drawPart(_ call: Call, _ transforms: Transforms) throws {
        if let primitive = Primitive(rawValue: call.name) {
            let (values, ranges) = try evaluateArguments(call, signature: primitive.signature)
            let local = try localTransform(transforms)
            let shape = try makeShape(primitive, values, ranges, call: call)
            guard parts != nil else { throw ProblemReport("shapes can only be drawn inside an object", at: call.range) }
            if parts!.count >= Limits.shapesPerInstance {
                throw ProblemReport("this object has more than \(Limits.shapesPerInstance) shapes", at: call.range)
            }
            let composed = try checkedShapeTransform(transform.concatenating(local), at: call.range)
            parts!.append(Shape(geometry: shape.geometry, transform: composed, paint: shape.paint, fillRule: shape.fillRule))
            return
        }
        guard let template = script.templates[call.name] else {
            throw ProblemReport("unknown shape or template '\(call.name)'", at: call.nameRange)
        }
        if templateDepth >= Limits.templateDepth {
            throw ProblemReport("templates nest deeper than \(Limits.templateDepth) calls", at: call.range,
                                help: "check '\(template.name)' for unbounded recursion")
        }
        let signature = Signature("template '\(template.name)'", template.parameters.map {
            Signature.Parameter(name: $0.name, isRequired: $0.defaultValue == nil)
        })
        let bound = try signature.bind(call.arguments, call: call.range)
        var written: [Value] = []
        for argument in call.arguments { written.append(try evaluate(argument.value)) }
        // Defaults are evaluated in the template's scope, seeing the parameters before them.
        let callerScopes = scopes
        scopes = [[:]]
        templateDepth += 1
        defer { scopes = callerScopes; templateDepth -= 1 }
        for (slot, parameter) in template.parameters.enumerated() {
            if let i = bound[slot] {
                scopes[0][parameter.name] = written[i]
            } else if let defaultValue = parameter.defaultValue {
                scopes[0][parameter.name] = try evaluate(defaultValue)
            }
        }
        // Transforms are written in the caller's scope.
        let templateScopes = scopes
        scopes = callerScopes
        let local = try localTransform(transforms)
        scopes = templateScopes
        try inFrame(local) { try $0.execute(template.body) }
    }

    /// `translate(at) · translate(anchor) · rotate · skew · scale · translate(−anchor)`: about the
    /// anchor (the local origin by default), scale first, then skew, then rotate; then move.
    private mutating func localTransform(_ transforms: Transforms) throws -> AffineTransform {
        var translation = AffineTransform.identity, rotation = AffineTransform.identity, scaling = AffineTransform.identity
        var shear = AffineTransform.identity, anchor = SceneModel.Point(0, 0)
        for (kind, expr) in transforms.items {
            let value = try evaluate(expr)
            switch (kind, value) {
            case let (.at, .point(x, y)):
                let p = try coordinate(x, y, "at", at: expr.range)
                translation = .translation(p.x, p.y)
            case let (.anchor, .point(x, y)):
                anchor = try coordinate(x, y, "anchor", at: expr.range)
            case (.at, _), (.anchor, _):
                throw ProblemReport("'\(kind.rawValue)' needs a Point like (x, y), got \(value.typeName) \(value.display)", at: expr.range)
            case (.rotate, _):
                rotation = .rotation(degrees: try number(value, "rotate", at: expr.range))
            case let (.scale, .point(sx, sy)):
                scaling = .scale(try scaleFactor(.double(sx), at: expr.range), try scaleFactor(.double(sy), at: expr.range))
            case (.scale, _):
                let s = try scaleFactor(value, at: expr.range)
                scaling = .scale(s, s)
            case let (.skew, .point(ax, ay)):
                shear = .skew(degreesX: try skewAngle(.double(ax), at: expr.range), degreesY: try skewAngle(.double(ay), at: expr.range))
            case (.skew, _):
                shear = .skew(degreesX: try skewAngle(value, at: expr.range), degreesY: 0)
            }
        }
        let aboutOrigin = rotation.concatenating(shear.concatenating(scaling))
        return translation.concatenating(.translation(anchor.x, anchor.y))
            .concatenating(aboutOrigin.concatenating(.translation(-anchor.x, -anchor.y)))
    }

    /// A scale factor: finite, not 0, and of magnitude within ``Limits/scale`` (negative mirrors).
    private func scaleFactor(_ value: Value, at range: SourceRange) throws -> Double {
        let s = try number(value, "scale", at: range)
        guard Limits.scale.contains(Swift.abs(s)) else {
            throw ProblemReport("scale \(formatNumber(s)) is out of range: its magnitude must be between \(formatNumber(Limits.scale.lowerBound)) and \(formatNumber(Limits.scale.upperBound))",
                                at: range, help: s == 0 ? "a scale of 0 would make the shape vanish; leave the shape out instead" : nil)
        }
        return s
    }

    private func skewAngle(_ value: Value, at range: SourceRange) throws -> Double {
        let angle = try number(value, "skew", at: range)
        guard Swift.abs(angle) <= Limits.skewDegrees else {
            throw ProblemReport("skew \(formatNumber(angle))° is out of range: it must be within ±\(formatNumber(Limits.skewDegrees))°", at: range)
        }
        return angle
    }

    /// The transform of a shape about to be drawn: its linear part must neither collapse the
    /// shape (area factor below ``Limits/scale`` squared) nor blow it up, so that no object
    /// silently vanishes or overflows Cairo.
    private func checkedShapeTransform(_ t: AffineTransform, at range: SourceRange) throws -> AffineTransform {
        let (low, high) = (Limits.scale.lowerBound, Limits.scale.upperBound)
        let areaScale = Swift.abs(t.areaScale)
        let largest = Swift.max(Swift.abs(t.a), Swift.abs(t.b), Swift.abs(t.c), Swift.abs(t.d))
        guard areaScale >= low * low, largest <= high, t.tx.isFinite, t.ty.isFinite else {
            throw ProblemReport("the combined transforms scale this shape by \(formatNumber(areaScale.squareRoot())) (in area by \(formatNumber(areaScale))), outside \(formatNumber(low))…\(formatNumber(high))",
                                at: range, help: "nested 'scale's multiply; check the enclosing objects, groups and templates")
        }
        return t
    }

    private mutating func makeShape(_ primitive: Primitive, _ values: [Value?], _ ranges: [SourceRange?], call: Call) throws -> Shape {
        let name = primitive.rawValue
        let parameters = primitive.signature.parameters.map(\.name)
        func what(_ slot: Int) -> String { "\(name): \(parameters[slot])" }
        func size(_ slot: Int) throws -> Double {
            let v = try number(values[slot]!, what(slot), at: ranges[slot]!)
            guard v >= 0 else {
                throw ProblemReport("\(what(slot)) must not be negative, got \(formatNumber(v))", at: ranges[slot]!)
            }
            guard v <= Limits.coordinate else {
                throw ProblemReport("\(what(slot)) must be at most \(formatNumber(Limits.coordinate)) pixels, got \(formatNumber(v))", at: ranges[slot]!)
            }
            return v
        }
        func count(_ slot: Int, minimum: Int) throws -> Int {
            let n = try integer(values[slot]!, what(slot), at: ranges[slot]!)
            if n < minimum || n > Limits.sides {
                throw ProblemReport("\(what(slot)) must be \(minimum)…\(Limits.sides), got \(n)", at: ranges[slot]!)
            }
            return n
        }
        func point(_ slot: Int) throws -> SceneModel.Point {
            guard case let .point(x, y) = values[slot]! else {
                throw ProblemReport("\(what(slot)) must be a Point, got \(values[slot]!.typeName) \(values[slot]!.display)", at: ranges[slot]!)
            }
            return try coordinate(x, y, what(slot), at: ranges[slot]!)
        }
        func points(_ slot: Int, minimum: Int) throws -> [SceneModel.Point] {
            guard case let .list(items) = values[slot]! else {
                throw ProblemReport("\(what(slot)) must be a List of Points, got \(values[slot]!.typeName)", at: ranges[slot]!)
            }
            var points: [SceneModel.Point] = []
            for item in items {
                guard case let .point(x, y) = item else {
                    throw ProblemReport("\(what(slot)) must be a List of Points, found \(item.typeName) \(item.display)", at: ranges[slot]!)
                }
                points.append(try coordinate(x, y, what(slot), at: ranges[slot]!))
            }
            if points.count < minimum { throw ProblemReport("\(what(slot)) needs at least \(minimum) points, got \(points.count)", at: ranges[slot]!) }
            if points.count > Limits.sides { throw ProblemReport("\(what(slot)) has more than \(Limits.sides) points", at: ranges[slot]!) }
            return points
        }
        /// The `stroke_width` if given (it must be positive), else nil.
        func strokeWidth() throws -> Double? {
            guard let slot = parameters.firstIndex(of: "stroke_width"), values[slot] != nil else { return nil }
            let w = try size(slot)
            guard w > 0 else { throw ProblemReport("\(what(slot)) must be positive, got 0", at: ranges[slot]!) }
            return w
        }
        let geometry: Geometry
        switch primitive {
        case .rectangle: geometry = .rectangle(width: try size(0), height: try size(1))
        case .rounded_rectangle: geometry = .roundedRectangle(width: try size(0), height: try size(1), radius: try size(2))
        case .circle: geometry = .circle(radius: try size(0))
        case .ellipse: geometry = .ellipse(radiusX: try size(0), radiusY: try size(1))
        case .regular_polygon: geometry = .regularPolygon(sides: try count(0, minimum: 3), radius: try size(1))
        case .star: geometry = .star(points: try count(0, minimum: 2), outerRadius: try size(1), innerRadius: try size(2))
        case .polygon: geometry = .polygon(try points(0, minimum: 3))
        case .path:
            let elements = try pathElements(values[0]!, at: ranges[0]!)
            geometry = try strokeWidth().map { .strokedPath(elements, width: $0) } ?? .path(elements)
        case .polyline, .line:
            let vertices = primitive == .line ? [try point(0), try point(1)] : try points(0, minimum: 2)
            let elements = [PathElement.move(vertices[0])] + vertices.dropFirst().map { .line($0) }
            geometry = .strokedPath(elements, width: try strokeWidth() ?? 1)
        case .arc:
            let (start, end) = (try number(values[1]!, what(1), at: ranges[1]!), try number(values[2]!, what(2), at: ranges[2]!))
            guard end - start <= 360 else {
                throw ProblemReport("arc: end − start must be at most 360°, got \(formatNumber(end - start))°", at: call.range)
            }
            geometry = .arc(radius: try size(0), start: start, end: end, width: try strokeWidth() ?? 1)
        }
        let fillSlot = parameters.firstIndex(of: "fill")!
        let fill = values[fillSlot] ?? .color(Color(red: 128.0 / 255, green: 128.0 / 255, blue: 128.0 / 255))
        let paint = try self.paint(fill, center: SceneModel.Point(0, 0), radius: geometry.boundingRadius,
                                   what: what(fillSlot), at: ranges[fillSlot] ?? call.range)
        var fillRule = FillRule.nonZero
        if let ruleSlot = parameters.firstIndex(of: "fill_rule"), let rule = values[ruleSlot] {
            switch rule {
            case .string("nonzero"): fillRule = .nonZero
            case .string("evenodd"): fillRule = .evenOdd
            default:
                throw ProblemReport("\(name): fill_rule must be \"nonzero\" or \"evenodd\", got \(rule.display)", at: ranges[ruleSlot]!)
            }
        }
        return Shape(geometry: geometry, transform: .identity, paint: paint, fillRule: fillRule)
    }

    /// The elements of a `path`: a List of `move_to`/`line_to`/`curve_to`/`close` values that
    /// starts with `move_to`, at most ``Limits/sides`` of them.
    private func pathElements(_ value: Value, at range: SourceRange) throws -> [PathElement] {
        guard case let .list(items) = value else {
            throw ProblemReport("path: elements must be a List of path steps (move_to, line_to, curve_to, close), got \(value.typeName) \(value.display)", at: range)
        }
        var elements: [PathElement] = []
        for item in items {
            guard case let .pathElement(element) = item else {
                throw ProblemReport("path: elements must be a List of path steps (move_to, line_to, curve_to, close), found \(item.typeName) \(item.display)", at: range)
            }
            for p in element.points { _ = try coordinate(p.x, p.y, "path: elements", at: range) }
            elements.append(element)
        }
        guard case .move = elements.first else {
            throw ProblemReport("path: elements must start with move_to(…), got \(elements.first.map { Value.pathElement($0).display } ?? "an empty List")", at: range)
        }
        guard elements.count <= Limits.sides else {
            throw ProblemReport("path: at most \(Limits.sides) elements, got \(elements.count)", at: range)
        }
        return elements
    }

    private func paint(_ value: Value, center: SceneModel.Point, radius: Double, what: String, at range: SourceRange) throws -> Paint {
        switch value {
        case let .color(c): return .solid(c)
        case let .gradient(g): return g.paint(center: center, radius: radius)
        default: throw ProblemReport("\(what) must be a Color or a gradient, got \(value.typeName) \(value.display)", at: range)
        }
    }

    // MARK: Expressions

    /// Evaluates written arguments left to right, then the defaults of the missing optional
    /// parameters (built-ins and primitives have none that draw). Returns one value (and the
    /// range of its argument) per parameter, nil for a parameter left to its default.
    private mutating func evaluateArguments(_ call: Call, signature: Signature) throws -> ([Value?], [SourceRange?]) {
        let bound = try signature.bind(call.arguments, call: call.range)
        var written: [Value] = []
        for argument in call.arguments { written.append(try evaluate(argument.value)) }
        return (bound.map { $0.map { written[$0] } }, bound.map { $0.map { call.arguments[$0].value.range } })
    }

    mutating func evaluate(_ expr: Expr) throws -> Value {
        try step(expr.range)
        switch expr.kind {
        case let .int(v): return .int(v)
        case let .double(v): return .double(v)
        case let .string(v): return .string(v)
        case let .bool(v): return .bool(v)
        case let .color(v): return .color(v)
        case let .variable(name):
            for scope in scopes.reversed() {
                if let value = scope[name] { return value }
            }
            switch name {
            case "pi": return .double(Double.pi)
            case "width": return .int(script.width)
            case "height": return .int(script.height)
            case "time": return .double(time)
            default: throw ProblemReport("unknown variable '\(name)'", at: expr.range)
            }
        case let .point(xExpr, yExpr):
            let x = try number(try evaluate(xExpr), "the x of a point", at: xExpr.range)
            let y = try number(try evaluate(yExpr), "the y of a point", at: yExpr.range)
            return .point(x, y)
        case let .list(items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case let .index(listExpr, indexExpr):
            let list = try evaluate(listExpr)
            let index = try evaluate(indexExpr)
            let items: [Value]
            switch list {
            case let .list(values): items = values
            case let .point(x, y): items = [.double(x), .double(y)]
            default: throw ProblemReport("only a List or a Point can be indexed, got \(list.typeName) \(list.display)", at: listExpr.range)
            }
            let i = try integer(index, "a list index", at: indexExpr.range)
            guard items.indices.contains(i) else {
                throw ProblemReport("index \(i) is out of range for a List of \(items.count) element\(items.count == 1 ? "" : "s")", at: indexExpr.range,
                                    help: items.isEmpty ? nil : "indices run from 0 to \(items.count - 1)")
            }
            return items[i]
        case let .call(call):
            return try callBuiltin(call)
        case let .unary(op, operandExpr):
            let operand = try evaluate(operandExpr)
            switch (op, operand) {
            case let (.negate, .int(v)):
                guard v != Int.min else { throw ProblemReport("integer overflow", at: expr.range) }
                return .int(-v)
            case let (.negate, .double(v)): return .double(-v)
            case let (.negate, .point(x, y)): return .point(-x, -y)
            case let (.not, .bool(v)): return .bool(!v)
            default:
                throw ProblemReport("'\(op.rawValue)' cannot be applied to \(operand.typeName) \(operand.display)", at: expr.range)
            }
        case let .binary(op, leftExpr, rightExpr):
            let left = try evaluate(leftExpr)
            if op == .and || op == .or {
                guard case let .bool(l) = left else {
                    throw ProblemReport("'\(op.rawValue)' needs Bool operands, got \(left.typeName) \(left.display)", at: leftExpr.range)
                }
                // Short-circuit: the right side (and its draws) is skipped when the left decides.
                if (op == .and && !l) || (op == .or && l) { return .bool(l) }
                let right = try evaluate(rightExpr)
                guard case let .bool(r) = right else {
                    throw ProblemReport("'\(op.rawValue)' needs Bool operands, got \(right.typeName) \(right.display)", at: rightExpr.range)
                }
                return .bool(r)
            }
            let right = try evaluate(rightExpr)
            let result = try binary(op, left, right, at: expr.range)
            // Concatenation copies both operands: charge the copy, so that growing a List or a
            // String one element at a time stays within the step limit instead of going quadratic.
            switch result {
            case let .list(items): try step(expr.range, cost: items.count)
            case let .string(text): try step(expr.range, cost: text.unicodeScalars.count)
            default: break
            }
            return result
        }
    }

    private func binary(_ op: BinaryOperator, _ left: Value, _ right: Value, at range: SourceRange) throws -> Value {
        func overflow() -> ProblemReport { ProblemReport("integer overflow in '\(op.rawValue)'", at: range) }
        switch (op, left, right) {
        case let (.add, .int(a), .int(b)):
            let (r, o) = a.addingReportingOverflow(b); if o { throw overflow() }; return .int(r)
        case let (.subtract, .int(a), .int(b)):
            let (r, o) = a.subtractingReportingOverflow(b); if o { throw overflow() }; return .int(r)
        case let (.multiply, .int(a), .int(b)):
            let (r, o) = a.multipliedReportingOverflow(by: b); if o { throw overflow() }; return .int(r)
        case let (.remainder, .int(a), .int(b)):
            if b == 0 { throw ProblemReport("remainder by zero", at: range) }
            let (r, o) = a.remainderReportingOverflow(dividingBy: b); if o { throw overflow() }; return .int(r)
        case let (.add, .point(ax, ay), .point(bx, by)): return .point(ax + bx, ay + by)
        case let (.subtract, .point(ax, ay), .point(bx, by)): return .point(ax - bx, ay - by)
        case let (.add, .string(a), .string(b)):
            guard a.unicodeScalars.count + b.unicodeScalars.count <= Limits.stringLength else {
                throw ProblemReport("'+' would make a String longer than \(Limits.stringLength) characters", at: range)
            }
            return .string(a + b)
        case let (.add, .list(a), .list(b)):
            guard a.count + b.count <= Limits.listLength else {
                throw ProblemReport("'+' would make a List longer than \(Limits.listLength) elements", at: range)
            }
            return .list(a + b)
        case (.equal, _, _): return .bool(Interpreter.isEqual(left, right))
        case (.notEqual, _, _): return .bool(!Interpreter.isEqual(left, right))
        default: break
        }
        if let a = left.number, let b = right.number {
            switch op {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide:
                if b == 0 { throw ProblemReport("division by zero", at: range) }
                return .double(a / b)
            case .remainder:
                if b == 0 { throw ProblemReport("remainder by zero", at: range) }
                return .double(a.truncatingRemainder(dividingBy: b))
            case .less: return .bool(a < b)
            case .lessOrEqual: return .bool(a <= b)
            case .greater: return .bool(a > b)
            case .greaterOrEqual: return .bool(a >= b)
            default: break
            }
        }
        switch (op, left, right) {
        case let (.multiply, .point(x, y), _) where right.number != nil: return .point(x * right.number!, y * right.number!)
        case let (.multiply, _, .point(x, y)) where left.number != nil: return .point(x * left.number!, y * left.number!)
        case let (.divide, .point(x, y), _) where right.number != nil:
            if right.number! == 0 { throw ProblemReport("division by zero", at: range) }
            return .point(x / right.number!, y / right.number!)
        default:
            throw ProblemReport("'\(op.rawValue)' cannot be applied to \(left.typeName) \(left.display) and \(right.typeName) \(right.display)", at: range)
        }
    }

    /// Equality; Int and Double compare by numeric value.
    static func isEqual(_ a: Value, _ b: Value) -> Bool {
        if let x = a.number, let y = b.number { return x == y }
        return a == b
    }

    // MARK: Conversions

    func number(_ value: Value, _ what: String, at range: SourceRange) throws -> Double {
        guard let v = value.number else {
            throw ProblemReport("\(what) must be a number, got \(value.typeName) \(value.display)", at: range)
        }
        guard v.isFinite else { throw ProblemReport("\(what) must be a finite number, got \(formatNumber(v))", at: range) }
        return v
    }

    /// A point used as geometry: finite and within ±`maximumCoordinate` pixels.
    func coordinate(_ x: Double, _ y: Double, _ what: String, at range: SourceRange) throws -> SceneModel.Point {
        for v in [x, y] where !v.isFinite || Swift.abs(v) > Limits.coordinate {
            throw ProblemReport("\(what) must be finite and within ±\(formatNumber(Limits.coordinate)) pixels, got (\(formatNumber(x)), \(formatNumber(y)))", at: range)
        }
        return SceneModel.Point(x, y)
    }

    /// An Int, or a Double with an integral value.
    func integer(_ value: Value, _ what: String, at range: SourceRange) throws -> Int {
        switch value {
        case let .int(v): return v
        case let .double(v) where v == v.rounded() && abs(v) < 9e15: return Int(v)
        case .double:
            throw ProblemReport("\(what) must be a whole number, got \(value.display)", at: range)
        default:
            throw ProblemReport("\(what) must be a whole number, got \(value.typeName) \(value.display)", at: range)
        }
    }

    // MARK: Built-in functions

    private mutating func callBuiltin(_ call: Call) throws -> Value {
        guard let function = BuiltinFunction(rawValue: call.name) else {
            throw ProblemReport("unknown function '\(call.name)'", at: call.nameRange)
        }
        let (values, ranges) = try evaluateArguments(call, signature: function.signature)
        let name = function.rawValue
        func argument(_ i: Int) -> Value { values[i]! }
        func num(_ i: Int) throws -> Double {
            try number(values[i]!, "\(name): \(function.signature.parameters[i].name)", at: ranges[i]!)
        }
        func int(_ i: Int) throws -> Int {
            try integer(values[i]!, "\(name): \(function.signature.parameters[i].name)", at: ranges[i]!)
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
            guard abs(v) < 9e15 else { throw ProblemReport("\(name): \(formatNumber(v)) is too large for an Int", at: ranges[0]!) }
            return .int(Int(v))
        }
        switch function {
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
            let options = values.dropLast()
            guard let weightsValue = values.last!, let weightsRange = ranges.last! else {
                return options[Distributions.choiceIndex(options.count, using: &rng)]!
            }
            guard case let .list(items) = weightsValue else {
                throw ProblemReport("choice: weights must be a List of numbers, got \(weightsValue.typeName) \(weightsValue.display)", at: weightsRange)
            }
            guard items.count == options.count else {
                throw ProblemReport("choice: weights has \(items.count) element\(items.count == 1 ? "" : "s") but there \(options.count == 1 ? "is 1 option" : "are \(options.count) options")", at: weightsRange)
            }
            var weights: [Double] = []
            for (i, item) in items.enumerated() {
                let w = try number(item, "choice: weights[\(i)]", at: weightsRange)
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
                let low = try number(items[0], "\(name): \(parameter)", at: ranges[i]!)
                let high = try number(items[1], "\(name): \(parameter)", at: ranges[i]!)
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
                let v = try number(value, "\(name): argument \(i + 1)", at: ranges[i]!)
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
        case .radians: return .double(try num(0) * Double.pi / 180)
        case .degrees: return .double(try num(0) * 180 / Double.pi)
        case .move_to, .line_to:
            let p = try point(0)
            return .pathElement(function == .move_to ? .move(p) : .line(p))
        case .curve_to:
            return .pathElement(.curve(control1: try point(0), control2: try point(1), end: try point(2)))
        case .close:
            return .pathElement(.close)
        case .len:
            guard case let .list(items) = argument(0) else {
                throw ProblemReport("len: list must be a List, got \(argument(0).typeName) \(argument(0).display)", at: ranges[0]!)
            }
            return .int(items.count)
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
