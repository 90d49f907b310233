import Testing
import SceneModel
@testable import SceneScript

/// `require`: rejection and resampling, deterministic per (seed, index).
struct RequireTests {
    /// The radius of the single circle of each image.
    private func radii(_ text: String, seed: UInt64 = 1, count: Int = 50) throws -> [Double] {
        let program = try compile(text)
        return try (0..<count).map { index in
            guard case let .circle(r) = try program.sample(seed: seed, index: index).instances[0].shapes[0].geometry else {
                Issue.record("not a circle"); return 0
            }
            return r
        }
    }

    @Test func everyAcceptedSampleMeetsItsRequirement() throws {
        let r = try radii("classes a\nlet r = randint(1, 10)\nrequire r >= 9\nobject a { circle(r) }")
        #expect(r.allSatisfy { $0 >= 9 })
        #expect(Set(r) == [9, 10], "both accepted values occur over 50 images")
    }

    @Test func aSampleAcceptedAtOnceIsTheSampleWithoutTheRequirement() throws {
        let plain = try radii("classes a\nlet r = uniform(1, 10)\nobject a { circle(r) }")
        let constrained = try radii("classes a\nlet r = uniform(1, 10)\nrequire r >= 0\nobject a { circle(r) }")
        #expect(plain == constrained)
    }

    @Test func aRejectedSampleIsRedrawnFromTheNextAttemptsGenerator() throws {
        let text = "classes a\nlet r = uniform(1, 10)\nrequire r > 9.5\nobject a { circle(r) }"
        let program = try compile(text)
        let scene = try program.sample(seed: 3, index: 4)
        guard case let .circle(r) = scene.instances[0].shapes[0].geometry else { Issue.record("not a circle"); return }
        var attempt = 0
        while true {
            var rng = try StreamProbe(text, seed: 3, index: 4, attempt: attempt).generator("uniform(1, 10)")
            let drawn = Distributions.uniform(1, 10, using: &rng)
            if drawn > 9.5 { #expect(drawn == r); break }
            attempt += 1
        }
        #expect(attempt > 0, "seed 3, index 4 is rejected at least once")
        #expect(try program.sample(seed: 3, index: 4) == scene)
    }

    @Test func requirementsInsideLoopsAndObjectsRejectTheWholeSample() throws {
        let program = try compile("""
            classes a
            repeat 3 {
              object a { let r = randint(1, 4); require r != 1; circle(r) }
            }
            """)
        for index in 0..<20 {
            let scene = try program.sample(seed: 9, index: index)
            #expect(scene.instances.count == 3, "instances of rejected attempts are discarded")
        }
    }

    @Test func theStepLimitCountsEveryAttempt() throws {
        let program = try compile("attempts 10000\nclasses a\nrepeat 100000 { let x = 1 }\nrequire false")
        #expect {
            try program.sample(seed: 0, index: 0)
        } throws: { error in
            (error as? ScriptError)?.rendered().contains("evaluation steps") == true
        }
    }
}
