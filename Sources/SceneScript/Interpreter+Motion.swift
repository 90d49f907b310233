#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SceneModel

/// How `keyframes` moves between two keys: the fraction `u` (0…1) of the interval elapsed is
/// mapped to the fraction of the way from one value to the next.
enum Easing: String, CaseIterable {
    case linear, `in`, out, in_out, hold

    /// `linear`: u; `in`: u³ (starts slow); `out`: 1 − (1 − u)³ (ends slow); `in_out`: 4u³ for
    /// u < ½, else 1 − (2 − 2u)³ / 2 (slow at both ends); `hold`: 0 (the earlier key's value
    /// until the next key).
    func callAsFunction(_ u: Double) -> Double {
        switch self {
        case .linear: return u
        case .in: return u * u * u
        case .out: return 1 - (1 - u) * (1 - u) * (1 - u)
        case .in_out: return u < 0.5 ? 4 * u * u * u : 1 - pow(2 - 2 * u, 3) / 2
        case .hold: return 0
        }
    }
}

/// Motion over the frame time: `keyframes`, `along`, `wander` and the `camera` statement
/// (docs/LANGUAGE.md, *Clips*).
extension Interpreter {
    /// The amplitudes of the three sinusoids of `wander`, per axis; they add up to 1, so an
    /// offset never exceeds the radius.
    private static let wanderAmplitudes = [0.5, 0.3, 0.2]
    /// The base frequencies of `wander`'s sinusoids, in hertz at `speed: 1`.
    private static let wanderFrequencies = [0.13, 0.29, 0.61]

    /// Evaluates `keyframes`, `along` or `wander` on arguments already evaluated (positional
    /// first for the variadic `keyframes`, then its labelled `ease`). `wander` draws from the
    /// generator the call's stream was set to.
    mutating func callMotionBuiltin(_ function: BuiltinFunction, _ values: [Value?], _ ranges: [SourceRange?],
                                    call: Call) throws -> Value {
        let name = function.rawValue
        func number(_ i: Int, _ what: String) throws -> Double {
            let v = try Interpreter.number(values[i]!, "\(name): \(what)", at: ranges[i]!)
            guard v.isFinite else { throw ProblemReport("\(name): \(what) must be a finite number, got \(formatNumber(v))", at: ranges[i]!) }
            return v
        }
        switch function {
        case .keyframes:
            let count = values.count - 1
            let time = try number(0, "time")
            var easing = Easing.linear
            if let given = values[count] {
                guard case let .string(text) = given, let chosen = Easing(rawValue: text) else {
                    throw ProblemReport("keyframes: ease must be one of " + Easing.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                                            + ", got \(given.display)", at: ranges[count]!,
                                        help: { if case let .string(text) = given { return didYouMean(text, among: Easing.allCases.map(\.rawValue)) } else { return nil } }())
                }
                easing = chosen
            }
            var keys: [(time: Double, value: Value)] = []
            for i in 1..<count {
                guard case let .list(pair) = values[i]!, pair.count == 2, let t = pair[0].number, t.isFinite else {
                    throw ProblemReport("keyframes: key \(i) must be a List [TIME, VALUE] with a finite time in seconds, got \(values[i]!.display)",
                                        at: ranges[i]!, help: "write e.g. keyframes(time, [0, 40], [2, 300], ease: \"in_out\")")
                }
                switch pair[1] {
                case .int, .double, .point: break
                default:
                    throw ProblemReport("keyframes: the value of key \(i) must be a number or a Point, got \(pair[1].typeName) \(pair[1].display)", at: ranges[i]!)
                }
                if let previous = keys.last {
                    guard t > previous.time else {
                        throw ProblemReport("keyframes: key \(i) is at \(formatNumber(t)) s, not after the key before it (\(formatNumber(previous.time)) s)",
                                            at: ranges[i]!, help: "give the keys in increasing time order")
                    }
                    guard (pair[1].number == nil) == (previous.value.number == nil) else {
                        throw ProblemReport("keyframes: key \(i) has a \(pair[1].typeName) but key 1 a \(keys[0].value.typeName); every key's value must be of one kind",
                                            at: ranges[i]!)
                    }
                }
                keys.append((t, pair[1]))
            }
            guard let first = keys.first, let last = keys.last else { preconditionFailure("the signature asks for one key") }
            if time <= first.time { return interpolate(first.value, first.value, 0) }
            if time >= last.time { return interpolate(last.value, last.value, 0) }
            let k = keys.lastIndex { $0.time <= time }!
            let u = (time - keys[k].time) / (keys[k + 1].time - keys[k].time)
            return interpolate(keys[k].value, keys[k + 1].value, easing(u))
        case .along:
            guard case let .list(items) = values[0]! else {
                throw ProblemReport("along: points must be a List of Points, got \(values[0]!.typeName) \(values[0]!.display)", at: ranges[0]!)
            }
            let points = try Self.polyline(items, at: ranges[0]!)
            guard points.count >= 2 else {
                throw ProblemReport("along: the path needs at least 2 points, got \(points.count)", at: ranges[0]!)
            }
            let speed = try number(1, "speed"), time = try number(2, "time")
            var isLooping = false
            if let given = values[3] {
                guard case let .bool(b) = given else {
                    throw ProblemReport("along: loop must be true or false, got \(given.typeName) \(given.display)", at: ranges[3]!)
                }
                isLooping = b
            }
            let p = Self.point(along: points, at: speed * time, isLooping: isLooping)
            return .point(p.x, p.y)
        case .wander:
            let radius = try number(1, "radius"), time = try number(2, "time")
            guard radius >= 0 else { throw ProblemReport("wander: radius must not be negative, got \(formatNumber(radius))", at: ranges[1]!) }
            let speed = values[3] == nil ? 1 : try number(3, "speed")
            guard speed >= 0 else { throw ProblemReport("wander: speed must not be negative, got \(formatNumber(speed))", at: ranges[3]!) }
            switch values[0]! {
            case let .point(x, y):
                let dx = wanderOffset(time: time, speed: speed), dy = wanderOffset(time: time, speed: speed)
                return .point(x + radius * dx, y + radius * dy)
            case let center where center.number != nil:
                return .double(center.number! + radius * wanderOffset(time: time, speed: speed))
            case let other:
                throw ProblemReport("wander: center must be a number or a Point, got \(other.typeName) \(other.display)", at: ranges[0]!)
            }
        default:
            preconditionFailure("'\(name)' is not a motion function")
        }
    }

