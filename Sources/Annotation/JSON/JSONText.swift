/// A value that writes itself as compact JSON text with a fixed key order.
///
/// Output is UTF-8, without spaces or newlines, and byte-identical for equal values: no
/// dictionaries, no Foundation encoder.
public protocol JSONRenderable {
    /// Appends the JSON text of this value to `bytes` as UTF-8.
    func appendJSON(to bytes: inout [UInt8])
}

extension JSONRenderable {
    /// The compact JSON text of this value, as UTF-8 bytes.
    public var jsonBytes: [UInt8] {
        var bytes: [UInt8] = []
        appendJSON(to: &bytes)
        return bytes
    }

    /// The compact JSON text of this value.
    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }
}

/// The JSON byte-level writers every renderer shares.
extension Array where Element == UInt8 {
    /// Appends ASCII text verbatim: punctuation and `"key":` fragments.
    @inline(__always)
    mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends a quoted JSON string (RFC 8259 §7).
    ///
    /// `"` and `\` are escaped; control characters below U+0020 use the short escapes
    /// `\b \f \n \r \t` or `\u00xx` with lowercase hex; everything else, including non-ASCII,
    /// passes through as UTF-8.
    mutating func appendJSONString(_ string: String) {
        append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): appendRaw("\\\"")
            case UInt8(ascii: "\\"): appendRaw("\\\\")
            case 0x08: appendRaw("\\b")
            case 0x0C: appendRaw("\\f")
            case 0x0A: appendRaw("\\n")
            case 0x0D: appendRaw("\\r")
            case 0x09: appendRaw("\\t")
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                appendRaw("\\u00")
                append(hex.utf8Start[Int(byte >> 4)])
                append(hex.utf8Start[Int(byte & 0xF)])
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer.
    mutating func appendJSONInteger(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendJSONInteger(UInt64(value.magnitude))
    }

    /// Appends a decimal unsigned integer, zero-padded on the left to `minimumDigits` (≤ 24).
    mutating func appendJSONInteger(_ value: UInt64, minimumDigits: Int = 1) {
        // The digits are made right to left in a 24-byte buffer on the stack, then appended at
        // once: a YOLO label file of a crowd image holds 100 000 numbers.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var v = value, start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            while buffer.count - start < minimumDigits {
                start -= 1
                buffer[start] = UInt8(ascii: "0")
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Appends a finite number as Swift's shortest round-trip text (`1.0`, `0.1`, `1e-07`),
    /// which is valid JSON and the same on every platform.
    mutating func appendJSONNumber(_ value: Double) {
        precondition(value.isFinite, "JSON has no representation for \(value)")
        append(contentsOf: value.description.utf8)
    }

    /// Appends `[a,b,…]` of integers.
    mutating func appendJSONIntegers(_ values: [Int]) {
        append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { append(UInt8(ascii: ",")) }
            appendJSONInteger(v)
        }
        append(UInt8(ascii: "]"))
    }

    /// Appends `,"key":value` for each member, in order: the extra fields after a record's
    /// fixed keys.
    mutating func appendJSONMembers(_ members: [JSONMember]) {
        for member in members {
            append(UInt8(ascii: ","))
            member.appendJSON(to: &self)
        }
    }
}
