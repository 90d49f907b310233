import SceneModel

extension Interpreter {
    /// The shape a primitive call draws, in its local frame (identity transform): its geometry
    /// from the checked arguments, its paint and fill rule.
    mutating func makeShape(_ primitive: Primitive, _ values: [Value?], _ ranges: [SourceRange?], call: Call) throws -> Shape {
        let name = primitive.rawValue
        let parameters = primitive.signature.parameters.map(\.name)
        func what(_ slot: Int) -> String { "\(name): \(parameters[slot])" }
        func size(_ slot: Int) throws -> Double {
            let v = try Self.number(values[slot]!, what(slot), at: ranges[slot]!)
            guard v >= 0 else {
                throw ProblemReport("\(what(slot)) must not be negative, got \(formatNumber(v))", at: ranges[slot]!)
            }
            guard v <= Limits.coordinate else {
                throw ProblemReport("\(what(slot)) must be at most \(formatNumber(Limits.coordinate)) pixels, got \(formatNumber(v))", at: ranges[slot]!)
            }
            return v
        }
        func count(_ slot: Int, minimum: Int) throws -> Int {
            let n = try Self.integer(values[slot]!, what(slot), at: ranges[slot]!)
            if n < minimum || n > Limits.sides {
                throw ProblemReport("\(what(slot)) must be \(minimum)…\(Limits.sides), got \(n)", at: ranges[slot]!)
            }
            return n
        }
        func point(_ slot: Int) throws -> SceneModel.Point {
            guard case let .point(x, y) = values[slot]! else {
                throw ProblemReport("\(what(slot)) must be a Point, got \(values[slot]!.typeName) \(values[slot]!.display)", at: ranges[slot]!)
            }
            return try Self.coordinate(x, y, what(slot), at: ranges[slot]!)
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
                points.append(try Self.coordinate(x, y, what(slot), at: ranges[slot]!))
            }
            if points.count < minimum { throw ProblemReport("\(what(slot)) needs at least \(minimum) points, got \(points.count)", at: ranges[slot]!) }
            if points.count > Limits.sides { throw ProblemReport("\(what(slot)) has more than \(Limits.sides) points", at: ranges[slot]!) }
            return points
        }
        /// The `stroke_width` if given (it must be positive), else nil.
        func strokeWidth() throws -> Double? {
            guard let slot = parameters.firstIndex(of: "stroke_width"), values[slot] != nil else { return nil }
            let w = try Self.number(values[slot]!, what(slot), at: ranges[slot]!)
            guard w > 0 else { throw ProblemReport("\(what(slot)) must be positive, got \(formatNumber(w))", at: ranges[slot]!) }
            return try size(slot)
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
            let (start, end) = (try Self.number(values[1]!, what(1), at: ranges[1]!), try Self.number(values[2]!, what(2), at: ranges[2]!))
            guard end - start <= 360 else {
                throw ProblemReport("arc: end − start must be at most 360°, got \(formatNumber(end - start))°", at: call.range)
            }
            geometry = .arc(radius: try size(0), start: start, end: end, width: try strokeWidth() ?? 1)
        case .text:
            geometry = try textGeometry(values, ranges, what: what)
        case .sprite:
            geometry = try spriteGeometry(values, ranges, what: what, size: size)
        }
        let fillSlot = parameters.firstIndex(of: "fill")
        let fill = fillSlot.flatMap { values[$0] } ?? .color(Color(red: 128.0 / 255, green: 128.0 / 255, blue: 128.0 / 255))
        let paint = try self.paint(fill, center: SceneModel.Point(0, 0), radius: geometry.boundingRadius,
                                   what: fillSlot.map(what) ?? name, at: fillSlot.flatMap { ranges[$0] } ?? call.range)
        var fillRule = FillRule.nonZero
        if let ruleSlot = parameters.firstIndex(of: "fill_rule"), let rule = values[ruleSlot] {
            switch rule {
            case .string("nonzero"): fillRule = .nonZero
            case .string("evenodd"): fillRule = .evenOdd
            default:
                throw ProblemReport("\(name): fill_rule must be \"nonzero\" or \"evenodd\", got \(rule.display)", at: ranges[ruleSlot]!)
            }
        }
        return try styled(Shape(geometry: geometry, transform: .identity, paint: paint, fillRule: fillRule),
                          CheckedArguments(owner: name, signature: primitive.signature, values: values, ranges: ranges, call: call.range))
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
            for p in element.points { _ = try Self.coordinate(p.x, p.y, "path: elements", at: range) }
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

    /// A Color, gradient or texture value as the paint of a region centred on `center` with `radius`.
    func paint(_ value: Value, center: SceneModel.Point, radius: Double, what: String, at range: SourceRange) throws -> Paint {
        switch value {
        case let .color(c): return .solid(c)
        case let .gradient(g): return g.paint(center: center, radius: radius)
        default:
            if let paint = realismPaint(value, center: center, radius: radius) { return paint }
            throw ProblemReport("\(what) must be a Color, a gradient or a texture, got \(value.typeName) \(value.display)", at: range)
        }
    }
}
