import SceneModel

/// Where the sample being run stands in its clip, and what the clip's earlier frames of this
/// attempt showed the requirements over the clip (docs/LANGUAGE.md, *Requirements over a
/// clip*). A still image is frame 0 of a clip of 1.
struct ClipFrame {
    /// The frame being sampled, from 0.
    var index = 0
    /// Frames in the clip.
    var count = 1
    /// Whether requirements over the clip are checked: not when a planned frame is sampled
    /// again to be drawn (the plan checked them).
    var isChecked = true
    /// Per temporal call (by its source range): per frame sampled so far, whether its
    /// condition held and whether its `between` condition held (`nil` when it has none).
    var samples: [SourceRange: [(holds: Bool, between: Bool?)]] = [:]
    /// Per name read inside a temporal call (by the range of that use): the track keys of the
    /// instances it named (one, or a List's) and the first frame it named them in.
    var objects: [SourceRange: (keys: [UInt64], frame: Int)] = [:]

    var isLast: Bool { index == count - 1 }
}

extension Interpreter {
    /// Evaluates, in this frame, the conditions of every temporal call of a requirement over
    /// the clip and appends them to ``ClipFrame/samples``; checks that every name those
    /// conditions read still names the same objects (tracks) as in the clip's earlier frames.
    /// - Throws: ``ProblemReport`` for a condition that is not a Bool, or a name that names
    ///   another object than before.
    mutating func observeClipFrame(_ condition: Expr) throws {
        for call in condition.temporalCalls {
            let function = BuiltinFunction(rawValue: call.name)!
            let bound = try function.signature.bind(call.arguments, call: call.range)
            func holds(_ slot: Int) throws -> Bool? {
                guard slot < bound.count, let i = bound[slot] else { return nil }
                let expr = call.arguments[i].value
                let value = try evaluate(expr)
                guard case let .bool(holds) = value else {
                    throw ProblemReport("\(call.name): \(function.signature.parameters[slot].name) must be a Bool, a condition on one frame; got \(value.typeName) \(value.display)",
                                        at: expr.range)
                }
                return holds
            }
            let sample = (holds: try holds(0)!, between: try holds(1))
            clipFrame.samples[call.range, default: []].append(sample)
            for argument in call.arguments {
                for (name, range) in argument.value.freeVariables where script.categoryIDs[name] == nil {
                    let keys: [UInt64]
                    switch try evaluate(Expr(kind: .variable(name), range: range)) {
                    case let .instance(id): keys = [instances[id - 1].trackKey]
                    case let .list(items):
                        keys = items.compactMap { if case let .instance(id) = $0 { instances[id - 1].trackKey } else { nil } }
                        if keys.isEmpty { continue }
                    default: continue
                    }
                    if let seen = clipFrame.objects[range] {
                        guard seen.keys == keys else {
                            throw ProblemReport("'\(name)' names another object in frame \(clipFrame.index) than in frame \(seen.frame): a condition over the clip's frames follows the same objects in every frame",
                                                at: range, help: "name one object with 'object … as NAME' at the top level, outside loops and conditions")
                        }
                    } else {
                        clipFrame.objects[range] = (keys, clipFrame.index)
                    }
                }
            }
        }
    }

    /// The value of a temporal call over the frames of the clip, once its last frame is
    /// observed: `count_frames` the frames where the condition held, `ever`/`always` whether
    /// it held in some/every frame, `first_frame`/`last_frame` the first/last such frame
    /// (−1 for none), `longest_run` the most consecutive frames where it held — with
    /// `between:`, counting only frames after the first and before the last frame where
    /// `between` held, so that the run has such a frame before it and after it.
    func temporalValue(_ function: BuiltinFunction, _ call: Call) throws -> Value {
        let samples = clipFrame.samples[call.range] ?? []
        guard samples.count == clipFrame.count else {
            throw ProblemReport("'\(call.name)' looks at every frame of a clip, so it can only be used in a 'require' at the top level of the main scene file",
                                at: call.nameRange)
        }
        let holds = samples.map(\.holds)
        switch function {
        case .count_frames: return .int(holds.filter { $0 }.count)
        case .ever: return .bool(holds.contains(true))
        case .always: return .bool(!holds.contains(false))
        case .first_frame: return .int(holds.firstIndex(of: true) ?? -1)
        case .last_frame: return .int(holds.lastIndex(of: true) ?? -1)
        case .longest_run:
            var frames = holds.indices
            if samples.first?.between != nil {
                let between = samples.map { $0.between! }
                guard let first = between.firstIndex(of: true), let last = between.lastIndex(of: true), first + 1 <= last - 1 else {
                    return .int(0)
                }
                frames = (first + 1)..<last
            }
            var best = 0, run = 0
            for frame in frames {
                run = holds[frame] ? run + 1 : 0
                best = Swift.max(best, run)
            }
            return .int(best)
        default:
            preconditionFailure("\(function.rawValue) is not temporal")
        }
    }
}

/// What a requirement over the clip, or a part of it, can still come to once the clip's
/// remaining frames are sampled: a Bool that is already known (or `nil` when either is still
/// possible), or a number within bounds. A part whose value the frames so far do not bound
/// (anything but temporal calls, constants, `+`, `-`, comparisons, `and`, `or`, `not`) is no
/// ``ClipOutlook`` at all.
private enum ClipOutlook {
    case bool(Bool?)
    case number(ClosedRange<Double>)
}

