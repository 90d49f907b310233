import Annotation
import Foundation

/// Why a JSON text did not scan into a record: bad syntax, or a record's shape unmet.
/// `path` names the field (`.segmentation[0]`), built as the error unwinds.
struct JSONScanError: Error {
    enum Kind: Equatable {
        /// Not JSON (RFC 8259) at `offset`.
        case syntax
        /// A required member is absent.
        case missingKey(String)
        /// A member's value is not of the record's type (or out of its range).
        case wrongType
    }

    var kind: Kind
    /// Byte offset in the text where the problem was found.
    var offset: Int
    var path = ""

    /// The error's text as `DatasetReadError.malformed` gives it, `record` naming the type.
    func reason(record: String) -> String {
        switch kind {
        case .syntax: "not JSON"
        case let .missingKey(key): "\(record) lacks \"\(key)\"\(path.isEmpty ? "" : " in \(path)")"
        case .wrongType: "\(record)\(path.isEmpty ? "" : ": \(path)") has the wrong type"
        }
    }
}

/// A record read straight from JSON bytes by a ``JSONScanner``, without `JSONDecoder`.
///
/// Conforming types give the same values `Decodable` gives for the same text (a test
/// compares both on rendered datasets); members they do not know are skipped.
protocol JSONScannable {
    init(scanning scanner: inout JSONScanner) throws(JSONScanError)
}

