import SceneModel

/// Hand-written recursive-descent parser (Pratt for expressions). On an error it records a
/// problem and skips to the next statement boundary, so one run reports many errors.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    private(set) var problems: [ProblemReport] = []
    /// The depth of the syntax tree being built: nested blocks, brackets, unary operators and
    /// binary operators in a chain. Capped so that no script can overflow the stack of the
    /// parser, the checker or the interpreter, which all recurse over the tree.
    private var depth = 0
    static let maximumDepth = 256

    /// Enters one level of the syntax tree; the caller restores `depth` when it returns.
    private mutating func descend(at range: SourceRange) throws {
        depth += 1
        if depth > Self.maximumDepth {
            throw ProblemReport("nested too deeply: more than \(Self.maximumDepth) levels of blocks, brackets or operators", at: range,
                                help: "split the expression with 'let'")
        }
    }

    init(buffer: SourceBuffer, fileIndex: Int) {
        var lexer = Lexer(buffer: buffer, fileIndex: fileIndex)
        tokens = lexer.tokenize()
        problems = lexer.problems
    }

    // MARK: Tokens

    private var current: Token { tokens[index] }
    private func peekKind(_ offset: Int = 1) -> TokenKind { tokens[min(index + offset, tokens.count - 1)].kind }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }
    private func isKeyword(_ k: Keyword) -> Bool { current.kind == .keyword(k) }

    private mutating func skipNewlines() {
        while current.kind == .newline || isSymbol(";") { advance() }
    }

    @discardableResult
    private mutating func expectSymbol(_ s: String, _ context: String) throws -> Token {
        guard isSymbol(s) else {
            throw ProblemReport("expected '\(s)' \(context), found \(current.spelling)", at: current.range)
        }
        return advance()
    }

    /// `expectSymbol` inside the brackets opened by `opening`. Newlines are ignored there, so a
    /// bracket left open swallows the next line: meeting a statement keyword, a `}` or the end of
    /// the file means the bracket was never closed, and that is reported at the bracket.
    private mutating func expectSymbol(_ s: String, _ context: String, inside opening: Token) throws -> Token {
        let isStatementStart: Bool
        switch current.kind {
        case let .keyword(k): isStatementStart = Keyword.statementKeywords.contains(k.rawValue)
        case .end, .symbol("}"): isStatementStart = true
        default: isStatementStart = false
        }
        if !isSymbol(s), isStatementStart, case let .symbol(open) = opening.kind {
            let close = open == "(" ? ")" : "]"
            throw ProblemReport("this '\(open)' is never closed", at: opening.range,
                                help: "add the '\(close)' that closes it",
                                notes: [("expected '\(s)' \(context), found \(current.spelling)", current.range)])
        }
        return try expectSymbol(s, context)
    }

    private mutating func expectIdentifier(_ what: String) throws -> (String, SourceRange) {
        guard case let .identifier(name) = current.kind else {
            if case let .keyword(k) = current.kind {
                throw ProblemReport("expected \(what), found keyword '\(k.rawValue)'", at: current.range)
            }
            throw ProblemReport("expected \(what), found \(current.spelling)", at: current.range)
        }
        return (name, advance().range)
    }

    // MARK: Statements

    /// Parses a whole file.
    mutating func parseFile() -> [Statement] {
        var statements: [Statement] = []
        skipNewlines()
        while current.kind != .end {
            if isSymbol("}") {
                problems.append(ProblemReport("unexpected '}'", at: current.range, help: "remove it, or add the '{' it closes"))
                advance()
            } else if let statement = parseStatementRecovering() {
                statements.append(statement)
            }
            skipNewlines()
        }
        return statements
    }

    private mutating func parseStatementRecovering() -> Statement? {
        let first = index
        do {
            let statement = try parseStatement()
            if !(current.kind == .newline || isSymbol(";") || isSymbol("}") || current.kind == .end) {
                throw ProblemReport("expected end of line or ';' after statement, found \(current.spelling)", at: current.range,
                                    help: colourCommentHelp)
            }
            return statement
        } catch let problem as ProblemReport {
            problems.append(problem)
            if case .color = current.kind { dropProblemsOnRestOfLine(after: current.range) }
            synchronize()
            // A broken `let x = …` still declares `x`, and a broken `template t(…` still
            // declares `t`, so their uses do not each report an unknown name. The program has
            // an error already and never runs.
            guard first + 1 < tokens.count, case let .identifier(name) = tokens[first + 1].kind else { return nil }
            let nameRange = tokens[first + 1].range
            switch tokens[first].kind {
            case .keyword(.let):
                return Statement(kind: .let(name: name, nameRange: nameRange, value: Expr(kind: .int(0), range: nameRange)),
                                 range: tokens[first].range.through(nameRange))
            case .keyword(.template):
                return Statement(kind: .template(TemplateDeclaration(name: name, nameRange: nameRange, parameters: [],
                                                                     body: [], isBroken: true)),
                                 range: tokens[first].range.through(nameRange))
            default:
                return nil
            }
        } catch {
            preconditionFailure("parser threw \(error)")
        }
    }

    /// Help for a colour literal where a statement or its end belongs: most likely a comment
    /// written without a space after `#` (`#decade …`).
    private var colourCommentHelp: String? {
        guard case .color = current.kind else { return nil }
        return "'#' and 6 or 8 hex digits is a colour; to start a comment, put a space after '#'"
    }

    /// Forgets the lexer's complaints about the rest of the line after `range`: after a colour
    /// that was meant to start a comment, that text is prose, and reporting its characters
    /// would bury the one useful error.
    private mutating func dropProblemsOnRestOfLine(after range: SourceRange) {
        let lineEnd = tokens[index...].first { $0.kind == .newline || $0.kind == .end }?.range.start ?? range.end
        problems.removeAll { $0.range.file == range.file && $0.range.start >= range.end && $0.range.start < lineEnd }
    }

    /// Skips to the end of the current statement: a newline or `;` outside braces, or just before
    /// the `}` that closes the enclosing block. A `{ … }` met on the way is skipped whole.
    private mutating func synchronize() {
        var depth = 0
        while current.kind != .end {
            switch current.kind {
            case .newline where depth == 0, .symbol(";") where depth == 0:
                return
            case .symbol("{"):
                depth += 1
            case .symbol("}"):
                if depth == 0 { return }
                depth -= 1
                if depth == 0 { advance(); return }
            default:
                break
            }
            advance()
        }
    }

    private mutating func parseBlock() throws -> [Statement] {
        let saved = depth
        defer { depth = saved }
        try descend(at: current.range)
        if current.kind == .newline, tokens[index...].first(where: { $0.kind != .newline })?.kind == .symbol("{") {
            // A `{` on the next line: report it, then read the block as meant so its body is
            // still checked and nothing cascades.
            problems.append(ProblemReport("expected '{' to open a block, found end of line", at: current.range,
                                          help: "a newline ends the statement; move the '{' up to the end of this line"))
            while current.kind == .newline { advance() }
        }
        let open = try expectSymbol("{", "to open a block")
        var statements: [Statement] = []
        skipNewlines()
        while !isSymbol("}") {
            if current.kind == .end {
                let last = tokens[..<index].last { $0.kind != .newline } ?? current
                throw ProblemReport("this '{' is never closed", at: open.range, help: "add the '}' that closes it",
                                    notes: [("the file ends after this, still inside the block", last.range)])
            }
            if let statement = parseStatementRecovering() { statements.append(statement) }
            skipNewlines()
        }
        advance()
        return statements
    }

    private mutating func parseStatement() throws -> Statement {
        let start = current.range
        func finish(_ kind: Statement.Kind) -> Statement {
            Statement(kind: kind, range: start.through(tokens[max(index - 1, 0)].range))
        }
        switch current.kind {
        case .keyword(.canvas):
            advance()
            let width = try parseExpression()
            guard current.kind == .identifier("x") else {
                throw ProblemReport("expected 'x' between canvas width and height, found \(current.spelling)", at: current.range,
                                    help: "write the size as 'canvas 512 x 512'")
            }
            advance()
            let height = try parseExpression()
            return finish(.canvas(width: width, height: height))
        case .keyword(.classes):
            advance()
            return finish(.classes(try parseClassDeclarations(isThing: true)))
        case .identifier("stuff") where isClassNameStart(peekKind()):
            // `stuff` is a word only here: before a class name at the start of a statement.
            advance()
            return finish(.classes(try parseClassDeclarations(isThing: false)))
        case .identifier("clip") where peekKind(2) == .symbol(":"),
             .identifier("camera") where peekKind(2) == .symbol(":"),
             .identifier("sensor") where peekKind(2) == .symbol(":"):
            // Words only here: before `LABEL:` at the start of a statement, so `clip`,
            // `camera` and `sensor` stay free as variable and template names.
            let keyword = advance()
            let arguments = try parseArguments(endingAtStatementEnd: true)
            let range = keyword.range.through(tokens[max(index - 1, 0)].range)
            guard case let .identifier(name) = keyword.kind else { preconditionFailure("matched an identifier") }
            let call = Call(name: name, nameRange: keyword.range, arguments: arguments, range: range)
            switch name {
            case "clip": return finish(.clip(call))
            case "camera": return finish(.camera(call))
            default: return finish(.sensor(call))
            }
        case .keyword(.background):
            advance()
            return finish(.background(try parseExpression()))
        case .keyword(.light):
            let keyword = advance().range
            let arguments = try parseArguments(endingAtStatementEnd: true)
            let range = keyword.through(tokens[max(index - 1, 0)].range)
            return finish(.light(Call(name: "light", nameRange: keyword, arguments: arguments, range: range)))
        case .keyword(.effect):
            advance()
            guard case .identifier = current.kind, peekKind() == .symbol("(") else {
                if case let .identifier(name) = current.kind, EffectKind(rawValue: name) != nil {
                    throw ProblemReport("expected '(' after the effect '\(name)'", at: current.range,
                                        help: "give its arguments in parentheses, e.g. '\(name)(…)'; see the effect table in docs/LANGUAGE.md")
                }
                throw ProblemReport("expected an effect like 'blur(1.5)' after 'effect', found \(current.spelling)", at: current.range,
                                    help: "effects: " + EffectKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return finish(.effect(try parseCall()))
        case .keyword(.import):
            advance()
            guard case let .string(name) = current.kind else {
                throw ProblemReport("expected a file name in quotes after 'import', found \(current.spelling)", at: current.range)
            }
            let range = advance().range
            return finish(.import(name: name, nameRange: range))
        case .keyword(.let):
            advance()
            let (name, range) = try expectIdentifier("a variable name after 'let'")
            try expectSymbol("=", "after the variable name")
            return finish(.let(name: name, nameRange: range, value: try parseExpression()))
        case .keyword(.repeat):
            advance()
            let count = try parseExpression()
            var indexName: String?, indexRange: SourceRange?
            if isKeyword(.as) {
                advance()
                let (name, range) = try expectIdentifier("a loop index name after 'as'")
                indexName = name
                indexRange = range
            }
            let body = try parseBlock()
            return finish(.repeat(count: count, indexName: indexName, indexRange: indexRange, body: body))
        case .keyword(.if):
            return try parseIf()
        case .keyword(.for):
            advance()
            let (name, range) = try expectIdentifier("a loop variable name after 'for'")
            guard isKeyword(.in) else {
                throw ProblemReport("expected 'in' after the loop variable, found \(current.spelling)", at: current.range,
                                    help: "write 'for \(name) in [a, b, c] { … }'")
            }
            advance()
            let sequence = try parseExpression()
            return finish(.for(name: name, nameRange: range, sequence: sequence, body: try parseBlock()))
        case .keyword(.group):
            advance()
            let transforms = try parseTransforms()
            return finish(.group(transforms, body: try parseBlock()))
        case .keyword(.require):
            advance()
            var probability: Expr?
            if isSymbol("[") {
                let open = advance()
                probability = try parseExpression()
                try expectSymbol("]", "to close the probability of 'require[P]'", inside: open)
            }
            return finish(.require(try parseExpression(), probability: probability))
        case .keyword(.quota):
            return finish(.quota(try parseQuota()))
        case .keyword(.attempts):
            advance()
            return finish(.attempts(try parseExpression()))
        case .keyword(.template):
            advance()
            let (name, nameRange) = try expectIdentifier("a template name")
            try expectSymbol("(", "after the template name")
            var parameters: [Parameter] = []
            while !isSymbol(")") {
                if !parameters.isEmpty {
                    try expectSymbol(",", "between parameters")
                    if isSymbol(")") { break }
                }
                let (parameter, range) = try expectIdentifier("a parameter name")
                var defaultValue: Expr?
                if isSymbol("=") {
                    advance()
                    defaultValue = try parseExpression()
                }
                parameters.append(Parameter(name: parameter, range: range, defaultValue: defaultValue))
            }
            advance()
            let body = try parseBlock()
            return finish(.template(TemplateDeclaration(name: name, nameRange: nameRange, parameters: parameters, body: body)))
        case .keyword(.object):
            advance()
            let objectClass: ObjectClass
            if isSymbol("(") {
                objectClass = .expression(try parsePrimary())
            } else if isKeyword(.unlabeled) {
                advance()
                objectClass = .unlabeled
            } else {
                let (name, range) = try expectClassName("a class name after 'object'")
                objectClass = .name(name, range)
            }
            var handle: (name: String, range: SourceRange)?
            if isKeyword(.as) {
                advance()
                let (name, range) = try expectIdentifier("a name for the instance after 'as'")
                handle = (name, range)
            }
            var attributes: [Argument] = []
            if current.kind == .identifier("with") {
                advance()
                attributes = try parseAttributes()
            }
            let transforms = try parseTransforms()
            let body = try parseBlock()
            return finish(.object(objectClass, transforms, body: body, handle: handle, attributes: attributes))
        case .keyword(.param):
            advance()
            let (name, range) = try expectIdentifier("a parameter name after 'param'")
            try expectSymbol("=", "after the parameter name (a parameter needs a default: 'param \(name) = 1')")
            let value = try parseExpression()
            var allowed: Expr?
            if isKeyword(.in) {
                advance()
                allowed = try parseExpression()
            }
            return finish(.param(name: name, nameRange: range, value: value, allowed: allowed))
        case .keyword(.record):
            advance()
            let (name, range) = try expectIdentifier("a name to record after 'record'")
            var value = Expr(kind: .variable(name), range: range)
            if isSymbol("=") {
                advance()
                value = try parseExpression()
            }
            return finish(.record(name: name, nameRange: range, value: value))
        case let .identifier(name):
            if peekKind() == .symbol("=") {
                let range = advance().range
                advance()
                return finish(.assign(name: name, nameRange: range, value: try parseExpression()))
            }
            if peekKind() == .symbol("(") {
                let call = try parseCall()
                return finish(.draw(call, try parseTransforms()))
            }
            throw ProblemReport("expected a statement, found '\(name)'", at: current.range,
                                help: didYouMean(name, among: Keyword.statementKeywords))
        case .keyword(.else):
            throw ProblemReport("'else' without an 'if' just before it", at: current.range,
                                help: "write 'else' on the line of the '}' that closes the 'if' block: '} else {'")
        default:
            throw ProblemReport("expected a statement, found \(current.spelling)", at: current.range, help: colourCommentHelp)
        }
    }

    /// Whether a token can start a class name: an identifier or a string.
    private func isClassNameStart(_ kind: TokenKind) -> Bool {
        switch kind {
        case .identifier, .string: return true
        default: return false
        }
    }

    /// A class name: an identifier (`car`) or a string (`"traffic light"`, `"猫"`). The
    /// name's own rules (not empty, no control characters) are checked with the declarations.
    private mutating func expectClassName(_ what: String) throws -> (String, SourceRange) {
        if case let .string(name) = current.kind { return (name, advance().range) }
        return try expectIdentifier(what)
    }

    /// `CLASS [: SUPER], …` after `classes` or `stuff`.
    private mutating func parseClassDeclarations(isThing: Bool) throws -> [ClassDeclaration] {
        var declarations: [ClassDeclaration] = []
        repeat {
            if !declarations.isEmpty { advance() }
            let (name, nameRange) = try expectClassName("a class name")
            var supercategory = "object"
            var range = nameRange
            if isSymbol(":") {
                advance()
                if case let .string(s) = current.kind {
                    supercategory = s
                    range = nameRange.through(advance().range)
                } else {
                    let (s, r) = try expectIdentifier("a supercategory name")
                    supercategory = s
                    range = nameRange.through(r)
                }
            }
            declarations.append(ClassDeclaration(name: name, supercategory: supercategory, isThing: isThing,
                                                 nameRange: nameRange, range: range))
        } while isSymbol(",")
        return declarations
    }

    /// `LABEL: EXPR, …` after `with`, up to the transforms or the body.
    private mutating func parseAttributes() throws -> [Argument] {
        var attributes: [Argument] = []
        repeat {
            if !attributes.isEmpty { advance() }
            guard argumentLabel() != nil else {
                throw ProblemReport("expected an attribute like 'speed: 50' after 'with', found \(current.spelling)", at: current.range)
            }
            let label = argumentLabel()!
            let labelRange = advance().range
            advance()
            attributes.append(Argument(label: label, labelRange: labelRange, value: try parseExpression()))
        } while isSymbol(",")
        return attributes
    }

    /// `quota { NAME SHARE: CONDITION … }`, one stratum per line.
    private mutating func parseQuota() throws -> [QuotaStratum] {
        advance()
        guard isSymbol("{") else {
            throw ProblemReport("expected '{' after 'quota', found \(current.spelling)", at: current.range,
                                help: "write one stratum per line: quota { tiny 0.3: CONDITION }")
        }
        advance()
        var strata: [QuotaStratum] = []
        skipNewlines()
        while !isSymbol("}") {
            if current.kind == .end {
                throw ProblemReport("expected '}' to close the quota, found the end of the file", at: current.range)
            }
            let (name, nameRange) = try expectIdentifier("a stratum name")
            let share = try parseExpression()
            try expectSymbol(":", "between the stratum's share and its condition")
            let condition = try parseExpression()
            strata.append(QuotaStratum(name: name, nameRange: nameRange, share: share, condition: condition))
            guard current.kind == .newline || isSymbol(";") || isSymbol("}") else {
                throw ProblemReport("expected the end of the line after a stratum's condition, found \(current.spelling)",
                                    at: current.range)
            }
            skipNewlines()
        }
        advance()
        return strata
    }

    private mutating func parseIf() throws -> Statement {
        let start = advance().range
        let condition = try parseExpression()
        let then = try parseBlock()
        var elseBody: [Statement]?
        if isKeyword(.else) {
            advance()
            if isKeyword(.if) {
                elseBody = [try parseIf()]
            } else {
                elseBody = try parseBlock()
            }
        }
        return Statement(kind: .if(condition: condition, then: then, else: elseBody),
                         range: start.through(tokens[max(index - 1, 0)].range))
    }

    private mutating func parseTransforms() throws -> Transforms {
        var transforms = Transforms()
        while case let .keyword(k) = current.kind, let kind = TransformKind(rawValue: k.rawValue) {
            let keywordToken = advance()
            if transforms.items.contains(where: { $0.kind == kind }) {
                problems.append(ProblemReport("'\(k.rawValue)' is given twice", at: keywordToken.range,
                                              help: "each of 'at', 'rotate', 'scale', 'skew' and 'anchor' may appear once"))
            }
            transforms.items.append((kind, try parseExpression()))
        }
        return transforms
    }

    // MARK: Expressions

    mutating func parseExpression(minimumPrecedence: Int = 1) throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try descend(at: current.range)
        var left = try parseUnary()
        while let op = binaryOperator(), op.precedence >= minimumPrecedence {
            try descend(at: current.range)
            advance()
            let right = try parseExpression(minimumPrecedence: op.precedence + 1)
            left = Expr(kind: .binary(op, left, right), range: left.range.through(right.range))
        }
        return left
    }

    private func binaryOperator() -> BinaryOperator? {
        switch current.kind {
        case let .symbol(s): return BinaryOperator(rawValue: s)
        case .keyword(.and): return .and
        case .keyword(.or): return .or
        default: return nil
        }
    }

    private mutating func parseUnary() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try descend(at: current.range)
        if isSymbol("-") || isKeyword(.not) {
            let token = advance()
            let operand = try parseUnary()
            return Expr(kind: .unary(token.kind == .symbol("-") ? .negate : .not, operand), range: token.range.through(operand.range))
        }
        var expr = try parsePrimary()
        while isSymbol("[") {
            try descend(at: current.range)
            advance()
            let index = try parseExpression()
            let close = try expectSymbol("]", "to close the index")
            expr = Expr(kind: .index(expr, index), range: expr.range.through(close.range))
        }
        return expr
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case let .int(v): advance(); return Expr(kind: .int(v), range: token.range)
        case let .double(v): advance(); return Expr(kind: .double(v), range: token.range)
        case let .string(v): advance(); return Expr(kind: .string(v), range: token.range)
        case let .color(v): advance(); return Expr(kind: .color(v), range: token.range)
        case .keyword(.true): advance(); return Expr(kind: .bool(true), range: token.range)
        case .keyword(.false): advance(); return Expr(kind: .bool(false), range: token.range)
        case let .identifier(name):
            if peekKind() == .symbol("("), let kind = AggregateKind(rawValue: name), isAggregateAhead(kind) {
                return try parseAggregate(kind)
            }
            // `coutn(p in …)`, `mn(x for p in …)`: an aggregate whose name is mistyped.
            if peekKind() == .symbol("("), AggregateKind(rawValue: name) == nil,
               case .identifier = peekKind(2), peekKind(3) == .keyword(.in) || isAggregateAhead(.min) {
                throw ProblemReport("unknown aggregate '\(name)'", at: token.range,
                                    help: didYouMean(name, among: AggregateKind.allCases.map(\.rawValue))
                                        ?? "the aggregates are count(p in SET …), sum, min and max(VALUE for p in SET …)")
            }
            if peekKind() == .symbol("(") {
                let call = try parseCall()
                return Expr(kind: .call(call), range: call.range)
            }
            advance()
            return Expr(kind: .variable(name), range: token.range)
        case .symbol("("):
            advance()
            let first = try parseExpression()
            if isSymbol(",") {
                advance()
                let second = try parseExpression()
                let close = try expectSymbol(")", "to close the point", inside: token)
                return Expr(kind: .point(first, second), range: token.range.through(close.range))
            }
            let close = try expectSymbol(")", "to close the parenthesis", inside: token)
            return Expr(kind: first.kind, range: token.range.through(close.range))
        case .symbol("["):
            advance()
            var elements: [Expr] = []
            while !isSymbol("]") {
                if !elements.isEmpty {
                    try expectSymbol(",", "between list elements", inside: token)
                    if isSymbol("]") { break }
                }
                elements.append(try parseExpression())
            }
            let close = advance()
            return Expr(kind: .list(elements), range: token.range.through(close.range))
        default:
            throw ProblemReport("expected an expression, found \(token.spelling)", at: token.range,
                                help: token.kind == .newline
                                    ? "a newline ends the statement; to go on on the next line, wrap the expression in ( )"
                                    : nil)
        }
    }

    /// Whether the call of `count`, `min`, `max` or `sum` at the current token is an
    /// aggregate: `count(NAME in …` or, for the others, a `for` inside its parentheses.
    private func isAggregateAhead(_ kind: AggregateKind) -> Bool {
        if kind == .count {
            guard case .identifier = peekKind(2) else { return false }
            return peekKind(3) == .keyword(.in)
        }
        var depth = 0
        var i = index + 1
        while i < tokens.count {
            switch tokens[i].kind {
            case .symbol("("), .symbol("["): depth += 1
            case .symbol(")"), .symbol("]"):
                depth -= 1
                if depth == 0 { return false }
            // `in` without `for` is a mistyped aggregate: parse it as one to say so.
            case .keyword(.for) where depth == 1, .keyword(.in) where depth == 1: return true
            case .end, .symbol("{"), .symbol("}"): return false
            default: break
            }
            i += 1
        }
        return false
    }

    /// `count(VAR in SET [where COND])` or `KIND(VALUE for VAR in SET [where COND])`.
    private mutating func parseAggregate(_ kind: AggregateKind) throws -> Expr {
        let nameToken = advance()
        let open = advance()
        var value: Expr?
        if kind != .count {
            value = try parseExpression()
            guard isKeyword(.for) else {
                throw ProblemReport("expected 'for' after the value of '\(kind.rawValue)', found \(current.spelling)", at: current.range,
                                    help: "write '\(kind.rawValue)(bbox_height(s) for s in sign)'")
            }
            advance()
        }
        let (variable, variableRange) = try expectIdentifier("a name for each instance")
        guard isKeyword(.in) else {
            throw ProblemReport("expected 'in' after '\(variable)', found \(current.spelling)", at: current.range,
                                help: "write '\(kind.rawValue)(\(kind == .count ? "" : "… for ")\(variable) in CLASS)'")
        }
        advance()
        let set: InstanceSet
        if isKeyword(.unlabeled) {
            advance()
            set = .unlabeled
        } else if case let .identifier(name) = current.kind, peekKind() == .identifier("where") || peekKind() == .symbol(")") {
            let range = advance().range
            set = name == "all" ? .all : .name(name, range)
        } else {
            set = .expression(try parseExpression())
        }
        var condition: Expr?
        if current.kind == .identifier("where") {
            advance()
            condition = try parseExpression()
        }
        let close = try expectSymbol(")", "to close '\(kind.rawValue)(…)'", inside: open)
        return Expr(kind: .aggregate(Aggregate(kind: kind, kindRange: nameToken.range, variable: variable, variableRange: variableRange,
                                               set: set, condition: condition, value: value)),
                    range: nameToken.range.through(close.range))
    }

    private mutating func parseCall() throws -> Call {
        let nameToken = advance()
        guard case let .identifier(name) = nameToken.kind else { preconditionFailure("call without a name") }
        let openParen = advance()
        let arguments = try parseArguments(endingAtStatementEnd: false, inside: openParen)
        let close = advance()
        return Call(name: name, nameRange: nameToken.range, arguments: arguments, range: nameToken.range.through(close.range))
    }

    /// The label of a labelled argument at the current token: a name followed by `:`. A
    /// keyword may label an argument too (`stripes(…, scale: 8)`), since no expression starts
    /// with a keyword and a colon.
    private func argumentLabel() -> String? {
        guard peekKind() == .symbol(":") else { return nil }
        switch current.kind {
        case let .identifier(label): return label
        case let .keyword(keyword): return keyword.rawValue
        default: return nil
        }
    }

    /// `expr, …, label: expr, …` up to (not including) the `)` of a call, or, for the bare
    /// argument list of a `light` statement, up to the end of the statement.
    /// `opening` is the call's `(`, which an error about a missing `,` points back to.
    private mutating func parseArguments(endingAtStatementEnd: Bool, inside opening: Token? = nil) throws -> [Argument] {
        func isAtEnd() -> Bool {
            endingAtStatementEnd
                ? current.kind == .newline || current.kind == .end || isSymbol(";") || isSymbol("}")
                : isSymbol(")")
        }
        var arguments: [Argument] = []
        while !isAtEnd() {
            if !arguments.isEmpty {
                let comma: Token
                if let opening {
                    comma = try expectSymbol(",", "between arguments", inside: opening)
                } else {
                    comma = try expectSymbol(",", "between arguments")
                }
                if isAtEnd() {
                    // `light a: 1,` then more on the next line: the statement has ended.
                    if endingAtStatementEnd, current.kind == .newline {
                        throw ProblemReport("a 'light' statement ends at the end of its line, after this ','", at: comma.range,
                                            help: "put all of its arguments on one line")
                    }
                    break
                }
            }
            if case let .identifier(label) = current.kind, peekKind() == .symbol("=") {
                throw ProblemReport("an argument is labelled with ':', not '='", at: tokens[index + 1].range,
                                    help: "write '\(label): …'")
            }
            if let label = argumentLabel() {
                let labelRange = advance().range
                advance()
                arguments.append(Argument(label: label, labelRange: labelRange, value: try parseExpression()))
            } else {
                arguments.append(Argument(label: nil, labelRange: nil, value: try parseExpression()))
            }
        }
        return arguments
    }
}
