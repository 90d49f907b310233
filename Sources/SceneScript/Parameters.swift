import SceneModel

/// A value for a `param` given from outside the script: `--set NAME=VALUE` or a parameter file.
public struct ParameterOverride: Sendable, Hashable {
    public var name: String
    /// The value as written (`5`, `0.25`, `true`, `dusk`, `#ff8800`).
    public var text: String
    /// Where it was given, for error messages: `--set hour=19` or `--params p.json`.
    public var origin: String
    /// What the value was written as, which the parameter's type must accept.
    public var kind: Kind

    /// What an override's value was written as.
    public enum Kind: Sendable, Hashable {
        /// Plain text (`--set`), read as the parameter's type.
        case text
        /// A JSON number: fits an Int or a Double parameter.
        case number
        /// A JSON string: fits a String or a Color parameter, never a number or a Boolean.
        case string
        /// JSON `true` or `false`: fits a Bool parameter.
        case boolean

        /// Whether a parameter whose default is `value` takes a value written this way.
        func fits(_ value: Value) -> Bool {
            switch (self, value) {
            case (.text, _), (.number, .int), (.number, .double), (.string, .string), (.string, .color), (.boolean, .bool): return true
            default: return false
            }
        }

        /// How a value written this way reads in a message: `the string "8"`.
        func describe(_ text: String) -> String {
            switch self {
            case .text: return "'\(text)'"
            case .number: return "the number \(text)"
            case .string: return "the string \"\(text)\""
            case .boolean: return text
            }
        }
    }

    public init(name: String, text: String, origin: String, kind: Kind = .text) {
        self.name = name
        self.text = text
        self.origin = origin
        self.kind = kind
    }
}

/// An override that does not fit the script's parameters: unknown name, wrong type, out of
/// range. A usage error: the message names the flag (its `origin`) and the declaration.
public struct ParameterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One `param` of a program, with the value in force for this run.
public struct ParameterInfo: Sendable, Hashable {
    public var name: String
    /// `path:line:col` of the declaration.
    public var location: String
    /// `Int`, `Double`, `Bool`, `String` or `Color`.
    public var type: String
    public var defaultValue: RecordedValue
    /// The value in force: the override, else the default.
    public var value: RecordedValue
    /// Whether an override set it.
    public var isOverridden: Bool
}

/// A `param` as declared: its default and allowed values, checked constants.
struct ParameterDeclaration {
    var name: String
    var nameRange: SourceRange
    var range: SourceRange
    var defaultValue: Value
    /// `in [low, high]` for numbers.
    var bounds: ClosedRange<Double>?
    /// `in ["a", "b"]` for strings (and any other type: the allowed values).
    var choices: [Value]?

    /// The default as the checker reads it: a literal, a negative number, or a constant
    /// arithmetic expression; nil for anything else.
    static func constant(_ expr: Expr) -> Value? {
        switch expr.kind {
        case let .int(v): return .int(v)
        case let .string(v): return .string(v)
        case let .bool(v): return .bool(v)
        case let .color(v): return .color(v)
        default:
            // Written with a decimal point anywhere (`-1.0`, `2 * 0.5`): a Double.
            if !hasDecimal(expr), let n = Checker.constantInteger(expr) { return .int(n) }
            return Checker.constantNumber(expr).map(Value.double)
        }
    }

    private static func hasDecimal(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .double: return true
        case let .unary(_, operand): return hasDecimal(operand)
        case let .binary(_, a, b): return hasDecimal(a) || hasDecimal(b)
        default: return false
        }
    }

    /// `text` read as a value of this parameter's type, or nil.
    func read(_ text: String) -> Value? {
        switch defaultValue {
        case .int: return Int(text).map(Value.int)
        case .double: return Double(text).flatMap { $0.isFinite ? Value.double($0) : nil }
        case .bool: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .string: return .string(text)
        case .color:
            let hex = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
            guard hex.count == 6 || hex.count == 8, let bits = UInt32(hex, radix: 16) else { return nil }
            let channels = hex.count == 6 ? [bits >> 16, bits >> 8, bits, 255] : [bits >> 24, bits >> 16, bits >> 8, bits]
            let c = channels.map { Double($0 & 0xFF) / 255 }
            return .color(Color(red: c[0], green: c[1], blue: c[2], alpha: c[3]))
        default: return nil
        }
    }

    /// Whether `value` is allowed (within the bounds, among the choices).
    func allows(_ value: Value) -> Bool {
        if let bounds, let v = value.number { return bounds.contains(v) }
        if let choices { return choices.contains { Interpreter.isEqual($0, value) } }
        return true
    }

    var allowedText: String {
        if let bounds { return "between \(formatNumber(bounds.lowerBound)) and \(formatNumber(bounds.upperBound))" }
        if let choices { return "one of " + choices.map(\.display).joined(separator: ", ") }
        return "any \(defaultValue.typeName)"
    }
}

extension Value {
    /// The value as provenance records it: colours as `#rrggbb[aa]`, points as `[x, y]`;
    /// nil for values that have no plain form (paints, textures, instances, …).
    var recorded: RecordedValue? {
        switch self {
        case let .int(v): return .int(v)
        case let .double(v): return v.isFinite ? .double(v) : nil
        case let .bool(v): return .bool(v)
        case let .string(v): return .string(v)
        case let .color(c): return .string(formatColor(c))
        case let .point(x, y): return .list([.double(x), .double(y)])
        case let .list(items):
            var values: [RecordedValue] = []
            for item in items {
                guard let value = item.recorded else { return nil }
                values.append(value)
            }
            return .list(values)
        default: return nil
        }
    }
}