/// A hand-written reader of one JSON text (RFC 8259) over its UTF-8 bytes, value by value.
///
/// It exists for speed: `JSONDecoder` spent most of an export's time on Tessera's instances
/// files (the polygons of 63 000 crowd annotations). Keys and strings become `String`s only
/// where a record keeps them; numbers are read from the bytes, exactly (Clinger's fast path
/// when the decimal fits, else `strtod`), so every `Double` is the correctly rounded value
/// of its text, as `JSONDecoder` gives it.
///
/// The bytes must outlive the scanner: use ``scan(_:from:)``.
struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads `bytes` as one `T`, with nothing but whitespace after it.
    /// - Throws: `JSONScanError`, its offset relative to `bytes.startIndex`.
    static func scan<T: JSONScannable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws(JSONScanError) -> T {
        let result: Result<T, JSONScanError> = bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            return Result { () throws(JSONScanError) -> T in
                let value = try T(scanning: &scanner)
                scanner.skipSpace()
                guard scanner.index == buffer.count else { throw scanner.syntaxError() }
                return value
            }
        }
        return try result.get()
    }

    // MARK: - Structure

    func syntaxError() -> JSONScanError { JSONScanError(kind: .syntax, offset: index) }

    /// The error for a value that is not of the type asked for: `.wrongType` when it is JSON
    /// (as `JSONDecoder` tells them apart), else `.syntax`.
    mutating func typeError() -> JSONScanError {
        let start = index
        do { try skipValue() } catch { return error }
        index = start
        return JSONScanError(kind: .wrongType, offset: index)
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, not consumed; `nil` at the end.
    mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Whether the next value is `null`, consuming it if so.
    mutating func consumeNull() throws(JSONScanError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws(JSONScanError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw syntaxError() }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw syntaxError() }
        index += count
    }

    /// Calls `body` with each member's key, the scanner on its value; `body` must read or
    /// skip the value. An error in `body` gets `.key` put before its path.
    /// - Throws: `.wrongType` when the value is not an object.
    mutating func forEachMember(_ body: (JSONKey, inout JSONScanner) throws(JSONScanError) -> Void) throws(JSONScanError) {
        guard consume(UInt8(ascii: "{")) else { throw peek() == nil ? syntaxError() : typeError() }
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            guard peek() == UInt8(ascii: "\"") else { throw syntaxError() }
            // A key without escapes is matched on its bytes, with no `String` made.
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
            var unescaped: String?
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                index = end + 1
            } else {
                unescaped = try readStringBody()
            }
            guard consume(UInt8(ascii: ":")) else { throw syntaxError() }
            do {
                if var unescaped {
                    try unescaped.withUTF8 { utf8 in
                        Result { () throws(JSONScanError) in try body(JSONKey(utf8: utf8), &self) }
                    }.get()
                } else {
                    try body(JSONKey(utf8: UnsafeBufferPointer(rebasing: bytes[start..<end])), &self)
                }
            } catch {
                var error = error
                if error.kind != .syntax {
                    error.path = "." + (unescaped ?? String(decoding: bytes[start..<end], as: UTF8.self)) + error.path
                }
                throw error
            }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw syntaxError() }
    }

    /// Reads an array, `element` reading each value; an error gets `[i]` before its path.
    /// - Throws: `.wrongType` when the value is not an array.
    mutating func readArray<T>(_ element: (inout JSONScanner) throws(JSONScanError) -> T) throws(JSONScanError) -> [T] {
        guard consume(UInt8(ascii: "[")) else { throw peek() == nil ? syntaxError() : typeError() }
        var values: [T] = []
        if consume(UInt8(ascii: "]")) { return values }
        repeat {
            do { values.append(try element(&self)) } catch {
                var error = error
                if error.kind != .syntax { error.path = "[\(values.count)]" + error.path }
                throw error
            }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw syntaxError() }
        return values
    }

    /// Skips one value of any type, checking its syntax.
    mutating func skipValue() throws(JSONScanError) {
        switch peek() {
        case UInt8(ascii: "{"): try forEachMember { _, s throws(JSONScanError) in try s.skipValue() }
        case UInt8(ascii: "["): _ = try readArray { s throws(JSONScanError) in try s.skipValue() }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try readNumberText()
        }
    }

    // MARK: - Scalars

    /// - Throws: `.wrongType` when the value is not a string.
    mutating func readString() throws(JSONScanError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw isValueStart ? typeError() : syntaxError() }
        return try readStringBody()
    }

    mutating func readBool() throws(JSONScanError) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw isValueStart ? typeError() : syntaxError()
        }
    }

    /// An integer; a number with a fraction or exponent only when its value is an exact `Int`
    /// (as `JSONDecoder` reads it).
    mutating func readInt() throws(JSONScanError) -> Int {
        let (value, isIntegerText, start) = try readNumber()
        if isIntegerText, let exact = integer(from: start) { return exact }
        guard let exact = Int(exactly: value) else { index = start; throw typeError() }
        return exact
    }

    /// A number, the correctly rounded `Double` of its text.
    mutating func readDouble() throws(JSONScanError) -> Double { try readNumber().value }

    /// A value of any shape; objects' members sorted by key and numbers typed as
    /// `JSONValue`'s `Decodable` conformance types them, so both read a text alike.
    mutating func readJSONValue() throws(JSONScanError) -> JSONValue {
        switch peek() {
        case UInt8(ascii: "{"):
            var members: [JSONMember] = []
            try forEachMember { key, s throws(JSONScanError) in members.append(JSONMember(try key.string(), try s.readJSONValue())) }
            return .object(members.sorted { $0.key < $1.key })
        case UInt8(ascii: "["): return .array(try readArray { s throws(JSONScanError) in try s.readJSONValue() })
        case UInt8(ascii: "\""): return .string(try readStringBody())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try readBool())
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let (value, isIntegerText, start) = try readNumber()
            if isIntegerText, let exact = integer(from: start) { return .int(exact) }
            return Int(exactly: value).map(JSONValue.int) ?? .double(value)
        }
    }

    private var isValueStart: Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "t"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return false
        }
    }

    /// The string at `index` (its opening quote), unescaped.
    private mutating func readStringBody() throws(JSONScanError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return try text(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw syntaxError() }
            index += 1
        }
        // Escapes: build the bytes.
        var unescaped = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return try unescaped.withUnsafeBufferPointer { buffer throws(JSONScanError) in try text(buffer) }
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw syntaxError() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair: `\uD83D\uDE00`.
                        try literal("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw syntaxError() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw syntaxError() }
                    unescaped.append(contentsOf: UTF8.encode(unicode)!)
                default: throw syntaxError()
                }
            default:
                guard byte >= 0x20 else { throw syntaxError() }
                unescaped.append(byte)
            }
        }
        throw syntaxError()
    }

    private func text(_ utf8: UnsafeBufferPointer<UInt8>) throws(JSONScanError) -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else { throw syntaxError() }
        return string
    }

    private mutating func hex4() throws(JSONScanError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw syntaxError() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The integer spelled by the digits from `start` (an optional `-`, then digits only), or
    /// `nil` when it overflows `Int`.
    private func integer(from start: Int) -> Int? {
        var k = start
        let isNegative = bytes[k] == UInt8(ascii: "-")
        if isNegative { k += 1 }
        var magnitude: UInt64 = 0
        while k < index {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[k] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = sum
            k += 1
        }
        if isNegative {
            return magnitude <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// Checks a number's syntax and moves past it; its range in the text.
    private mutating func readNumberText() throws(JSONScanError) -> (start: Int, isIntegerText: Bool) {
        guard peek() != nil else { throw syntaxError() }
        guard isValueStart, bytes[index] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw isValueStart ? typeError() : syntaxError()
        }
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func isDigit(_ k: Int) -> Bool { k < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[k]) }
        guard isDigit(index) else { throw syntaxError() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw syntaxError() }  // no leading zeros
        } else {
            while isDigit(index) { index += 1 }
        }
        var isIntegerText = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw syntaxError() }
            while isDigit(index) { index += 1 }
            isIntegerText = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw syntaxError() }
            while isDigit(index) { index += 1 }
            isIntegerText = false
        }
        return (start, isIntegerText)
    }

    private static let exactPowersOf10: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A number's value, whether its text is an integer (no fraction, no exponent), and where
    /// the text starts.
    /// - Throws: `.syntax` for a text that is not a JSON number or overflows `Double`.
    private mutating func readNumber() throws(JSONScanError) -> (value: Double, isIntegerText: Bool, start: Int) {
        let (start, isIntegerText) = try readNumberText()
        // Clinger's fast path: at most 19 significant digits whose value is below 2^53, and a
        // decimal exponent within ±22, give the exact double in one correctly rounded operation.
        var k = start
        let isNegative = bytes[k] == UInt8(ascii: "-")
        if isNegative { k += 1 }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0
        var isFraction = false
        scan: while k < index {
            let byte = bytes[k]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                if isFraction { exponent -= 1 }
            case UInt8(ascii: "."): isFraction = true
            default: break scan  // the exponent
            }
            k += 1
        }
        var isFast = digits <= 19 && mantissa <= 1 << 53
        if isFast, k < index {
            k += 1  // e or E
            var sign = 1
            if bytes[k] == UInt8(ascii: "-") { sign = -1; k += 1 } else if bytes[k] == UInt8(ascii: "+") { k += 1 }
            var e = 0
            while k < index, e < 1000 { e = e * 10 + Int(bytes[k] - UInt8(ascii: "0")); k += 1 }
            exponent += sign * e
            isFast = k == index
        }
        if isFast, (-22...22).contains(exponent) {
            let magnitude = Double(mantissa)
            let value = exponent < 0 ? magnitude / Self.exactPowersOf10[-exponent] : magnitude * Self.exactPowersOf10[exponent]
            return (isNegative ? -value : value, isIntegerText, start)
        }
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: index - start + 1) { text in
            for j in start..<index { text[j - start] = CChar(bitPattern: bytes[j]) }
            text[index - start] = 0
            return strtod(text.baseAddress!, nil)
        }
        guard value.isFinite else { index = start; throw syntaxError() }
        return (value, isIntegerText, start)
    }
}

