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
}
