import Testing
import SceneModel
@testable import SceneScript

/// Lists: `for x in list`, `list[i]`, `len(list)`.
struct ListTests {
    private func radii(_ text: String) throws -> [Double] {
        try shapes(text).map {
            guard case let .circle(r) = $0.geometry else { Issue.record("not a circle"); return 0 }
            return r
        }
    }

    @Test func forGoesThroughTheListInOrder() throws {
        #expect(try radii("classes a\nobject a { for r in [3, 1, 2] { circle(r) } }") == [3, 1, 2])
    }

    @Test func theListIsEvaluatedOnceAndTheLoopVariableIsFreshEachTime() throws {
        let r = try radii("""
            classes a
            let sizes = [1, 2]
            object a {
              for s in sizes { let doubled = s * 2; circle(doubled) }
              for p in [(1, 2), (3, 4)] { circle(p[0] + len(sizes)) }
            }
            """)
        #expect(r == [2, 4, 3, 5])
    }

    @Test func listsArgumentsAndParametersTakeATrailingComma() throws {
        let r = try radii("""
            classes a
            template dot(r,
                         grow = 1,) { circle(r + grow,) }
            object a { for s in [1, 2,] { dot(s,) } }
            """)
        #expect(r == [2, 3])
    }

    @Test func indexingAndLength() throws {
        #expect(try radii("classes a\nlet l = [[5, 6], [7]]\nobject a { circle(l[0][1] + len(l[1])) }") == [7])
    }

    @Test func aLoopOverAnEmptyListRunsNothing() throws {
        #expect(try radii("classes a\nobject a { for r in [] { circle(r) } }").isEmpty)
    }

    @Test func plusConcatenatesLists() throws {
        #expect(try radii("classes a\nlet l = []\nrepeat 3 as i { l = l + [i + 1] }\nobject a { for r in l + [7] { circle(r) } }") == [1, 2, 3, 7])
    }

    @Test func growingAListChargesItsCopiesToTheStepLimit() throws {
        let program = try compile("let l = []\nrepeat 100000 { l = l + [1] }")
        #expect {
            try program.sample(seed: 0, index: 0)
        } throws: { error in
            (error as? ScriptError)?.rendered().contains("evaluation steps") == true
        }
    }
}
