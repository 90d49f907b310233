import SceneModel

enum Keyword: String, Sendable, CaseIterable {
    case canvas, classes, background, `import`, `let`, `repeat`, `as`, template, object, unlabeled, group, at, rotate, scale, skew, anchor
    case `if`, `else`, `true`, `false`, and, or, not, require, attempts, quota, param, record, `for`, `in`
    case light, effect

    /// Keywords that begin a statement, offered as did-you-mean suggestions in statement position.
    static let statementKeywords: [String] = [
        "canvas", "classes", "background", "import", "let", "repeat", "template", "object", "if",
        "require", "attempts", "quota", "param", "record", "for", "group", "light", "effect",
    ]
}

enum TokenKind: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case color(Color)
    case identifier(String)
    case keyword(Keyword)
    /// One of `( ) [ ] { } , : ; = + - * / % < <= > >= == !=`.
    case symbol(String)
    case newline
    case end
}

struct Token: Sendable {
    var kind: TokenKind
    var range: SourceRange

    /// How the token reads in an error message.
    var spelling: String {
        switch kind {
        case let .int(v): return "'\(v)'"
        case let .double(v): return "'\(v)'"
        case .string: return "string"
        case .color: return "colour"
        case let .identifier(name):
            // A name is echoed whole up to 40 characters; a longer one by its start.
            return name.unicodeScalars.count <= 40 ? "'\(name)'" : "'\(String(name.unicodeScalars.prefix(40)))…'"
        case let .keyword(k): return "'\(k.rawValue)'"
        case let .symbol(s): return "'\(s)'"
        case .newline: return "end of line"
        case .end: return "end of file"
        }
    }
}

/// Splits a source buffer into tokens. Newlines are tokens (they end statements) except
/// inside `(` `)` and `[` `]`. Lexical errors are collected and lexing continues.
struct Lexer {
    let buffer: SourceBuffer
    let fileIndex: Int
    private var scalars: [Unicode.Scalar] { buffer.scalars }
    private var position = 0
    /// Open brackets: `(`, `[` or `{`; newlines count only when the innermost is `{` or none.
    private var brackets: [Unicode.Scalar] = []
    /// The kind of the last token returned, to tell a CSS-style `#fff` where a value belongs
    /// from a comment.
    private var previousKind: TokenKind?
    var problems: [ProblemReport] = []

    init(buffer: SourceBuffer, fileIndex: Int) {
        self.buffer = buffer
        self.fileIndex = fileIndex
    }

