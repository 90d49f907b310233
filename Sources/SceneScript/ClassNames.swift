import SceneModel

/// The rules for the names of classes (`classes …`, `stuff …`): what a name may hold, when two
/// names are the same class, and how many classes a program may declare.
///
/// A name is any text: an identifier (`car`) or a string (`"traffic light"`, `"9 ball"`,
/// `"猫"`), written into the COCO `categories` and `classes.json` exactly as declared (UTF-8).
/// Two names are the same class when they are canonically equivalent Unicode (Swift's `String`
/// equality: `"é"` written as one scalar or as `e` + a combining accent), so a lookup with either
/// spelling finds the class; compatibility forms (full-width letters, ligatures) and case stay
/// distinct.
enum ClassNames {
    /// The most classes a program may declare, things and stuff together: every category id
    /// stays below 65 535, the ignore value of a 16-bit semantic mask.
    static let maximumCount = 65_534
    /// Words that mean something else where a class is named: `count(p in all)`,
    /// `hidden_by(p, "unlabeled")`.
    static let reserved = ["all", "unlabeled"]

    /// The categories declared by `statements` (top level, imports inlined), ids 1, 2, … in
    /// declaration order, things and stuff in one id space; a problem for each declaration
    /// that breaks a rule (it then declares nothing).
    static func categories(of statements: [Statement], problems: inout [ProblemReport]) -> (categories: [Category], ids: [String: Int]) {
        var categories: [Category] = []
        var ids: [String: Int] = [:]
        var ranges: [String: SourceRange] = [:]
        for statement in statements {
            guard case let .classes(declarations) = statement.kind else { continue }
            for declaration in declarations {
                if let problem = problem(with: declaration) {
                    problems.append(problem)
                    continue
                }
                if let first = ranges[declaration.name] {
                    let previous = categories[ids[declaration.name]! - 1].name
                    problems.append(ProblemReport(
                        "class '\(declaration.name)' is declared twice", at: declaration.range,
                        help: previous.unicodeScalars.elementsEqual(declaration.name.unicodeScalars) ? nil
                            : "'\(scalarList(previous))' and '\(scalarList(declaration.name))' are the same text in Unicode (canonically equivalent), so they name one class",
                        notes: [("first declared here", first)]))
                    continue
                }
                guard categories.count < maximumCount else {
                    problems.append(ProblemReport("more than \(maximumCount) classes: every category id must stay below 65535, the semantic mask's ignore value",
                                                  at: declaration.range))
                    continue
                }
                ranges[declaration.name] = declaration.range
                categories.append(Category(id: categories.count + 1, name: declaration.name,
                                           supercategory: declaration.supercategory, isThing: declaration.isThing))
                ids[declaration.name] = categories.count
            }
        }
        return (categories, ids)
    }

    /// What is wrong with a declared name on its own, if anything.
    private static func problem(with declaration: ClassDeclaration) -> ProblemReport? {
        let name = declaration.name, range = declaration.nameRange
        if name.isEmpty {
            return ProblemReport("a class name cannot be empty", at: range, help: "write the name between the quotes")
        }
        if let control = name.unicodeScalars.first(where: isControl) {
            return ProblemReport("the class name \(quoted(name)) holds the control character \(codePoint(control))", at: range,
                                 help: "a class name is one line of visible text; COCO readers print and compare it as such")
        }
        if let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
           first.properties.isWhitespace || last.properties.isWhitespace {
            return ProblemReport("the class name \(quoted(name)) \(first.properties.isWhitespace ? "begins" : "ends") with white space", at: range,
                                 help: "remove it: readers compare class names exactly, so \(quoted(name)) and \(quoted(name.trimmingWhiteSpace)) would be different classes")
        }
        if reserved.contains(name) {
            return name == "all"
                ? ProblemReport("'all' cannot name a class: in an aggregate, 'count(p in all)' means every labeled instance",
                                at: declaration.range, help: "pick another name, e.g. 'all_items'")
                : ProblemReport("'unlabeled' cannot name a class: it means the unlabeled objects ('object unlabeled', 'hidden_by(p, \"unlabeled\")')",
                                at: declaration.range, help: "pick another name")
        }
        return nil
    }

    /// Control characters (Unicode general category Cc: C0, DEL, C1) and the line and
    /// paragraph separators: none of them belongs in a one-line name.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `"…"` with the characters a message cannot show plainly escaped (`\n`, `\u{7}`).
    static func quoted(_ name: String) -> String {
        var text = "\""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case _ where isControl(scalar): text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    /// How a class is written where a script names it: the bare name when it reads as an
    /// identifier, else in quotes.
    static func spelled(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        let isIdentifier = scalars.first.map(Lexer.isIdentifierStart) == true && scalars.allSatisfy(Lexer.isIdentifierContinue)
            && Keyword(rawValue: name) == nil
        return isIdentifier ? name : quoted(name)
    }

    /// `U+000A`.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `U+0065 U+0301`: the scalars of a name, to show two spellings apart.
    static func scalarList(_ name: String) -> String {
        name.unicodeScalars.map(codePoint).joined(separator: " ")
    }
}

private extension String {
    var trimmingWhiteSpace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
