import SceneModel

/// A `require` (or quota) condition on rendered facts, met while the script ran: checked
/// once the attempt's instance raster is drawn, in the scopes it saw then (values, so the
/// instances it names are fixed).
struct DeferredRequirement {
    var condition: Expr
    var scopes: [[String: Value]]
    /// The random context it was met in, for any draw it makes.
    var context: UInt64
}

extension Interpreter {
    /// `count(p in SET where COND)`, `min/max/sum(VALUE for p in SET where COND)` over the
    /// finished scene's instances in drawing order. `count` and `sum` of nothing are 0;
    /// `min` of nothing is +infinity and `max` of nothing −infinity, so `min(…) < 16` is
    /// false when there is nothing to measure.
    mutating func evaluate(_ aggregate: Aggregate, at aggregateRange: SourceRange) throws -> Value {
        var count = 0
        var total = 0.0
        var isWhole = true
        var extreme: Double = aggregate.kind == .min ? .infinity : -.infinity
        for id in try members(of: aggregate.set) {
            try inContext(of: aggregateRange, id) { this in try this.withBinding(aggregate.variable, .instance(id)) { this in
                if let condition = aggregate.condition {
                    let value = try this.evaluate(condition)
                    guard case let .bool(isIncluded) = value else {
                        throw ProblemReport("the 'where' condition must be a Bool, got \(value.typeName) \(value.display)", at: condition.range)
                    }
                    guard isIncluded else { return }
                }
                count += 1
                guard let valueExpr = aggregate.value else { return }
                let value = try this.evaluate(valueExpr)
                let v = try Interpreter.number(value, "the value of '\(aggregate.kind.rawValue)'", at: valueExpr.range)
                if case .double = value { isWhole = false }
                switch aggregate.kind {
                case .sum: total += v
                case .min: extreme = Swift.min(extreme, v)
                case .max: extreme = Swift.max(extreme, v)
                case .count: break
                }
            } }
        }
        switch aggregate.kind {
        case .count: return .int(count)
        case .sum: return isWhole && Swift.abs(total) < 9e15 ? .int(Int(total)) : .double(total)
        case .min, .max:
            return isWhole && extreme.isFinite ? .int(Int(extreme)) : .double(extreme)
        }
    }

    /// The ids of the instances in `set`, in drawing order.
    private mutating func members(of set: InstanceSet) throws -> [Int] {
        switch set {
        case .all: return instances.filter { $0.categoryID.map { script.categories[$0 - 1].isThing } ?? false }.map(\.id)
        case .unlabeled: return instances.filter { $0.categoryID == nil }.map(\.id)
        case let .name(name, range):
            if let category = script.categoryIDs[name] { return instances.filter { $0.categoryID == category }.map(\.id) }
            return try instanceList(try evaluate(Expr(kind: .variable(name), range: range)), "'\(name)'", at: range)
        case let .expression(expr):
            let value = try evaluate(expr)
            if case let .string(className) = value {
                let isMember = try classMembership(className, "the set", at: expr.range)
                return instances.map(\.id).filter(isMember)
            }
            return try instanceList(value, "the set", at: expr.range)
        }
    }

    /// The instances of a class named by a String (`"car"`, `"traffic light"`), or the
    /// unlabeled objects for `"unlabeled"`.
    private func classMembership(_ className: String, _ what: String, at range: SourceRange) throws -> (Int) -> Bool {
        if className == "unlabeled" {
            return { [instances] in instances[$0 - 1].categoryID == nil }
        }
        guard let category = script.categoryIDs[className] else {
            throw ProblemReport("\(what): unknown class '\(className)'", at: range,
                                help: didYouMean(className, among: script.categories.map(\.name) + ["unlabeled"]))
        }
        return { [instances] in instances[$0 - 1].categoryID == category }
    }

    /// The instance ids of a List of instances (or of one instance).
    private func instanceList(_ value: Value, _ what: String, at range: SourceRange) throws -> [Int] {
        switch value {
        case let .instance(id): return [id]
        case let .list(items):
            return try items.map { item in
                guard case let .instance(id) = item else {
                    throw ProblemReport("\(what) must hold instances, but holds \(item.typeName) \(item.display)", at: range)
                }
                return id
            }
        default:
            throw ProblemReport("\(what) must be a class, 'all', 'unlabeled', an instance or a List of instances; got \(value.typeName) \(value.display)",
                                at: range)
        }
    }

    /// The rendered-fact functions and `class_name`: what the finished picture shows of one
    /// instance (see ``RenderedFacts``), the very values of its annotation.
    mutating func callRenderedFact(_ function: BuiltinFunction, _ call: Call) throws -> Value {
        let (values, ranges) = try evaluateArguments(call, signature: function.signature)
        let name = function.rawValue
        guard case let .instance(id) = values[0]! else {
            throw ProblemReport("\(name): instance must be an instance (named with 'object … as NAME', or the variable of count(…), min(…), …), got \(values[0]!.typeName) \(values[0]!.display)",
                                at: ranges[0]!)
        }
        if function == .class_name {
            guard let category = instances[id - 1].categoryID else { return .string("unlabeled") }
            return .string(script.categories[category - 1].name)
        }
        guard let facts else {
            throw ProblemReport("\(name) is a rendered fact, known only once the picture is drawn", at: call.nameRange,
                                help: "use it in a 'require' or 'quota' condition")
        }
        switch function {
        case .visible_pixels: return .int(try facts.visiblePixels(of: id))
        case .bbox_x: return .int(try facts.visibleBox(of: id)?.x ?? 0)
        case .bbox_y: return .int(try facts.visibleBox(of: id)?.y ?? 0)
        case .bbox_width: return .int(try facts.visibleBox(of: id)?.width ?? 0)
        case .bbox_height: return .int(try facts.visibleBox(of: id)?.height ?? 0)
        case .visible_fraction: return .double(try facts.occlusion(of: id).visibleFraction)
        case .in_frame_fraction: return .double(try facts.occlusion(of: id).inFrameFraction)
        case .amodal_area: return .int(try facts.occlusion(of: id).amodalArea)
        case .hidden_pixels: return .int(try facts.occlusion(of: id).hiddenBy.reduce(0) { $0 + $1.pixels })
        case .hidden_by:
            let by = try instanceSelection(values[1]!, "\(name): by", at: ranges[1]!)
            return .int(try facts.occlusion(of: id).hiddenBy.reduce(0) { $0 + (by($1.instance) ? $1.pixels : 0) })
        case .shared_edge:
            let other = try instanceSelection(values[1]!, "\(name): other", at: ranges[1]!)
            var edge = 0
            for instance in instances where instance.id != id && other(instance.id) {
                edge += try facts.sharedEdge(between: id, and: instance.id)
            }
            return .int(edge)
        default:
            preconditionFailure("\(name) is not a rendered fact")
        }
    }

    /// Which instances a second argument selects: an instance, a List of instances, a class
    /// name as a String, or `"unlabeled"` for the unlabeled objects.
    private func instanceSelection(_ value: Value, _ what: String, at range: SourceRange) throws -> (Int) -> Bool {
        if case let .string(className) = value { return try classMembership(className, what, at: range) }
        let ids = Set(try instanceList(value, what, at: range))
        return { ids.contains($0) }
    }
}
