/// A value a script records for provenance: an image's `record NAME` or an instance's
/// `with NAME: VALUE` attribute. Plain JSON-shaped data, written as it is.
public enum RecordedValue: Hashable, Sendable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    /// Lists, points (`[x, y]`) and values recorded in a loop (one element per iteration).
    case list([RecordedValue])
}

/// One named recorded value.
public struct RecordedField: Hashable, Sendable {
    public var name: String
    public var value: RecordedValue

    public init(name: String, value: RecordedValue) {
        self.name = name
        self.value = value
    }
}
