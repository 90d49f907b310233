import Foundation
import Testing

@testable import Annotation

@Suite("JSON text")
struct JSONTextTests {
    @Test func stringEscaping() {
        let value = JSONValue.string("a\"b\\c/d\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é 猫 🐈")
        #expect(value.jsonText == #""a\"b\\c/d\n\r\t\b\f\u0001\u001f"# + "\u{7F} é 猫 🐈\"")
    }

    @Test func escapedStringsParseBack() throws {
        let original = "tab\tquote\"nul\u{0}bell\u{07} naïve ✓"
        let text = "[" + JSONValue.string(original).jsonText + "]"
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == [original])
    }

    @Test(arguments: [
        (JSONValue.int(0), "0"), (.int(-42), "-42"), (.int(Int.min), "-9223372036854775808"),
        (.int(Int.max), "9223372036854775807"), (.uint(UInt64.max), "18446744073709551615"),
        (.double(0.1), "0.1"), (.double(1), "1.0"), (.double(-2.5e-7), "-2.5e-07"),
        (.bool(true), "true"), (.null, "null"),
    ])
    func numbersAndLiterals(_ value: JSONValue, _ text: String) {
        #expect(value.jsonText == text)
    }

    @Test func objectsKeepMemberOrder() {
        let value = JSONValue.object([
            JSONMember("z", .int(1)), JSONMember("a", .array([.int(2), .string("x")])),
            JSONMember("m", .object([])),
        ])
        #expect(value.jsonText == #"{"z":1,"a":[2,"x"],"m":{}}"#)
    }
}