/// A member's key as its UTF-8 bytes (unescaped), valid only inside the member's callback;
/// matched against string literals in a `switch`.
struct JSONKey {
    let utf8: UnsafeBufferPointer<UInt8>

    static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        guard pattern.utf8CodeUnitCount == key.utf8.count else { return false }
        return key.utf8.isEmpty || memcmp(pattern.utf8Start, key.utf8.baseAddress!, key.utf8.count) == 0
    }

    static func == (key: JSONKey, pattern: StaticString) -> Bool { pattern ~= key }

    /// The key as a `String`.
    /// - Throws: `.syntax` when it is not UTF-8.
    func string() throws(JSONScanError) -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else { throw JSONScanError(kind: .syntax, offset: 0) }
        return string
    }
}

extension Array: JSONScannable where Element: JSONScannable {
    init(scanning scanner: inout JSONScanner) throws(JSONScanError) {
        self = try scanner.readArray { s throws(JSONScanError) in try Element(scanning: &s) }
    }
}

/// A required member: `nil` until read, then an error naming the key when still `nil`.
func required<T>(_ value: T?, _ key: String, _ scanner: JSONScanner) throws(JSONScanError) -> T {
    guard let value else { throw JSONScanError(kind: .missingKey(key), offset: scanner.index) }
    return value
}
