/// A JSON value whose objects keep their members in the order given.
///
/// For fields beyond a record's fixed keys (provenance in `info`, occlusion facts on an
/// annotation). Rendering is deterministic; duplicate keys are not checked.
public indirect enum JSONValue: Hashable, Sendable, JSONRenderable {
    case null
    case bool(Bool)
    case int(Int)
    /// For values above `Int.max`, such as 64-bit seeds.
    case uint(UInt64)
    /// A finite number; NaN and infinities are a precondition failure when rendered.
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members in output order.
    case object([JSONMember])

    public func appendJSON(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.appendRaw("null")
        case .bool(let b): b ? bytes.appendRaw("true") : bytes.appendRaw("false")
        case .int(let v): bytes.appendJSONInteger(v)
        case .uint(let v): bytes.appendJSONInteger(v)
        case .double(let v): bytes.appendJSONNumber(v)
        case .string(let s): bytes.appendJSONString(s)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                v.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                m.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// One `"key":value` member of a JSON object.
public struct JSONMember: Hashable, Sendable, JSONRenderable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }

    /// Appends `"key":value`.
    public func appendJSON(to bytes: inout [UInt8]) {
        bytes.appendJSONString(key)
        bytes.append(UInt8(ascii: ":"))
        value.appendJSON(to: &bytes)
    }
}
