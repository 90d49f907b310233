public import Annotation
public import Foundation
public import SceneModel
public import SceneScript

/// A focus file (`tessera render --focus FILE`, written by `tessera compare --focus-out`):
/// weights on bins of recorded values and instance facts that re-weight which sampled images a
/// run keeps, so that a training set holds more of what a model gets wrong.
///
/// ```json
/// {"tessera_focus": 1,
///  "factors": [{"name": "hour", "kind": "image", "other_weight": 0.05,
///               "bins": [{"min": null, "max": 18, "weight": 0.05}, {"min": 18, "max": null, "weight": 1}]}]}
/// ```
///
/// The rule (docs/FORMATS.md, *Focus files*): each factor gives an image a weight — an
/// `image` factor the weight of the bin its recorded value falls in; an `instance` factor the
/// largest weight among the bins of its annotated instances (those of `classes`, when given)
/// — and `other_weight` when nothing falls in a bin. An attempt that meets every requirement of
/// the scene is kept with probability Π weight / Π (largest weight of the factor), drawn on the
/// attempt's own focus stream (``SceneScript/SampleFocus``). So the weights multiply the
/// scene's own distribution: a bin with natural share p_b and weight w_b ends up with share
/// p_b·w_b / Σ p·w (for one image factor).
public struct FocusFile: Sendable, Equatable {
    /// What a factor bins: images by a recorded value, or instances by one of their facts.
    public enum Kind: String, Sendable, CaseIterable {
        case image
        case instance
    }

    /// One bin: a half-open numeric interval `[min, max)` (`max` included when
    /// `maxInclusive`; a `nil` bound is unbounded), or one label (a string, or a Boolean as
    /// `true`/`false`).
    public struct Bin: Sendable, Equatable {
        public var min: Double?
        public var max: Double?
        public var maxInclusive: Bool
        public var label: String?
        /// ≥ 0.
        public var weight: Double
        /// Written by `compare --focus-out` for the reader; ignored when rendering.
        public var notes: [JSONMember]

        public init(min: Double? = nil, max: Double? = nil, maxInclusive: Bool = false, label: String? = nil,
                    weight: Double, notes: [JSONMember] = []) {
            self.min = min
            self.max = max
            self.maxInclusive = maxInclusive
            self.label = label
            self.weight = weight
            self.notes = notes
        }

        /// Whether `value` falls in this bin.
        public func contains(_ value: FocusValue) -> Bool {
            switch value {
            case let .number(v):
                guard label == nil else { return false }
                if let min, v < min { return false }
                if let max, v > max || (v == max && !maxInclusive) { return false }
                return true
            case let .label(l): return l == label
            }
        }

