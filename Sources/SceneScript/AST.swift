import SceneModel

/// An expression with its source span.
struct Expr: Sendable {
    indirect enum Kind: Sendable {
        case int(Int)
        case double(Double)
        case string(String)
        case bool(Bool)
        case color(Color)
        case variable(String)
        /// `(x, y)`
        case point(Expr, Expr)
        /// `[a, b, c]`
        case list([Expr])
        /// `list[index]`
        case index(Expr, Expr)
        case call(Call)
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `count(p in SET where COND)`, `min(EXPR for p in SET where COND)`, …: a rendered
        /// fact over the instances of the finished picture.
        case aggregate(Aggregate)
    }

    var kind: Kind
    var range: SourceRange

    /// Whether evaluating the expression needs the rendered picture: it calls a rendered-fact
    /// function or aggregates over the instances.
    var asksRenderedFacts: Bool {
        switch kind {
        case .int, .double, .string, .bool, .color, .variable: return false
        case .aggregate: return true
        case let .point(a, b), let .index(a, b), let .binary(_, a, b): return a.asksRenderedFacts || b.asksRenderedFacts
        case let .list(items): return items.contains { $0.asksRenderedFacts }
        case let .unary(_, operand): return operand.asksRenderedFacts
        case let .call(call):
            return BuiltinFunction(rawValue: call.name)?.isRenderedFact == true || call.arguments.contains { $0.value.asksRenderedFacts }
        }
    }
}

extension Expr {
    /// The calls of temporal functions (``BuiltinFunction/isTemporal``) in the expression, in
    /// evaluation order (the checker forbids nesting them).
    var temporalCalls: [Call] {
        var found: [Call] = []
        visit { expr in
            if case let .call(call) = expr.kind, BuiltinFunction(rawValue: call.name)?.isTemporal == true {
                found.append(call)
                return false
            }
            return true
        }
        return found
    }

    /// Whether the expression calls a temporal function.
    var asksClipFrames: Bool { !temporalCalls.isEmpty }

    /// The variables the expression reads that no aggregate inside it binds, each with its
    /// range, in order.
    var freeVariables: [(name: String, range: SourceRange)] {
        var found: [(name: String, range: SourceRange)] = []
        func collect(_ expr: Expr, bound: Set<String>) {
            switch expr.kind {
            case .int, .double, .string, .bool, .color: break
            case let .variable(name): if !bound.contains(name) { found.append((name, expr.range)) }
            case let .point(a, b), let .index(a, b), let .binary(_, a, b):
                collect(a, bound: bound)
                collect(b, bound: bound)
            case let .list(items): for item in items { collect(item, bound: bound) }
            case let .unary(_, operand): collect(operand, bound: bound)
            case let .call(call): for argument in call.arguments { collect(argument.value, bound: bound) }
            case let .aggregate(aggregate):
                switch aggregate.set {
                case let .name(name, range): if !bound.contains(name) { found.append((name, range)) }
                case let .expression(set): collect(set, bound: bound)
                case .all, .unlabeled: break
                }
                let inner = bound.union([aggregate.variable])
                if let condition = aggregate.condition { collect(condition, bound: inner) }
                if let value = aggregate.value { collect(value, bound: inner) }
            }
        }
        collect(self, bound: [])
        return found
    }

    /// Calls `body` on this expression and, while it returns true, on its subexpressions.
    private func visit(_ body: (Expr) -> Bool) {
        guard body(self) else { return }
        switch kind {
        case .int, .double, .string, .bool, .color, .variable: break
        case let .point(a, b), let .index(a, b), let .binary(_, a, b):
            a.visit(body)
            b.visit(body)
        case let .list(items): for item in items { item.visit(body) }
        case let .unary(_, operand): operand.visit(body)
        case let .call(call): for argument in call.arguments { argument.value.visit(body) }
        case let .aggregate(aggregate):
            if case let .expression(set) = aggregate.set { set.visit(body) }
            aggregate.condition?.visit(body)
            aggregate.value?.visit(body)
        }
    }
}

enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not
}

enum BinaryOperator: String, Sendable {
    case multiply = "*", divide = "/", remainder = "%", add = "+", subtract = "-"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
    case and, or

    /// Binding power for the Pratt parser; higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual: return 3
        case .add, .subtract: return 4
        case .multiply, .divide, .remainder: return 5
        }
    }
}

/// What an aggregate computes over the instances of its set.
enum AggregateKind: String, Sendable, CaseIterable {
    case count, min, max, sum
}

/// The instances an aggregate goes through, in drawing order.
enum InstanceSet: Sendable {
    /// `all`: every labeled instance.
    case all
    /// `unlabeled`: every unlabeled object (distractors and occluders).
    case unlabeled
    /// A declared class, or else a variable holding a List of instances (`object … as p`).
    case name(String, SourceRange)
    /// Any other expression: an instance or a List of instances.
    case expression(Expr)
}

/// `count(VAR in SET where COND)` or `KIND(VALUE for VAR in SET where COND)`; `where COND`
/// is optional.
struct Aggregate: Sendable {
    var kind: AggregateKind
    var kindRange: SourceRange
    var variable: String
    var variableRange: SourceRange
    var set: InstanceSet
    var condition: Expr?
    /// The value summed, minimised or maximised; `nil` for `count`.
    var value: Expr?
}

/// One stratum of a `quota`: `NAME SHARE: CONDITION`.
struct QuotaStratum: Sendable {
    var name: String
    var nameRange: SourceRange
    var share: Expr
    var condition: Expr
}

