/// Reading JSON back as a `JSONValue`, for values whose shape a record does not fix (a
/// script's recorded values and parameters, an instance's attributes).
///
/// A number that `JSONDecoder` reads as an `Int` becomes `.int`, any other `.double` (read
/// exactly); `JSONDecoder` hides the number's text, so `19.0` may come back as `.int(19)`. `Decodable` gives no member
/// order, so an object's members come back sorted by key.
extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            self = .object(try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                JSONMember($0.stringValue, try object.decode(JSONValue.self, forKey: $0))
            })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let b = try? value.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? value.decode(String.self) {
            self = .string(s)
        } else if let i = try? value.decode(Int.self) {
            self = .int(i)
        } else {
            self = .double(try value.decode(Double.self))
        }
    }

    /// The number, when the value is one.
    public var number: Double? {
        switch self {
        case let .int(v): return Double(v)
        case let .uint(v): return Double(v)
        case let .double(v): return v
        default: return nil
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