extension Interpreter {
    /// Whether the requirement over the clip `condition` is false whatever the frames after
    /// this one hold: no way to complete the samples of its temporal calls (each later frame's
    /// condition true or false) makes it true. Decided from the frames observed so far, so a
    /// clip attempt that can no longer be accepted stops here instead of sampling (and
    /// drawing) its remaining frames; an attempt that is accepted is not affected.
    /// - Complexity: O(frames observed) per temporal call.
    func cannotHoldOverClip(_ condition: Expr) -> Bool {
        if case .bool(false)? = outlook(condition) { return true }
        return false
    }

    private func outlook(_ expr: Expr) -> ClipOutlook? {
        if let value = Checker.constantNumber(expr) { return bounded(value, value) }
        switch expr.kind {
        case let .bool(value):
            return .bool(value)
        case let .unary(.not, operand):
            guard case let .bool(value)? = outlook(operand) else { return nil }
            return .bool(value.map { !$0 })
        case let .unary(.negate, operand):
            guard case let .number(range)? = outlook(operand) else { return nil }
            return bounded(-range.upperBound, -range.lowerBound)
        case let .binary(op, left, right):
            return outlook(op, outlook(left), outlook(right))
        case let .call(call):
            guard let function = BuiltinFunction(rawValue: call.name), function.isTemporal else { return nil }
            return outlook(function, call)
        default:
            return nil
        }
    }

    /// `low…high`, or nothing known when a bound is not finite (a constant such as `1e308 * 10`).
    private func bounded(_ low: Double, _ high: Double) -> ClipOutlook? {
        low.isFinite && high.isFinite && low <= high ? .number(low...high) : nil
    }

    private func outlook(_ op: BinaryOperator, _ left: ClipOutlook?, _ right: ClipOutlook?) -> ClipOutlook? {
        switch (op, left, right) {
        case (.and, .bool(let a)?, .bool(let b)?):
            return .bool(a == false || b == false ? false : (a == true && b == true ? true : nil))
        case (.and, .bool(false)?, _), (.and, _, .bool(false)?):
            return .bool(false)
        case (.or, .bool(let a)?, .bool(let b)?):
            return .bool(a == true || b == true ? true : (a == false && b == false ? false : nil))
        case (.or, .bool(true)?, _), (.or, _, .bool(true)?):
            return .bool(true)
        case (.add, .number(let a)?, .number(let b)?):
            return bounded(a.lowerBound + b.lowerBound, a.upperBound + b.upperBound)
        case (.subtract, .number(let a)?, .number(let b)?):
            return bounded(a.lowerBound - b.upperBound, a.upperBound - b.lowerBound)
        case (.less, .number(let a)?, .number(let b)?):
            return .bool(a.upperBound < b.lowerBound ? true : (a.lowerBound >= b.upperBound ? false : nil))
        case (.lessOrEqual, .number(let a)?, .number(let b)?):
            return .bool(a.upperBound <= b.lowerBound ? true : (a.lowerBound > b.upperBound ? false : nil))
        case (.greater, .number(let a)?, .number(let b)?):
            return outlook(.less, .number(b), .number(a))
        case (.greaterOrEqual, .number(let a)?, .number(let b)?):
            return outlook(.lessOrEqual, .number(b), .number(a))
        case (.equal, .number(let a)?, .number(let b)?):
            if a.upperBound < b.lowerBound || b.upperBound < a.lowerBound { return .bool(false) }
            return .bool(a.lowerBound == a.upperBound && a == b ? true : nil)
        case (.notEqual, .number(let a)?, .number(let b)?):
            guard case let .bool(equal)? = outlook(.equal, .number(a), .number(b)) else { return nil }
            return .bool(equal.map { !$0 })
        default:
            return nil
        }
    }

    /// The values temporal call `call` can still take, from its samples so far and the
    /// frames left (each of which may hold or not).
    private func outlook(_ function: BuiltinFunction, _ call: Call) -> ClipOutlook? {
        guard let samples = clipFrame.samples[call.range] else { return nil }
        let holds = samples.map(\.holds)
        let left = clipFrame.count - samples.count
        func number(_ low: Int, _ high: Int) -> ClipOutlook { .number(Double(low)...Double(high)) }
        let lastSoFar = holds.lastIndex(of: true) ?? -1
        switch function {
        case .count_frames:
            let count = holds.filter { $0 }.count
            return number(count, count + left)
        case .ever:
            return .bool(holds.contains(true) ? true : (left == 0 ? false : nil))
        case .always:
            return .bool(holds.contains(false) ? false : (left == 0 ? true : nil))
        case .first_frame:
            if let first = holds.firstIndex(of: true) { return number(first, first) }
            return left == 0 ? number(-1, -1) : number(-1, clipFrame.count - 1)
        case .last_frame:
            return number(lastSoFar, left == 0 ? lastSoFar : clipFrame.count - 1)
        case .longest_run:
            guard samples.first?.between != nil else {
                let (best, trailing) = runs(holds[...])
                return number(best, max(best, trailing + left))
            }
            // Only frames after the first and before the last frame where `between` held
            // count, and the last such frame is at most the clip's last.
            guard let first = samples.firstIndex(where: { $0.between == true }) else { return number(0, max(0, left - 2)) }
            let (best, trailing) = runs(holds[(first + 1)...])
            return number(0, max(best, trailing + max(0, left - 1)))
        default:
            return nil
        }
    }

    /// The longest run of `true` in `holds` and the run it ends with.
    private func runs(_ holds: ArraySlice<Bool>) -> (best: Int, trailing: Int) {
        var best = 0, run = 0
        for holds in holds {
            run = holds ? run + 1 : 0
            best = max(best, run)
        }
        return (best, run)
    }
}
