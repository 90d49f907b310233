/// Where a diagnostic points: a 1-based line and column (counted in Unicode scalars) in a file,
/// the length of the span on that line, and the text of that line.
public struct SourceLocation: Sendable, Hashable {
    public var path: String
    public var line: Int
    public var column: Int
    public var length: Int
    /// The whole source line, verbatim, without its line break.
    public var lineText: String

    public init(path: String, line: Int, column: Int, length: Int, lineText: String) {
        self.path = path; self.line = line; self.column = column; self.length = length; self.lineText = lineText
    }
}

/// One message about a script: an error, a warning, or a note attached to another diagnostic.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable {
        case error, warning, note
    }

    public var severity: Severity
    public var message: String
    /// Nil for messages about no particular place (e.g. `while sampling image 3 with seed 7`).
    public var location: SourceLocation?
    /// A likely fix, rendered as a `help:` line.
    public var help: String?
    public var notes: [Diagnostic]

    public init(severity: Severity, message: String, location: SourceLocation?, help: String? = nil, notes: [Diagnostic] = []) {
        self.severity = severity; self.message = message; self.location = location; self.help = help; self.notes = notes
    }

    /// `PATH:LINE:COL: error: MESSAGE`, the source line, a caret line under the span, then
    /// the `help:` line and the notes, joined with `\n` (no trailing newline).
    ///
    /// What is echoed is bounded, so that one hostile line cannot flood the output: a source
    /// line longer than `2 × echoRadius` characters is shown as a window of `echoRadius`
    /// characters either side of the caret, with `…` where it was cut; the caret's `~`s cover
    /// at most `echoRadius` characters of the span; a message longer than `messageLimit`
    /// characters is cut in the middle with `…`. Control characters other than tab are echoed
    /// as `�` (one column, so the caret still lines up), never sent to the terminal raw.
    public func rendered() -> String {
        var lines: [String] = []
        if let location {
            lines.append("\(location.path):\(location.line):\(location.column): \(severity.rawValue): \(Self.bounded(message))")
            let echo = Self.echo(location)
            lines.append(echo.line)
            lines.append(echo.caret)
        } else {
            lines.append("\(severity.rawValue): \(Self.bounded(message))")
        }
        if let help { lines.append("help: \(Self.bounded(help))") }
        for note in notes { lines.append(note.rendered()) }
        return lines.joined(separator: "\n")
    }

    /// Characters of the source line shown either side of the caret.
    public static let echoRadius = 80
    /// Characters of a message (or `help:`) shown in full.
    public static let messageLimit = 240

    /// The source line (or the window of it around the caret) and the caret line under it.
    static func echo(_ location: SourceLocation) -> (line: String, caret: String) {
        let scalars = Array(location.lineText.unicodeScalars)
        let column = min(max(location.column - 1, 0), scalars.count)
        let span = min(max(location.length, 1), echoRadius)
        let (start, end): (Int, Int)
        if scalars.count <= 2 * echoRadius {
            (start, end) = (0, scalars.count)
        } else {
            (start, end) = (max(0, column - echoRadius), min(scalars.count, column + span + echoRadius))
        }
        var line = String.UnicodeScalarView(), caret = String.UnicodeScalarView()
        if start > 0 {
            line.append("…")
            caret.append(" ")
        }
        for (i, scalar) in scalars[start..<end].enumerated() {
            let isControl = scalar != "\t" && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value))
            line.append(isControl ? "\u{FFFD}" : scalar)
            if start + i < column { caret.append(scalar == "\t" ? "\t" : " ") }
        }
        if end < scalars.count { line.append("…") }
        return (String(line), String(caret) + "^" + String(repeating: "~", count: span - 1))
    }

    /// `text`, or its first and last characters around `…` when it is longer than
    /// ``messageLimit``.
    static func bounded(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > messageLimit else { return text }
        var cut = String.UnicodeScalarView(scalars.prefix(messageLimit - 60))
        cut.append("…")
        cut.append(contentsOf: scalars.suffix(59))
        return String(cut)
    }
}

/// A script failed to compile or to sample; carries every diagnostic found.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// All diagnostics rendered, joined with `\n`.
    public func rendered() -> String {
        diagnostics.map { $0.rendered() }.joined(separator: "\n")
    }

    /// Errors reported per file; past it a file's remaining errors are summed up in one note.
    public static let errorsPerFile = 50

    public var description: String { rendered() }
}

/// Edit distance over Unicode scalars: insertions, deletions, substitutions and swaps of two
/// neighbours each count one (optimal string alignment), so the typo `widht` is one edit from
/// `width`.
/// - Complexity: O(*m*·*n*).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], beforePrevious[j - 2] + 1)
            }
        }
        (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
}

/// The closest of `candidates` to `name` when its edit distance is at most
/// max(1, len(name)/3); ties go to the alphabetically first, so the answer never depends on
/// the order of the candidates.
public func closestName(to name: String, among candidates: [String]) -> String? {
    let limit = max(1, name.unicodeScalars.count / 3)
    var best: (distance: Int, name: String)?
    for candidate in candidates where candidate != name {
        let d = editDistance(name, candidate)
        guard d <= limit else { continue }
        if best == nil || d < best!.distance || (d == best!.distance && candidate < best!.name) {
            best = (d, candidate)
        }
    }
    return best?.name
}

func didYouMean(_ name: String, among candidates: [String]) -> String? {
    closestName(to: name, among: candidates).map { "did you mean '\($0)'?" }
}

/// An error found while lexing, parsing, checking or running, before it is turned into a
/// rendered ``Diagnostic`` (which needs the source buffers and the import chain).
struct ProblemReport: Error, Sendable {
    var message: String
    var range: SourceRange
    var help: String?
    /// Other places that explain the problem, rendered as located notes after it.
    var notes: [(message: String, range: SourceRange)]

    init(_ message: String, at range: SourceRange, help: String? = nil, notes: [(message: String, range: SourceRange)] = []) {
        self.message = message; self.range = range; self.help = help; self.notes = notes
    }
}
