import Foundation
public import SceneScript

/// A parameter file: one JSON object of parameter name → value (a number, a string or a
/// Boolean), the values for a scene's `param`s, as `tessera render --params FILE` reads it.
///
/// ```json
/// {"hour": 19, "weather": "rain", "size": 128, "headlights": true}
/// ```
///
/// Numbers keep the text JSON gives them (`19`, `0.25`), so they are checked against the
/// parameter's type as `--set` values are: `19` fits an Int or a Double parameter, `19.5` only
/// a Double. A value keeps its JSON type too: a string (`"8"`) is no number and fits only a
/// String or Color parameter (a colour is a string, `"#ff8800"`); `true`/`false` fit only a
/// Bool. Read strictly (RFC 8259): a key given twice, a number beyond a Double's range
/// (`1e400`), `null`, an object or an array is refused, naming the key.
public enum ParameterFile {
    /// One `name: value` of the file, the value as text.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var text: String
        /// The JSON type of the value, which the parameter's type must accept.
        public var kind: ParameterOverride.Kind
    }

    /// The file's entries, sorted by name (a JSON object's members have no order, so none
    /// may reach the output).
    /// - Throws: `DatasetError.missingFile` (66) when there is no such file, `.io` (74) when it
    ///   cannot be read, `.usage` naming the file (and the key) when it is not such an object.
    public static func entries(at url: URL) throws -> [Entry] {
        try entries(in: try AtomicFile.readInput(url, what: "parameter file"), path: url.path)
    }

    /// The entries of a parameter file's bytes; `path` names it in errors.
    public static func entries(in data: Data, path: String) throws -> [Entry] {
        var scanner = FlatObjectScanner(bytes: [UInt8](data))
        let members: [(key: String, value: Entry)]
        do { members = try scanner.members() } catch let problem {
            switch problem {
            case .syntax:
                throw DatasetError.usage("\(path): not a JSON object of parameter names to values (numbers, strings, true/false), e.g. {\"hour\": 19}")
            case let .value(key, what):
                throw DatasetError.usage("\(path): parameter '\(key)' is \(what); give a number, a string or true/false")
            case let .outOfRange(key, text):
                throw DatasetError.usage("\(path): parameter '\(key)' is \(text), a number out of range (a number here is at most ±\(Double.greatestFiniteMagnitude))")
            case let .duplicate(key):
                throw DatasetError.usage("\(path): parameter '\(key)' is given twice; give each parameter once")
            }
        }
        return members.map(\.value).sorted { $0.name < $1.name }
    }
}

/// Reads one JSON object whose values are numbers, strings or Booleans, keeping each value's
/// text and JSON type, and refusing what `JSONDecoder` would let pass: a repeated key (it
/// keeps one silently) and a number it cannot hold.
private struct FlatObjectScanner {
    enum Problem: Error {
        case syntax
        /// The value of `key` is not a number, string or Boolean.
        case value(key: String, what: String)
        /// The number `text` of `key` is beyond a `Double`'s range.
        case outOfRange(key: String, text: String)
        case duplicate(key: String)
    }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is allowed before the text (RFC 8259 §8.1 lets readers skip it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func members() throws(Problem) -> [(key: String, value: ParameterFile.Entry)] {
        try expect(UInt8(ascii: "{"))
        var members: [(key: String, value: ParameterFile.Entry)] = []
        var seen: Set<String> = []
        if peek() == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                guard peek() == UInt8(ascii: "\"") else { throw .syntax }
                let key = try string()
                try expect(UInt8(ascii: ":"))
                let (text, kind) = try value(of: key)
                guard seen.insert(key).inserted else { throw .duplicate(key: key) }
                members.append((key, ParameterFile.Entry(name: key, text: text, kind: kind)))
                if peek() == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        guard peek() == nil else { throw .syntax }
        return members
    }

    private mutating func peek() -> UInt8? {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Problem) {
        guard peek() == byte else { throw .syntax }
        index += 1
    }

    private mutating func value(of key: String) throws(Problem) -> (String, ParameterOverride.Kind) {
        guard let next = peek() else { throw .syntax }
        switch next {
        case UInt8(ascii: "\""): return (try string(), .string)
        case UInt8(ascii: "t"): try word("true"); return ("true", .boolean)
        case UInt8(ascii: "f"): try word("false"); return ("false", .boolean)
        case UInt8(ascii: "n"): try word("null"); throw .value(key: key, what: "null")
        case UInt8(ascii: "{"): throw .value(key: key, what: "an object")
        case UInt8(ascii: "["): throw .value(key: key, what: "an array")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return (try number(of: key), .number)
        default: throw .syntax
        }
    }

    private mutating func word(_ text: String) throws(Problem) {
        let utf8 = Array(text.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else { throw .syntax }
        index += utf8.count
    }

    /// A JSON number (RFC 8259 §6): its text as `--set` would take it — an integer's digits
    /// when it fits an `Int`, else the `Double`'s shortest text.
    private mutating func number(of key: String) throws(Problem) -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw .syntax }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw .syntax }
            isInteger = false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw .syntax }
            isInteger = false
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let int = Int(text) { return String(int) }
        guard let double = Double(text), double.isFinite else {
            throw .outOfRange(key: key, text: text)
        }
        return "\(double)"
    }

    /// A JSON string (RFC 8259 §7), from its opening quote.
    private mutating func string() throws(Problem) -> String {
        index += 1
        var utf8: [UInt8] = []
        func hex4() throws(Problem) -> UInt32 {
            guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw .syntax }
            index += 4
            return value
        }
        while true {
            guard index < bytes.count else { throw .syntax }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw .syntax }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw .syntax }
                let escape = bytes[index]
                index += 1
                let simple: [UInt8: UInt8] = [UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
                                              UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
                                              UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09]
                if let byte = simple[escape] {
                    utf8.append(byte)
                    continue
                }
                guard escape == UInt8(ascii: "u") else { throw .syntax }
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw .syntax }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw .syntax }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw .syntax }
                utf8 += Array(String(Character(unicode)).utf8)
            default:
                guard byte >= 0x20 else { throw .syntax }
                utf8.append(byte)
            }
        }
    }
}