/// `name(positional, label: value)`
struct Call: Sendable {
    var name: String
    var nameRange: SourceRange
    var arguments: [Argument]
    var range: SourceRange
}

struct Argument: Sendable {
    var label: String?
    var labelRange: SourceRange?
    var value: Expr

    var range: SourceRange { labelRange.map { $0.through(value.range) } ?? value.range }
}

enum TransformKind: String, Sendable {
    case at, rotate, scale, skew, anchor
}

/// `at POINT rotate DEGREES scale FACTOR skew DEGREES anchor POINT`, each optional, kept in
/// written order (the order in which they are evaluated); the composed transform does not
/// depend on that order.
struct Transforms: Sendable {
    var items: [(kind: TransformKind, value: Expr)] = []
}

/// One class of a `classes` or `stuff` statement: `NAME [: SUPER]`, the name an identifier or
/// a string.
struct ClassDeclaration: Sendable {
    var name: String
    var supercategory: String
    /// `false` for a `stuff` class: it paints the semantic mask and gets no instance annotation.
    var isThing: Bool
    /// The name as written (identifier or string literal).
    var nameRange: SourceRange
    /// The name through the supercategory.
    var range: SourceRange
}

struct Parameter: Sendable {
    var name: String
    var range: SourceRange
    var defaultValue: Expr?
}

final class TemplateDeclaration: Sendable {
    let name: String
    let nameRange: SourceRange
    let parameters: [Parameter]
    let body: [Statement]
    /// A declaration whose header or body failed to parse (already reported): it still
    /// declares its name, so calls to it are not each reported as unknown, and its parameters
    /// are unknown, so their arguments are not checked. A program holding one never runs.
    let isBroken: Bool

    init(name: String, nameRange: SourceRange, parameters: [Parameter], body: [Statement], isBroken: Bool = false) {
        self.name = name; self.nameRange = nameRange; self.parameters = parameters; self.body = body
        self.isBroken = isBroken
    }
}

enum ObjectClass: Sendable {
    /// `object circle …` or `object "traffic light" …`: a declared class, checked statically.
    case name(String, SourceRange)
    /// `object (expr) …`: a class-name string computed at run time.
    case expression(Expr)
    /// `object unlabeled …`: a distractor or occluder, drawn and hiding what is behind it,
    /// never annotated.
    case unlabeled
}

/// A statement with its source span.
struct Statement: Sendable {
    indirect enum Kind: Sendable {
        case canvas(width: Expr, height: Expr)
        /// `classes …` (things) or `stuff …` (stuff classes); each declaration says which.
        case classes([ClassDeclaration])
        case background(Expr)
        /// `light ARGS`: the scene light, its arguments written like a call's without the
        /// parentheses (`light direction: 45, shadow: shadow(6)`); kept as a call named
        /// `light` whose name range is the keyword.
        case light(Call)
        /// `effect NAME(ARGS)`: appends an image effect.
        case effect(Call)
        case `import`(name: String, nameRange: SourceRange)
        case `let`(name: String, nameRange: SourceRange, value: Expr)
        case assign(name: String, nameRange: SourceRange, value: Expr)
        case `repeat`(count: Expr, indexName: String?, indexRange: SourceRange?, body: [Statement])
        case `if`(condition: Expr, then: [Statement], else: [Statement]?)
        /// `for NAME in LIST { … }`
        case `for`(name: String, nameRange: SourceRange, sequence: Expr, body: [Statement])
        case template(TemplateDeclaration)
        /// `object CLASS [as NAME] [with LABEL: EXPR, …] TRANSFORMS { … }`; `as NAME` binds the
        /// placed instance to a variable, so that requirements can ask about it; `with` gives
        /// its annotation's `attributes`.
        case object(ObjectClass, Transforms, body: [Statement], handle: (name: String, range: SourceRange)?, attributes: [Argument])
        /// `param NAME = CONSTANT [in ALLOWED]`: a named value the command line may override.
        case param(name: String, nameRange: SourceRange, value: Expr, allowed: Expr?)
        /// `record NAME [= EXPR]`: a value written to the image's record.
        case record(name: String, nameRange: SourceRange, value: Expr)
        /// `require CONDITION`: a false condition rejects the whole sample. `require[P] …`
        /// enforces it only with probability P, drawn from the image's generator.
        case require(Expr, probability: Expr?)
        /// `quota { NAME SHARE: CONDITION … }`: images are assigned to strata by index, and each
        /// image must meet its stratum's condition.
        case quota([QuotaStratum])
        /// `attempts N`: how many samples an image may draw before its requirements give up.
        case attempts(Expr)
        /// `clip frames: N, fps: F`: the script makes clips of `N` frames at `F` frames per
        /// second (constants, top level of the main file); see ``ClipSettings``.
        case clip(Call)
        /// `sensor channels: C, bits: B`: what the camera records (grey or RGB, 8 or 16 bits;
        /// constants, top level of the main file); see ``SceneModel/Sensor``.
        case sensor(Call)
        /// `camera pan: (X, Y), zoom: Z, rotate: DEG`: the view of the frame, applied to every
        /// object when the sample is finished; the last one executed wins.
        case camera(Call)
        /// `group TRANSFORMS { … }`: parts sharing one transform.
        case group(Transforms, body: [Statement])
        /// A primitive or template call drawing a part of the enclosing object.
        case draw(Call, Transforms)
    }

    var kind: Kind
    var range: SourceRange
}
