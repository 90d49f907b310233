import SceneScript
import Testing

/// What a diagnostic echoes is bounded (issue 18, finding 3: one 1 MB line with 1000 stray
/// control characters gave 1000 errors that each echoed the whole line — 55 s, 3 GB, about
/// 1 GB of output).
@Suite struct DiagnosticsTests {
    private func errors(_ text: String) throws -> ScriptError {
        do {
            _ = try SceneProgram.compile(SourceFile(path: "x.scene", text: text),
                                         resolver: InMemoryImportResolver(files: [], searchPaths: []))
        } catch let error as ScriptError {
            return error
        }
        Issue.record("expected a script error")
        return ScriptError(diagnostics: [])
    }

    @Test func aLongLineIsEchoedAsAWindowAroundTheCaret() throws {
        let location = SourceLocation(path: "x.scene", line: 3, column: 501, length: 3,
                                      lineText: String(repeating: "a", count: 500) + "bcd" + String(repeating: "e", count: 500))
        let rendered = Diagnostic(severity: .error, message: "m", location: location).rendered()
        let a = String(repeating: "a", count: 80), e = String(repeating: "e", count: 80)
        #expect(rendered == "x.scene:3:501: error: m\n…\(a)bcd\(e)…\n" + String(repeating: " ", count: 81) + "^~~")
    }

    @Test func aShortLineIsEchoedWholeWithTabsKeptAndControlsReplaced() throws {
        let location = SourceLocation(path: "x.scene", line: 1, column: 4, length: 1, lineText: "\t\u{1B}[\u{01}x")
        let rendered = Diagnostic(severity: .error, message: "m", location: location).rendered()
        #expect(rendered == "x.scene:1:4: error: m\n\t\u{FFFD}[\u{FFFD}x\n\t  ^")
    }

    @Test func aSpanRunningPastTheWindowGetsAtMostEightyTildes() throws {
        let location = SourceLocation(path: "x.scene", line: 1, column: 1, length: 5000, lineText: String(repeating: "z", count: 5000))
        let lines = Diagnostic(severity: .error, message: "m", location: location).rendered().split(separator: "\n")
        #expect(lines[1] == Substring(String(repeating: "z", count: 160) + "…"))
        #expect(lines[2] == Substring("^" + String(repeating: "~", count: 79)))
    }

    @Test func aLongMessageIsCutInTheMiddle() throws {
        let message = String(repeating: "m", count: 1000) + "END"
        let rendered = Diagnostic(severity: .error, message: message, location: nil).rendered()
        #expect(rendered.count < 300 && rendered.hasSuffix("mEND") && rendered.contains("…"))
    }

    @Test func oneFileReportsAtMostFiftyErrorsThenHowManyMore() throws {
        // 300 stray control characters on one 200 000-character line: 301 errors (each
        // character, then the statement that does not end).
        var line = Array(repeating: Character("a"), count: 200_000)
        for k in 0..<300 { line[k * 601 + 13] = "\u{01}" }
        let error = try errors("classes a\nobject a { circle(5) }\nlet x = " + String(line) + "\n")
        #expect(error.diagnostics.count == ScriptError.errorsPerFile)
        let rendered = error.rendered()
        #expect(rendered.utf8.count < 32 * 1024)
        let headers = rendered.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(headers.count == 50 && headers.allSatisfy { $0.hasPrefix("x.scene:3:") })
        #expect(headers[0] == "x.scene:3:22: error: unexpected character U+0001")
        #expect(rendered.hasSuffix("\nnote: and 251 more errors in x.scene, not shown"))
    }
}
