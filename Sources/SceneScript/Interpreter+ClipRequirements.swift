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