        /// `[18, 24)`, `[-inf, 6)`, `rain`.
        public var text: String {
            if let label { return label }
            let low = min.map { String(format: "%g", $0) } ?? "-inf", high = max.map { String(format: "%g", $0) } ?? "inf"
            return "[\(low), \(high)\(maxInclusive ? "]" : ")")"
        }
    }

    /// How an instance factor turns its instances' bin weights into the image's weight.
    public enum Combine: String, Sendable, CaseIterable {
        /// The largest: an image is worth the hardest case it holds. Cheap (few rejections),
        /// but weak when most images hold some instance of a heavy bin.
        case max
        /// The mean over the image's instances: favours images where heavy bins make up more
        /// of the instances.
        case mean
        /// The product: tilts every instance by its own weight, so that for independent
        /// instances each bin's share is p·w / Σ p·w as for an image factor; the acceptance
        /// falls geometrically with the instances per image, so it suits sparse scenes.
        case product
    }

    public struct Factor: Sendable, Equatable {
        /// A recorded value (`records.NAME` also accepted) or an instance fact: `area`,
        /// `bbox_width`, `bbox_height`, `visible_fraction`, `in_frame_fraction`,
        /// `amodal_area`, `category`, `attributes.NAME`.
        public var name: String
        public var kind: Kind
        /// Instance factors only: the class names whose instances count (`nil`: every thing class).
        public var classes: [String]?
        /// Instance factors: how the instances' weights make the image's (default `max`).
        public var combine: Combine
        public var bins: [Bin]
        /// The weight of an image whose value falls in no bin (or that has none).
        public var otherWeight: Double
        /// Written by `compare --focus-out` for the reader; ignored when rendering.
        public var notes: [JSONMember]

        public init(name: String, kind: Kind, classes: [String]? = nil, combine: Combine = .max, bins: [Bin], otherWeight: Double,
                    notes: [JSONMember] = []) {
            self.name = name
            self.kind = kind
            self.classes = classes
            self.combine = combine
            self.bins = bins
            self.otherWeight = otherWeight
            self.notes = notes
        }

        /// The bin `value` falls in (the first that holds it), or `nil`.
        public func bin(of value: FocusValue?) -> Int? {
            guard let value else { return nil }
            return bins.firstIndex { $0.contains(value) }
        }

        /// The weight of bin `index` (`nil`: `otherWeight`).
        public func weight(of index: Int?) -> Double { index.map { bins[$0].weight } ?? otherWeight }

        /// The largest weight of the factor (bins and `otherWeight`).
        public var largestWeight: Double { bins.map(\.weight).reduce(otherWeight, Swift.max) }

        /// An image's weight from its instances' bins (`nil`: in no bin), relative to
        /// ``largestWeight`` (0…1): by ``combine``; `otherWeight` for an image without one.
        public func relativeWeight(ofInstancesIn bins: [Int?]) -> Double {
            let top = largestWeight
            guard !bins.isEmpty else { return otherWeight / top }
            let relative = bins.map { weight(of: $0) / top }
            switch combine {
            case .max: return relative.reduce(0, Swift.max)
            case .mean: return relative.reduce(0, +) / Double(relative.count)
            case .product: return relative.reduce(1, *)
            }
        }

        /// The recorded value's name of an image factor (without `records.`).
        var recordName: String { name.hasPrefix("records.") ? String(name.dropFirst("records.".count)) : name }
    }

    public var factors: [Factor]
    /// Written by `compare --focus-out` (the comparison it came from, the rule); ignored when rendering.
    public var notes: [JSONMember]

    public init(factors: [Factor], notes: [JSONMember] = []) {
        self.factors = factors
        self.notes = notes
    }

    /// The instance facts an `instance` factor may name (besides `attributes.NAME`).
    public static let instanceFacts = ["area", "bbox_width", "bbox_height", "visible_fraction", "in_frame_fraction",
                                       "amodal_area", "category"]
    /// The value of `tessera_focus` this reader understands.
    public static let version = 1

    // MARK: Reading

    /// Reads and checks a focus file.
    /// - Throws: `DatasetError.missingFile` (66) when there is no such file, `.io` (74) when
    ///   it cannot be read; `DatasetError.usage` naming the file and the key
    ///   (`factors[0].bins[2].weight`) for a file that is not JSON, lacks a key, has an unknown
    ///   key or a value of the wrong type, a negative or non-finite weight, or no positive weight.
    public static func read(_ url: URL) throws -> FocusFile {
        try parse(try AtomicFile.readInput(url, what: "focus file"), path: url.path)
    }

    /// The focus file of `data`; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws -> FocusFile {
        let json: JSONValue
        do { json = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw DatasetError.usage("\(path): not valid JSON (\(Self.reason(error))); a focus file is a JSON object, see docs/FORMATS.md (Focus files)")
        }
        var reader = Reader(path: path)
        return try reader.file(json)
    }

    private static func reason(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Reads the JSON tree, naming each key by its path.
    private struct Reader {
        let path: String

        func fail(_ key: String, _ message: String) -> DatasetError {
            DatasetError.usage("\(path): \(key.isEmpty ? "" : "'\(key)' ")\(message)")
        }

        func members(_ value: JSONValue, at key: String, allowed: Set<String>) throws -> [String: JSONValue] {
            guard case let .object(members) = value else { throw fail(key, "must be a JSON object") }
            var found: [String: JSONValue] = [:]
            for member in members {
                guard allowed.contains(member.key) else {
                    let hint = closestName(to: member.key, among: allowed.sorted())
                    throw fail(key.isEmpty ? member.key : "\(key).\(member.key)",
                               "is not a key of a focus file here\(hint.map { "; did you mean '\($0)'?" } ?? "") (keys: \(allowed.sorted().joined(separator: ", ")))")
                }
                found[member.key] = member.value
            }
            return found
        }

        func weight(_ value: JSONValue?, at key: String) throws -> Double {
            guard let value else { throw fail(key, "is missing: every bin needs a weight (a number ≥ 0)") }
            guard let w = value.number, w.isFinite else { throw fail(key, "must be a number ≥ 0, not \(value.text)") }
            guard w >= 0 else { throw fail(key, "must be ≥ 0, not \(value.text): a weight is a relative chance of keeping an image") }
            return w
        }

        func bound(_ value: JSONValue?, at key: String) throws -> Double? {
            guard let value, value != .null else { return nil }
            guard let n = value.number, n.isFinite else { throw fail(key, "must be a number or null (unbounded), not \(value.text)") }
            return n
        }

        static let binKeys: Set<String> = ["min", "max", "max_inclusive", "value", "weight",
                                           "miss_rate", "ground_truths", "missed", "images", "share", "expected_share"]
        static let factorKeys: Set<String> = ["name", "kind", "classes", "combine", "bins", "other_weight",
                                              "ground_truths", "images", "unbinned"]

        mutating func file(_ json: JSONValue) throws -> FocusFile {
            let top = try members(json, at: "", allowed: ["tessera_focus", "factors", "source", "rule"])
            guard let version = top["tessera_focus"] else {
                throw fail("tessera_focus", "is missing: a focus file starts {\"tessera_focus\": \(FocusFile.version), \"factors\": […]}")
            }
            guard version.number == Double(FocusFile.version) else {
                throw fail("tessera_focus", "is \(version.text); this Tessera reads version \(FocusFile.version)")
            }
            guard case let .array(list)? = top["factors"] else { throw fail("factors", "must be a non-empty list of factors") }
            guard !list.isEmpty else { throw fail("factors", "is empty: give at least one factor") }
            let factors = try list.enumerated().map { try factor($1, at: "factors[\($0)]") }
            var seen = Set<String>()
            for (i, f) in factors.enumerated() where !seen.insert("\(f.kind.rawValue):\(f.kind == .image ? f.recordName : f.name)").inserted {
                throw fail("factors[\(i)].name", "'\(f.name)' is focused twice; give each factor once")
            }
            let notes = ["source", "rule"].compactMap { key in top[key].map { JSONMember(key, $0) } }
            return FocusFile(factors: factors, notes: notes)
        }

        func factor(_ json: JSONValue, at key: String) throws -> Factor {
            let m = try members(json, at: key, allowed: Self.factorKeys)
            guard case let .string(name)? = m["name"], !name.isEmpty else {
                throw fail("\(key).name", "must be the name of a recorded value or an instance fact (a string)")
            }
            guard case let .string(kindText)? = m["kind"], let kind = Kind(rawValue: kindText) else {
                throw fail("\(key).kind", "must be \"image\" (a recorded value; images binned) or \"instance\" (an instance fact; instances binned)")
            }
            var classes: [String]?
            if let given = m["classes"] {
                guard kind == .instance else { throw fail("\(key).classes", "applies to instance factors only") }
                guard case let .array(items) = given, !items.isEmpty else { throw fail("\(key).classes", "must be a non-empty list of class names") }
                classes = try items.enumerated().map { i, item in
                    guard case let .string(s) = item else { throw fail("\(key).classes[\(i)]", "must be a class name (a string)") }
                    return s
                }
            }
            var combine = Combine.max
            if let given = m["combine"] {
                guard kind == .instance else { throw fail("\(key).combine", "applies to instance factors only") }
                guard case let .string(text) = given, let read = Combine(rawValue: text) else {
                    throw fail("\(key).combine", "must be \(Combine.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") )")
                }
                combine = read
            }
            guard case let .array(binList)? = m["bins"], !binList.isEmpty else {
                throw fail("\(key).bins", "must be a non-empty list of bins")
            }
            let bins = try binList.enumerated().map { try bin($1, at: "\(key).bins[\($0)]") }
            if bins.contains(where: { $0.label != nil }) && bins.contains(where: { $0.label == nil }) {
                throw fail("\(key).bins", "mixes numeric bins (min/max) and label bins (value); use one kind per factor")
            }
            let other = try m["other_weight"].map { try weight($0, at: "\(key).other_weight") } ?? bins.map(\.weight).min()!
            guard bins.contains(where: { $0.weight > 0 }) || other > 0 else {
                throw fail("\(key)", "has no positive weight: it would keep no image")
            }
            let notes = ["ground_truths", "images", "unbinned"].compactMap { k in m[k].map { JSONMember(k, $0) } }
            return Factor(name: name, kind: kind, classes: classes, combine: combine, bins: bins, otherWeight: other, notes: notes)
        }

        func bin(_ json: JSONValue, at key: String) throws -> Bin {
            let m = try members(json, at: key, allowed: Self.binKeys)
            let w = try weight(m["weight"], at: "\(key).weight")
            let notes = ["miss_rate", "ground_truths", "missed", "images", "share", "expected_share"].compactMap { k in
                m[k].map { JSONMember(k, $0) }
            }
            if let value = m["value"] {
                guard m["min"] == nil, m["max"] == nil, m["max_inclusive"] == nil else {
                    throw fail(key, "gives both 'value' (a label bin) and 'min'/'max' (a numeric bin)")
                }
                switch value {
                case let .string(s): return Bin(label: s, weight: w, notes: notes)
                case let .bool(b): return Bin(label: b ? "true" : "false", weight: w, notes: notes)
                default: throw fail("\(key).value", "must be a string or true/false (a number belongs in min/max)")
                }
            }
            guard m.keys.contains("min") || m.keys.contains("max") else {
                throw fail(key, "needs 'min' and 'max' (numbers, or null for unbounded) or 'value' (a label)")
            }
            let low = try bound(m["min"], at: "\(key).min"), high = try bound(m["max"], at: "\(key).max")
            var inclusive = false
            if let given = m["max_inclusive"] {
                guard case let .bool(b) = given else { throw fail("\(key).max_inclusive", "must be true or false") }
                inclusive = b
            }
            if let low, let high, !(low < high || (low == high && inclusive)) {
                throw fail(key, "min \(String(format: "%g", low)) must be below max \(String(format: "%g", high))")
            }
            return Bin(min: low, max: high, maxInclusive: inclusive, label: nil, weight: w, notes: notes)
        }
    }

    // MARK: Writing

    /// The file as written (`compare --focus-out`), notes included, two-space indented.
    public var fileBytes: [UInt8] {
        var bytes: [UInt8] = []
        Self.appendPretty(json(withNotes: true), indent: 0, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Objects and lists one member per line, indented two spaces per level; a bin (an object
    /// of scalars only) on one line.
    static func appendPretty(_ value: JSONValue, indent: Int, to bytes: inout [UInt8]) {
        func isFlat(_ v: JSONValue) -> Bool {
            switch v {
            case let .object(m): return m.allSatisfy { if case .object = $0.value { return false }; if case .array = $0.value { return false }; return true }
            case let .array(items): return items.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
            default: return true
            }
        }
        let pad = [UInt8](repeating: UInt8(ascii: " "), count: 2 * (indent + 1))
        switch value {
        case let .object(members) where !isFlat(value):
            bytes.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                bytes += (i == 0 ? [10] : [UInt8(ascii: ","), 10]) + pad
                JSONValue.string(member.key).appendJSON(to: &bytes)
                bytes += Array(": ".utf8)
                appendPretty(member.value, indent: indent + 1, to: &bytes)
            }
            bytes += [10] + pad.dropLast(2) + [UInt8(ascii: "}")]
        case let .array(items) where !isFlat(value):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                bytes += (i == 0 ? [10] : [UInt8(ascii: ","), 10]) + pad
                appendPretty(item, indent: indent + 1, to: &bytes)
            }
            bytes += [10] + pad.dropLast(2) + [UInt8(ascii: "]")]
        default:
            value.appendJSON(to: &bytes)
        }
    }

    /// What decides sampling (no notes): the manifest's `options.focus`, part of the run's identity.
    public var decidingJSON: JSONValue { json(withNotes: false) }

    func json(withNotes: Bool) -> JSONValue {
        func number(_ v: Double?) -> JSONValue { v.map { $0 == $0.rounded() && abs($0) < 1e15 ? .int(Int($0)) : .double($0) } ?? .null }
        let factorList: [JSONValue] = factors.map { f in
            var members = [JSONMember("name", .string(f.name)), JSONMember("kind", .string(f.kind.rawValue))]
            if let classes = f.classes { members.append(JSONMember("classes", .array(classes.map { .string($0) }))) }
            if f.kind == .instance { members.append(JSONMember("combine", .string(f.combine.rawValue))) }
            members.append(JSONMember("other_weight", number(f.otherWeight)))
            if withNotes { members += f.notes }
            members.append(JSONMember("bins", .array(f.bins.map { b in
                var m: [JSONMember]
                if let label = b.label { m = [JSONMember("value", .string(label))] } else {
                    m = [JSONMember("min", number(b.min)), JSONMember("max", number(b.max))]
                    if b.maxInclusive { m.append(JSONMember("max_inclusive", .bool(true))) }
                }
                m.append(JSONMember("weight", number(b.weight)))
                if withNotes { m += b.notes }
                return .object(m)
            })))
            return .object(members)
        }
        return .object([JSONMember("tessera_focus", .int(Self.version))] + (withNotes ? notes : [])
                        + [JSONMember("factors", .array(factorList))])
    }
}

