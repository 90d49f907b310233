import Testing
import SceneModel
@testable import SceneScript

/// Facts made up by the test from the scene alone: instance k shows `10 · k` pixels unless
/// it is a circle of radius 1 (then none), is hidden entirely by instance k + 1 when that
/// one exists, and shares `k + j` pixels of edge with instance j. Counts how often it is asked.
final class FakeFacts: RenderedFacts {
    let scene: Scene
    nonisolated(unsafe) static var measured = 0
    init(_ scene: Scene) { self.scene = scene; FakeFacts.measured += 1 }

    private func isEmpty(_ id: Int) -> Bool {
        if case .circle(1) = scene.instances[id - 1].shapes.first?.geometry { return true }
        return false
    }
    func visiblePixels(of id: Int) -> Int { isEmpty(id) ? 0 : 10 * id }
    func visibleBox(of id: Int) -> VisibleBox? { isEmpty(id) ? nil : VisibleBox(x: id, y: 2 * id, width: 3 * id, height: 4 * id) }
    func occlusion(of id: Int) -> OcclusionFacts {
        let hidden = id < scene.instances.count ? 5 : 0
        return OcclusionFacts(amodalArea: visiblePixels(of: id) + hidden, visibleFraction: 0.5, inFrameFraction: 0.75,
                              hiddenBy: hidden > 0 ? [(instance: id + 1, pixels: hidden)] : [])
    }
    func sharedEdge(between a: Int, and b: Int) -> Int { a + b }
}

struct RenderedRequirementTests {
    private func sample(_ text: String, index: Int = 0) throws -> Sample {
        try compile(text).sample(seed: 1, index: index) { FakeFacts($0) }
    }

    /// The value of `EXPR` as a requirement sees it: the index of the one true `EXPR == k`.
    private func value(_ expr: String, scene: String) throws -> Int? {
        for k in 0...200 {
            let text = scene + "\nattempts 1\nrequire (\(expr)) == \(k)"
            do { _ = try sample(text); return k } catch is ExhaustedAttempts { continue }
        }
        return nil
    }

    private let threeObjects = """
        classes a, b
        object a as first { circle(5) }
        object b as second { circle(5) }
        object unlabeled as third { circle(5) }
        """

    @Test func factFunctionsAskAboutTheNamedInstance() throws {
        #expect(try value("visible_pixels(second)", scene: threeObjects) == 20)
        #expect(try value("bbox_x(second) + bbox_y(second) + bbox_width(second) + bbox_height(second)", scene: threeObjects) == 20)
        #expect(try value("amodal_area(first)", scene: threeObjects) == 15)
        #expect(try value("hidden_pixels(first)", scene: threeObjects) == 5)
        #expect(try value("hidden_by(first, second)", scene: threeObjects) == 5)
        #expect(try value("hidden_by(first, \"b\")", scene: threeObjects) == 5)
        #expect(try value("hidden_by(first, \"a\")", scene: threeObjects) == 0)
        #expect(try value("hidden_by(second, \"unlabeled\")", scene: threeObjects) == 5)
        #expect(try value("hidden_by(second, [first, third])", scene: threeObjects) == 5)
        #expect(try value("round(100 * visible_fraction(first) + in_frame_fraction(first) * 4)", scene: threeObjects) == 53)
        #expect(try value("shared_edge(first, \"b\")", scene: threeObjects) == 3)
        #expect(try value("shared_edge(first, [second, third])", scene: threeObjects) == 7)
        #expect(try value("count(p in [first, third] where class_name(p) == \"unlabeled\")", scene: threeObjects) == 1)
        #expect(try value("count(p in [first, second] where class_name(p) == \"b\")", scene: threeObjects) == 1)
    }

    @Test func aggregatesGoThroughTheirSetInDrawingOrder() throws {
        #expect(try value("count(p in all)", scene: threeObjects) == 2)
        #expect(try value("count(p in unlabeled)", scene: threeObjects) == 1)
        #expect(try value("count(p in a where visible_pixels(p) > 5)", scene: threeObjects) == 1)
        #expect(try value("sum(visible_pixels(p) for p in all)", scene: threeObjects) == 30)
        #expect(try value("max(visible_pixels(p) for p in all where p != second)", scene: threeObjects) == 10)
        #expect(try value("min(visible_pixels(p) for p in [third, second])", scene: threeObjects) == 20)
        // Nothing to measure: min is +infinity, max −infinity, count and sum 0.
        let none = "classes a, b\nobject a { circle(5) }"
        #expect(try value("count(p in b)", scene: none) == 0)
        #expect(try value("sum(visible_pixels(p) for p in b)", scene: none) == 0)
        _ = try sample(none + "\nrequire min(bbox_height(p) for p in b) > 1000000 and max(bbox_height(p) for p in b) < -1000000")
    }

    @Test func aRepeatedHandleNamesEachIterationsInstance() throws {
        // Each iteration's `p` is checked in the scopes of its own iteration.
        let text = "classes a\nrepeat 3 { object a as p { circle(5) }\n require visible_pixels(p) <= 20 }\nattempts 1"
        let error = try #require(throws: ExhaustedAttempts.self) { try sample(text) }
        #expect(error.report.checks == [RequirementCount(checked: 3, held: 2)])
    }

