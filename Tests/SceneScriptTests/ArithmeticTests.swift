import Testing
import SceneModel
@testable import SceneScript

/// Defined behaviour at the edges of arithmetic, as docs/LANGUAGE.md states it.
struct ArithmeticTests {
    /// The value of `expr`, through a circle's radius (so it must be ≥ 0).
    private func value(_ expr: String) throws -> Double {
        guard case let .circle(r) = try shapes("classes a\nobject a { circle(\(expr)) }")[0].geometry else {
            Issue.record("not a circle"); return .nan
        }
        return r
    }

    @Test func remainderTakesTheSignOfTheDividend() throws {
        #expect(try value("10 + -7 % 3") == 9)         // −7 % 3 = −1
        #expect(try value("10 + 7 % -3") == 11)        // 7 % −3 = 1
        #expect(try value("10 + -7.5 % 2") == 8.5)     // −7.5 % 2 = −1.5
    }

    @Test func absKeepsIntsAndRefusesIntMin() throws {
        #expect(try value("abs(-3) * 2") == 6)
        #expect(throws: ScriptError.self) { try compile("let m = -9223372036854775807 - 1\nlet a = abs(m)").sample(seed: 0, index: 0) }
    }

    @Test func roundingAcceptsUpToNineQuadrillion() throws {
        #expect(try value("10 + round(-9e15) + 9e15") == 10)
        #expect(throws: ScriptError.self) { try compile("let r = floor(9.5e15)").sample(seed: 0, index: 0) }
    }

    @Test func aNumberLiteralTooLargeForADoubleIsACompileError() {
        #expect(throws: ScriptError.self) { try compile("let x = 1e400") }
    }
}

/// The frame time of the evaluation context, 0 for still images.
struct FrameTimeTests {
    @Test func timeIsZeroForStillImagesAndVisibleInTemplates() throws {
        let result = try shapes("classes a\ntemplate t() { circle(1) at (time, 0) }\nobject a at (10 + 5 * time, 0) { t() }")
        #expect(result[0].transform.tx == 10)
    }

    @Test func theInterpreterCarriesAFrameTime() throws {
        let program = try compile("classes a\nobject a at (40 + 30 * time, 0) { circle(1) }")
        var interpreter = Interpreter(script: program.script, root: SceneRandomGenerator.root(seed: 0, index: 0), time: 2)
        try interpreter.run()
        #expect(interpreter.instances[0].shapes[0].transform.tx == 100)
    }
}