/// A value a focus bins: a number, or a label (a string, or a Boolean as `true`/`false`).
public enum FocusValue: Sendable, Hashable {
    case number(Double)
    case label(String)
}

extension JSONValue {
    /// The value as a focus reads it; `nil` for null, lists and objects.
    var focusValue: FocusValue? {
        switch self {
        case let .string(s): return .label(s)
        case let .bool(b): return .label(b ? "true" : "false")
        default: return number.flatMap { $0.isFinite ? .number($0) : nil }
        }
    }

    /// Short text for error messages.
    var text: String { jsonText }
}

extension RecordedValue {
    /// The value as a focus reads it; `nil` for a list.
    var focusValue: FocusValue? {
        switch self {
        case let .int(v): return .number(Double(v))
        case let .double(v): return .number(v)
        case let .bool(v): return .label(v ? "true" : "false")
        case let .string(v): return .label(v)
        case .list: return nil
        }
    }
}

extension FocusFile {
    /// The achieved distribution of each factor beside what the file expects: one line per
    /// factor, each bin as `TEXT SHARE% (expected E%, was V%)` — the expected and validation
    /// shares when the file carries them (`expected_share`, `share`, as `compare --focus-out`
    /// writes) — then `none` for what fell in no bin.
    /// - Parameter achieved: per factor, counts per bin and a last one for none
    ///   (``AcceptanceReport/focusBins``).
    public func distributionLines(achieved: [[Int]]) -> [String] {
        func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
        var lines: [String] = []
        for (f, factor) in factors.enumerated() {
            let counts = achieved.indices.contains(f) && achieved[f].count == factor.bins.count + 1
                ? achieved[f] : [Int](repeating: 0, count: factor.bins.count + 1)
            let total = counts.reduce(0, +)
            let unit = factor.kind == .image ? "images" : "instances"
            var parts: [String] = []
            for (b, bin) in factor.bins.enumerated() {
                var part = "\(bin.text) " + (total > 0 ? percent(Double(counts[b]) / Double(total)) : "n/a")
                var known: [String] = []
                if let e = bin.notes.first(where: { $0.key == "expected_share" })?.value.number { known.append("expected \(percent(e))") }
                if let v = bin.notes.first(where: { $0.key == "share" })?.value.number { known.append("was \(percent(v))") }
                if !known.isEmpty { part += " (\(known.joined(separator: ", ")))" }
                parts.append(part)
            }
            if counts.last! > 0 { parts.append("none " + percent(Double(counts.last!) / Double(total))) }
            let classes = factor.classes.map { "; \($0.joined(separator: ", "))" } ?? ""
            lines.append("  \(factor.name) (\(factor.kind.rawValue)\(classes); \(total) \(unit)): " + parts.joined(separator: ", "))
        }
        return lines
    }
}

extension FocusFile {
    /// One line per factor: each bin's weight, with its miss rate and expected share when the
    /// file carries them (what `compare --focus-out` prints after writing the file).
    public var weightLines: [String] {
        factors.map { factor in
            let parts = factor.bins.map { bin -> String in
                let text = "\(bin.text) weight " + String(format: "%.3g", bin.weight)
                var known: [String] = []
                if let m = bin.notes.first(where: { $0.key == "miss_rate" })?.value.number { known.append(String(format: "missed %.1f%%", m * 100)) }
                if let s = bin.notes.first(where: { $0.key == "share" })?.value.number { known.append(String(format: "was %.1f%%", s * 100)) }
                if let e = bin.notes.first(where: { $0.key == "expected_share" })?.value.number { known.append(String(format: "expected %.1f%%", e * 100)) }
                return known.isEmpty ? text : text + " (" + known.joined(separator: ", ") + ")"
            }
            return "  \(factor.name) (\(factor.kind.rawValue)): " + parts.joined(separator: "; ")
                + "; other " + String(format: "%.3g", factor.otherWeight)
        }
    }
}
