public import SceneModel
public import SceneScript

/// How the values a script records (`record NAME`) are spread over sampled images: what
/// `tessera check --samples N` prints next to acceptance, so a user sees the numbers a run
/// would write to `records.jsonl` without rendering it.
///
/// A list (a record in a loop, a point) counts each of its elements. Numbers give their
/// least, mean and greatest value and a histogram; strings and Booleans a count per value.
public struct RecordedDistribution: Sendable, Equatable {
    /// The spread of one recorded name.
    public struct Field: Sendable, Equatable {
        public var name: String
        /// Images that recorded it.
        public var images = 0
        /// Its numbers, when it recorded any.
        public var numbers: NumberSummary?
        /// Its strings and Booleans (`true`, `false`), each with how often it occurred,
        /// sorted by the value's text.
        public var counts: [ValueCount] = []
    }

    /// One string or Boolean value and how often it occurred.
    public struct ValueCount: Sendable, Equatable {
        public var value: String
        public var count: Int

        public init(value: String, count: Int) {
            self.value = value
            self.count = count
        }
    }

    /// Least, mean and greatest of some numbers, and how many fall in each of
    /// `binCount` equal bins from the least to the greatest (the last bin includes it).
    public struct NumberSummary: Sendable, Equatable {
        public var count: Int
        public var minimum: Double
        public var mean: Double
        public var maximum: Double
        /// Whether every number was a whole number (an `Int`).
        public var isIntegral: Bool
        /// Counts per bin; a single bin when every number is the same.
        public var bins: [Int]

        /// The lower edge of bin `k`.
        public func lowerEdge(_ k: Int) -> Double { minimum + (maximum - minimum) * Double(k) / Double(bins.count) }
    }

    /// Bins of a number histogram.
    public static let binCount = 8

    /// The recorded names in program order (then any other name, in the order first seen).
    public private(set) var fields: [Field] = []
    /// Accepted images added.
    public private(set) var images = 0
    private var numbers: [[Double]] = []
    private var integral: [Bool] = []
    private var tallies: [[String: Int]] = []

    /// An empty distribution over `program`'s recorded names.
    public init(program: SceneProgram) {
        for recorded in program.recordedNames { _ = position(of: recorded.name) }
    }

    /// Adds the records of one accepted image.
    public mutating func add(_ records: [RecordedField]) {
        images += 1
        for record in records {
            let k = position(of: record.name)
            fields[k].images += 1
            add(record.value, at: k)
        }
    }

    /// The fields with their number summaries and counts worked out.
    public var summarized: [Field] {
        fields.indices.map { k in
            var field = fields[k]
            field.counts = tallies[k].keys.sorted().map { ValueCount(value: $0, count: tallies[k][$0]!) }
            let values = numbers[k]
            if let low = values.min(), let high = values.max() {
                var bins = [Int](repeating: 0, count: low == high ? 1 : Self.binCount)
                for v in values {
                    let bin = low == high ? 0 : Int((v - low) / (high - low) * Double(Self.binCount))
                    bins[min(bin, bins.count - 1)] += 1
                }
                field.numbers = NumberSummary(count: values.count, minimum: low, mean: values.reduce(0, +) / Double(values.count),
                                              maximum: high, isIntegral: integral[k], bins: bins)
            }
            return field
        }
    }

    private mutating func position(of name: String) -> Int {
        if let k = fields.firstIndex(where: { $0.name == name }) { return k }
        fields.append(Field(name: name))
        numbers.append([])
        integral.append(true)
        tallies.append([:])
        return fields.count - 1
    }

    private mutating func add(_ value: RecordedValue, at k: Int) {
        switch value {
        case let .int(v): numbers[k].append(Double(v))
        case let .double(v):
            numbers[k].append(v)
            integral[k] = false
        case let .bool(v): tallies[k][v ? "true" : "false", default: 0] += 1
        case let .string(v): tallies[k][v, default: 0] += 1
        case let .list(items): for item in items { add(item, at: k) }
        }
    }
}