    @Test func renderedRequirementsAreCheckedAfterTheScriptInTheOrderMet() throws {
        let program = try compile("""
            classes a
            let r = randint(1, 2)
            object a as p { circle(r) }
            require visible_pixels(p) > 0
            require r < 5
            """)
        #expect(program.requirements.map(\.isRendered) == [true, false])
        FakeFacts.measured = 0
        for index in 0..<20 {
            let sample = try program.sample(seed: 2, index: index) { FakeFacts($0) }
            guard case let .circle(r) = sample.scene.instances[0].shapes[0].geometry else { Issue.record("not a circle"); return }
            #expect(r == 2, "radius 1 shows nothing and is rejected")
            #expect(sample.facts != nil)
            #expect(sample.report.attempts == sample.report.checks[0].checked)
            #expect(sample.report.checks[1].checked == sample.report.attempts, "the sampled requirement runs every attempt")
        }
        #expect(FakeFacts.measured > 20, "each attempt is measured once")
    }

    @Test func aScriptWithoutRenderedRequirementsIsNeverMeasured() throws {
        let sample = try compile("classes a\nobject a { circle(3) }\nrequire true").sample(seed: 0, index: 0) { _ in
            Issue.record("measured"); return FakeFacts(Scene(width: 1, height: 1, categories: [], background: .solid(.black), instances: []))
        }
        #expect(sample.facts == nil)
    }

    @Test func softRequirementIsEnforcedWithItsProbabilityFromTheImagesGenerator() throws {
        let never = try compile("classes a\nrequire[0] false\nobject a { circle(3) }")
        for index in 0..<20 { _ = try never.sample(seed: 0, index: index) }
        let always = try compile("classes a\nattempts 1\nrequire[1] false\nobject a { circle(3) }")
        #expect(throws: ScriptError.self) { try always.sample(seed: 0, index: 0) }
        // With p = 0.5 about half the images check it: those fail with one attempt.
        let half = try compile("classes a\nattempts 1\nrequire[0.5] false\nobject a { circle(3) }")
        var failed: [Int] = []
        for index in 0..<400 where (try? half.sample(seed: 5, index: index)) == nil { failed.append(index) }
        #expect((160...240).contains(failed.count))
        // The same images every time: the draw is the image's own.
        var again: [Int] = []
        for index in 0..<400 where (try? half.sample(seed: 5, index: index)) == nil { again.append(index) }
        #expect(failed == again)
        // The probability draw is made whatever p is, so p never shifts later draws.
        let drawAfter = { (p: String) in
            try compile("classes a\nrequire[\(p)] true\nobject a { circle(uniform(1, 9)) }").sample(seed: 4, index: 7).instances[0].shapes
        }
        #expect(try drawAfter("0.1") == drawAfter("0.9"))
    }

    @Test func imageIndexIsReadable() throws {
        let program = try compile("classes a\nobject a { circle(image_index + 1) }")
        for index in [0, 5, 1234] {
            guard case let .circle(r) = try program.sample(seed: 0, index: index).instances[0].shapes[0].geometry else { return }
            #expect(r == Double(index + 1))
        }
    }

    @Test func quotaStrataAreExactOverEveryPrefix() throws {
        for shares in [[0.3, 0.7], [0.5, 0.5], [0.1, 0.2, 0.3, 0.4], [1.0 / 3, 1.0 / 3, 1.0 / 3], [0.01, 0.99], [0.05, 0.15, 0.8], [1.0]] {
            let schedule = QuotaSchedule(names: shares.indices.map { "s\($0)" }, shares: shares)
            var counts = [Int](repeating: 0, count: shares.count)
            for n in 1...5000 {
                counts[schedule.stratum(of: n - 1)] += 1
                for k in shares.indices {
                    #expect(abs(Double(counts[k]) - shares[k] * Double(n)) <= 1, "stratum \(k) of \(shares) after \(n) images")
                }
            }
        }
    }

    @Test func quotaStratumOfAnIndexIsTheSameWhateverWasAskedBefore() throws {
        let shares = [0.23, 0.41, 0.36]
        let inOrder = QuotaSchedule(names: ["a", "b", "c"], shares: shares)
        let ordered = (0..<5000).map { inOrder.stratum(of: $0) }
        let backwards = QuotaSchedule(names: ["a", "b", "c"], shares: shares)
        #expect((0..<5000).reversed().map { backwards.stratum(of: $0) }.reversed() == ordered)
        // Any slice of the indices (a shard) over 1000 images holds the share to within one image of every prefix.
        let program = try compile("classes a\nobject a { circle(3) }\nquota {\n tiny 0.3: stratum == \"tiny\"\n none 0.7: stratum == \"none\"\n}")
        #expect(program.strata == ["tiny", "none"])
        let strata = try (0..<1000).map { try program.sample(seed: 0, index: $0) { FakeFacts($0) }.report.stratum }
        #expect(strata.filter { $0 == "tiny" }.count == 300)
        for (start, end) in [(0, 333), (333, 700), (700, 1000)] {
            let tiny = strata[start..<end].filter { $0 == "tiny" }.count
            #expect(abs(Double(tiny) - 0.3 * Double(end - start)) <= 2)
        }
    }

    @Test func aQuotaEnforcesTheConditionOfTheImagesStratum() throws {
        let program = try compile("""
            classes a
            attempts 200
            object a as p { circle(randint(1, 2)) }
            quota {
              hidden 0.25: visible_pixels(p) == 0
              shown 0.75: visible_pixels(p) > 0
            }
            """)
        for index in 0..<40 {
            let sample = try program.sample(seed: 9, index: index) { FakeFacts($0) }
            guard case let .circle(r) = sample.scene.instances[0].shapes[0].geometry else { return }
            #expect((r == 1) == (sample.report.stratum == "hidden"))
        }
    }
}