    /// `a + (b − a) · f` for two numbers (a Double) or two Points.
    private func interpolate(_ a: Value, _ b: Value, _ f: Double) -> Value {
        if case let .point(ax, ay) = a, case let .point(bx, by) = b { return .point(ax + (bx - ax) * f, ay + (by - ay) * f) }
        let (x, y) = (a.number!, b.number!)
        return .double(x + (y - x) * f)
    }

    /// Chords per cubic Bézier segment when `along` flattens a path: the arc length of a curve
    /// is measured along them (the chord error of a curve 500 px long is then about 0.05 px).
    static let chordsPerCurve = 64

    /// The polyline `along` follows: Points, and path elements (`move_to` first only,
    /// `line_to`, `curve_to`, `close` last only), a Point after the first item acting as
    /// `line_to`. A `curve_to` is flattened into ``chordsPerCurve`` chords, evaluated with the
    /// cubic Bézier polynomial (as `cairo_curve_to` draws it); `close` adds the segment back to
    /// the first point.
    /// - Throws: ``ProblemReport`` at `range` naming the item for anything else.
    static func polyline(_ items: [Value], at range: SourceRange) throws -> [SceneModel.Point] {
        var points: [SceneModel.Point] = []
        func finite(_ p: SceneModel.Point, _ i: Int) throws -> SceneModel.Point {
            guard p.x.isFinite, p.y.isFinite else {
                throw ProblemReport("along: points[\(i)] has a coordinate that is not finite", at: range)
            }
            return p
        }
        for (i, item) in items.enumerated() {
            switch item {
            case let .point(x, y):
                points.append(try finite(SceneModel.Point(x, y), i))
            case let .pathElement(.move(p)) where i == 0:
                points.append(try finite(p, i))
            case let .pathElement(.line(p)) where i > 0:
                points.append(try finite(p, i))
            case let .pathElement(.curve(c1, c2, end)) where i > 0:
                let p0 = points[points.count - 1]
                let (c1, c2, end) = (try finite(c1, i), try finite(c2, i), try finite(end, i))
                for k in 1...chordsPerCurve {
                    let u = Double(k) / Double(chordsPerCurve), v = 1 - u
                    let (a, b, c, d) = (v * v * v, 3 * v * v * u, 3 * v * u * u, u * u * u)
                    points.append(SceneModel.Point(a * p0.x + b * c1.x + c * c2.x + d * end.x,
                                                   a * p0.y + b * c1.y + c * c2.y + d * end.y))
                }
            case .pathElement(.close) where i > 0 && i == items.count - 1:
                points.append(points[0])
            default:
                let rule = i == 0 ? "the first item must be a Point or move_to(…)" : "after the first, items must be Points, line_to(…), curve_to(…) or a final close()"
                throw ProblemReport("along: points[\(i)] is \(item.typeName) \(item.display); \(rule)", at: range)
            }
        }
        return points
    }

