/// HTML (and inline SVG) written as text, every piece of data escaped on the way in.
///
/// Element and attribute names come from this module's code; everything else — text and
/// attribute values, which may hold class names, scene text or recorded strings from a
/// dataset — goes through ``Markup/escape(_:)``, so no value can open an element, close
/// one or end an attribute. Unescaped text gets in only as other `Markup` (``raw(_:)``) or
/// as a literal of this module's code (``literal(_:)``, a `StaticString`).
struct Markup {
    /// An attribute: name (from code) and value (escaped when written). A `nil` value
    /// leaves the attribute out.
    typealias Attribute = (name: String, value: String?)

    private(set) var text = ""

    init() {}

    /// `value` safe as element content and as a quoted attribute value: `&`, `<`, `>`, `"`
    /// and `'` become character references; control characters HTML forbids (C0 but tab,
    /// line feed and carriage return; DEL and C1) and noncharacters become U+FFFD.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let isControl = v < 0x20 || (0x7F...0x9F).contains(v)
                let isNoncharacter = (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE
                out.unicodeScalars.append(isControl || isNoncharacter ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// Appends `value`, escaped.
    mutating func text(_ value: String) { text += Self.escape(value) }

    /// Appends `code` as is: a literal written in this module (the doctype, the style sheet).
    mutating func literal(_ code: StaticString) { text += code.description }

    /// Appends markup built elsewhere.
    mutating func raw(_ markup: Markup) { text += markup.text }

    /// Appends `<name attributes…>`, the content `body` appends, and `</name>`.
    mutating func element(_ name: String, _ attributes: [Attribute] = [], _ body: (inout Markup) -> Void = { _ in }) {
        open(name, attributes)
        body(&self)
        text += "</\(name)>"
    }

    /// Appends an element whose content is `content`, escaped.
    mutating func element(_ name: String, _ attributes: [Attribute] = [], text content: String) {
        element(name, attributes) { $0.text(content) }
    }

    /// Appends an element without content or end tag (`meta`, `img`) or, in SVG, a
    /// self-closed one (`<rect …/>`).
    mutating func empty(_ name: String, _ attributes: [Attribute] = [], selfClosing: Bool = false) {
        open(name, attributes, closing: selfClosing ? "/>" : ">")
    }

    /// Appends a line break to the markup itself (between blocks, for a readable file).
    mutating func newline() { text += "\n" }

    private mutating func open(_ name: String, _ attributes: [Attribute], closing: String = ">") {
        assert(name.allSatisfy { $0.isLetter || $0.isNumber }, "element names come from code")
        text += "<" + name
        for attribute in attributes {
            guard let value = attribute.value else { continue }
            assert(attribute.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" }, "attribute names come from code")
            text += " \(attribute.name)=\"\(Self.escape(value))\""
        }
        text += closing
    }
}
