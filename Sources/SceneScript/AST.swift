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
    }

    var kind: Kind
    var range: SourceRange
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

struct ClassDeclaration: Sendable {
    var name: String
    var supercategory: String
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
    /// `object circle …`: a declared class, checked statically.
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
        case object(ObjectClass, Transforms, body: [Statement])
        /// `require CONDITION`: a false condition rejects the whole sample.
        case require(Expr)
        /// `attempts N`: how many samples an image may draw before its requirements give up.
        case attempts(Expr)
        /// `group TRANSFORMS { … }`: parts sharing one transform.
        case group(Transforms, body: [Statement])
        /// A primitive or template call drawing a part of the enclosing object.
        case draw(Call, Transforms)
    }

    var kind: Kind
    var range: SourceRange
}