    /// The point at arc length `distance` (pixels) along the polyline `points`: the first point
    /// before the start, the last after the end, or, when `isLooping`, the distance taken
    /// modulo the polyline's length. A polyline of length 0 gives its first point.
    static func point(along points: [SceneModel.Point], at distance: Double, isLooping: Bool) -> SceneModel.Point {
        var lengths: [Double] = []
        for k in 1..<points.count {
            lengths.append(((points[k].x - points[k - 1].x) * (points[k].x - points[k - 1].x)
                + (points[k].y - points[k - 1].y) * (points[k].y - points[k - 1].y)).squareRoot())
        }
        let total = lengths.reduce(0, +)
        guard total > 0 else { return points[0] }
        var s = distance
        if isLooping {
            s = s.truncatingRemainder(dividingBy: total)
            if s < 0 { s += total }
        }
        if s <= 0 { return points[0] }
        for (k, length) in lengths.enumerated() {
            if s <= length, length > 0 {
                let f = s / length
                return SceneModel.Point(points[k].x + (points[k + 1].x - points[k].x) * f, points[k].y + (points[k + 1].y - points[k].y) * f)
            }
            s -= length
        }
        return points[points.count - 1]
    }

    /// One axis of `wander`: a sum of three sinusoids with amplitudes ``wanderAmplitudes``,
    /// frequencies ``wanderFrequencies`` × `speed` × (0.75 + 0.5 u) and phases 2π u', drawing
    /// two unit values (u, then u') per sinusoid: six draws. In −1…1.
    private mutating func wanderOffset(time: Double, speed: Double) -> Double {
        var offset = 0.0
        for k in 0..<3 {
            let frequency = Self.wanderFrequencies[k] * speed * (0.75 + 0.5 * rng.nextUnit())
            let phase = 2 * Double.pi * rng.nextUnit()
            offset += Self.wanderAmplitudes[k] * sin(2 * Double.pi * frequency * time + phase)
        }
        return offset
    }

    /// `camera pan: (X, Y), zoom: Z, rotate: DEG`: the view that every object is seen through,
    /// replacing an earlier camera. The view centre is the canvas centre moved by `pan`
    /// (pixels); around it the frame is scaled by `zoom` and turned by `rotate` degrees
    /// (clockwise on screen turns the camera, so the scene turns the other way).
    mutating func executeCamera(_ call: Call) throws {
        let arguments = try checkedArguments(call, CameraStatement.signature, owner: "camera")
        var pan = SceneModel.Point(0, 0)
        let slot = arguments.slot("pan")
        if let value = arguments.values[slot] {
            guard case let .point(x, y) = value else {
                throw ProblemReport("camera: pan must be a Point (x, y) in pixels, got \(value.typeName) \(value.display)", at: arguments.ranges[slot]!)
            }
            pan = try Self.coordinate(x, y, "camera: pan", at: arguments.ranges[slot]!)
        }
        let zoom = try arguments.positive("zoom", in: CameraStatement.zoom, or: 1)
        let rotation = try arguments.number("rotate", or: 0)
        let (cx, cy) = (Double(script.width) / 2, Double(script.height) / 2)
        camera = AffineTransform.translation(cx, cy)
            .concatenating(.scale(zoom, zoom))
            .concatenating(.rotation(degrees: -rotation))
            .concatenating(.translation(-cx - pan.x, -cy - pan.y))
    }

    /// The instances drawn, seen through the camera (if any): its view composed before every
    /// shape's transform.
    func finishedInstances() -> [Instance] {
        guard let camera else { return instances }
        var viewed = instances
        for i in viewed.indices {
            for k in viewed[i].shapes.indices {
                viewed[i].shapes[k].transform = camera.concatenating(viewed[i].shapes[k].transform)
            }
        }
        return viewed
    }
}