    static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_"
    }

    static func isIdentifierContinue(_ s: Unicode.Scalar) -> Bool {
        isIdentifierStart(s) || isDigit(s)
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s >= "0" && s <= "9" }

    static func hexValue(_ s: Unicode.Scalar) -> Int? {
        switch s {
        case "0"..."9": return Int(s.value - 48)
        case "a"..."f": return Int(s.value - 97 + 10)
        case "A"..."F": return Int(s.value - 65 + 10)
        default: return nil
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private func range(from start: Int) -> SourceRange {
        SourceRange(file: fileIndex, start: start, end: position)
    }

    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while let token = nextToken() {
            // Blank lines end no statement: one newline token stands for a run of them, so
            // a file of empty lines costs no memory per line.
            if case .newline = token.kind, tokens.isEmpty || tokens.last?.kind == .newline { continue }
            tokens.append(token)
            previousKind = token.kind
        }
        tokens.append(Token(kind: .end, range: SourceRange(file: fileIndex, start: scalars.count, end: scalars.count)))
        return tokens
    }

    /// The next token, or nil at the end of the input.
    private mutating func nextToken() -> Token? {
        while let s = peek() {
            let start = position
            switch s {
            case " ", "\t", "\r":
                position += 1
            case "\n":
                position += 1
                if brackets.last == "(" || brackets.last == "[" { continue }
                return Token(kind: .newline, range: range(from: start))
            case "#":
                if let color = colorLiteral() { return Token(kind: .color(color), range: range(from: start)) }
                if let color = shortColorLiteral() { return Token(kind: .color(color), range: range(from: start)) }
                while let c = peek(), c != "\n" { position += 1 }
            case "\"":
                return stringLiteral()
            case _ where Lexer.isDigit(s) || (s == "." && peek(1).map(Lexer.isDigit) == true):
                return numberLiteral()
            case _ where Lexer.isIdentifierStart(s):
                while let c = peek(), Lexer.isIdentifierContinue(c) { position += 1 }
                var name = String.UnicodeScalarView()
                name.append(contentsOf: scalars[start..<position])
                let text = String(name)
                let kind: TokenKind = Keyword(rawValue: text).map { .keyword($0) } ?? .identifier(text)
                return Token(kind: kind, range: range(from: start))
            default:
                return symbol()
            }
        }
        return nil
    }

    /// A CSS shorthand `#rgb` or `#rgba` where a value is expected (after `:`, `,`, `(`, `[`,
    /// `=`, `==`, `!=` or `background`): an error, since elsewhere it would silently start a
    /// comment that swallows the rest of the line; read as the colour it abbreviates so parsing
    /// goes on. Nil (and nothing consumed) anywhere else, where it is a comment.
    private mutating func shortColorLiteral() -> Color? {
        switch previousKind {
        case .symbol(":"), .symbol(","), .symbol("("), .symbol("["), .symbol("="), .symbol("=="), .symbol("!="),
             .keyword(.background):
            break
        default:
            return nil
        }
        var end = position + 1
        while end < scalars.count, Lexer.isIdentifierContinue(scalars[end]) { end += 1 }
        let digits = scalars[(position + 1)..<end].compactMap(Lexer.hexValue)
        guard digits.count == end - position - 1, digits.count == 3 || digits.count == 4 else { return nil }
        let start = position
        position = end
        let written = scalars[(start + 1)..<end].map(Character.init)
        let doubled = written.flatMap { [$0, $0] }
        problems.append(ProblemReport("'#\(String(written))' is not a colour: a colour literal has 6 or 8 hex digits", at: range(from: start),
                                      help: "write '#\(String(doubled))'"))
        func channel(_ i: Int) -> Double { Double(digits[i] * 17) / 255 }
        return Color(red: channel(0), green: channel(1), blue: channel(2), alpha: digits.count == 4 ? channel(3) : 1)
    }

    /// `#rrggbb` or `#rrggbbaa` followed by a non-identifier character; nil (and no
    /// characters consumed) when the `#` starts a comment.
    private mutating func colorLiteral() -> Color? {
        var end = position + 1
        while end < scalars.count, Lexer.isIdentifierContinue(scalars[end]) { end += 1 }
        let digits = scalars[(position + 1)..<end].compactMap(Lexer.hexValue)
        guard digits.count == end - position - 1, digits.count == 6 || digits.count == 8 else { return nil }
        position = end
        func byte(_ i: Int) -> Double { Double(digits[2 * i] * 16 + digits[2 * i + 1]) / 255 }
        return Color(red: byte(0), green: byte(1), blue: byte(2), alpha: digits.count == 8 ? byte(3) : 1)
    }

    private mutating func stringLiteral() -> Token {
        let start = position
        position += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let c = peek(), c != "\n" else {
                problems.append(ProblemReport("unterminated string", at: range(from: start), help: "add a closing '\"'"))
                break
            }
            position += 1
            if c == "\"" { break }
            if c == "\\" {
                let escapeStart = position - 1
                switch peek() {
                case "\""?: value.append("\""); position += 1
                case "\\"?: value.append("\\"); position += 1
                case "n"?: value.append("\n"); position += 1
                default:
                    if peek() != nil && peek() != "\n" { position += 1 }
                    problems.append(ProblemReport(
                        "unknown escape sequence in string", at: range(from: escapeStart),
                        help: "the escapes are \\\", \\\\ and \\n"))
                }
            } else {
                value.append(c)
            }
        }
        return Token(kind: .string(String(value)), range: range(from: start))
    }

    private mutating func numberLiteral() -> Token {
        let start = position
        var isInteger = true
        while let c = peek(), Lexer.isDigit(c) { position += 1 }
        if peek() == ".", peek(1).map(Lexer.isDigit) == true {
            isInteger = false
            position += 1
            while let c = peek(), Lexer.isDigit(c) { position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            var look = 1
            if peek(look) == "+" || peek(look) == "-" { look += 1 }
            if peek(look).map(Lexer.isDigit) == true {
                isInteger = false
                position += look
                while let c = peek(), Lexer.isDigit(c) { position += 1 }
            }
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start..<position])
        let spelling = String(text)
        if isInteger {
            if let value = Int(spelling) { return Token(kind: .int(value), range: range(from: start)) }
            problems.append(ProblemReport("integer literal '\(spelling)' is too large", at: range(from: start)))
            return Token(kind: .int(0), range: range(from: start))
        }
        let value = Double(spelling) ?? 0
        if !value.isFinite {
            problems.append(ProblemReport("number literal '\(spelling)' is too large", at: range(from: start)))
            return Token(kind: .double(0), range: range(from: start))
        }
        return Token(kind: .double(value), range: range(from: start))
    }

    private mutating func symbol() -> Token? {
        let start = position
        let s = peek()!
        position += 1
        let two: [Unicode.Scalar: String] = ["<": "<=", ">": ">=", "=": "==", "!": "!="]
        if let pair = two[s], peek() == "=" {
            position += 1
            return Token(kind: .symbol(pair), range: range(from: start))
        }
        switch s {
        case "(", "[", "{":
            brackets.append(s)
        case ")", "]", "}":
            if !brackets.isEmpty { brackets.removeLast() }
        case ",", ":", ";", "=", "+", "-", "*", "/", "%", "<", ">":
            break
        case "." where peek().map(Lexer.isIdentifierStart) == true:
            // `p.x`: there is no member access; skip the name too so one error is reported.
            while let c = peek(), Lexer.isIdentifierContinue(c) { position += 1 }
            problems.append(ProblemReport("unexpected '.': values have no fields", at: range(from: start),
                                          help: "a Point's x and y are p[0] and p[1]"))
            return nextToken()
        case "." where start > 0 && ("0"..."9").contains(scalars[start - 1]):
            // `1.`: a number needs digits after its point.
            problems.append(ProblemReport("unexpected '.' after a number", at: range(from: start),
                                          help: "a number's '.' needs digits after it: write 1.0, not 1."))
            return nextToken()
        case "!", "&" where peek() == "&", "|" where peek() == "|":
            // C's `!`, `&&`, `||`: report them, and read the keyword they stand for so the
            // expression still parses.
            if s != "!" { position += 1 }
            let keyword: Keyword = s == "!" ? .not : s == "&" ? .and : .or
            let written = s == "!" ? "!" : String(s) + String(s)
            problems.append(ProblemReport("unexpected '\(written)'", at: range(from: start),
                                          help: "write '\(keyword.rawValue)'"))
            return Token(kind: .keyword(keyword), range: range(from: start))
        default:
            // A control or invisible character is named by its code point, not echoed raw.
            let isVisible = s.value > 0x20 && !(0x7F...0xA0).contains(s.value) && !s.properties.isWhitespace
                && s.properties.generalCategory != .format
            let hex = String(s.value, radix: 16, uppercase: true)
            let shown = isVisible ? "'\(s)'" : "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            problems.append(ProblemReport("unexpected character \(shown)", at: range(from: start)))
            return nextToken()
        }
        return Token(kind: .symbol(String(s)), range: range(from: start))
    }
}
