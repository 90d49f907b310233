import Foundation
import Testing
import SceneModel
import SceneScript
@testable import Dataset

/// The one-factor guarantees of docs/LANGUAGE.md, *Streams*, as byte comparisons of the
/// instance masks (and of sampled scenes) between two versions of a script, same seed.
struct OneFactorTests {
    private static let base = """
        canvas 128 x 128
        classes disc, plate
        background #203040
        let tint = uniform(0, 360)
        light direction: uniform(0, 360), elevation: uniform(20, 70), intensity: 0.9, ambient: 0.4
        repeat randint(3, 6) {
          object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(6, 20), fill: hsv(tint, 0.8, 0.9)) }
          object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(8, 30), uniform(8, 30)) }
        }
        effect noise(uniform(0.01, 0.05))
        """

    /// The instance-mask PNG bytes of images 0 ..< count of `script`.
    private func masks(_ script: String, count: Int = 6) throws -> [Data] {
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: try compile(script), options: RenderOptions(count: count, seed: 5, output: folder, jobs: 2)).run()
        return try (0..<count).map { try Data(contentsOf: folder.appendingPathComponent(String(format: "masks/instance_ids/%06d.png", $0))) }
    }

    private func scenes(_ script: String, count: Int = 6) throws -> [Scene] {
        let program = try compile(script)
        return try (0..<count).map { try program.sample(seed: 5, index: $0) }
    }

    private func replacing(_ old: String, _ new: String) -> String {
        precondition(Self.base.contains(old))
        return Self.base.replacingOccurrences(of: old, with: new)
    }

    @Test func changingTheLightOrAnEffectLeavesEveryMask() throws {
        let base = try masks(Self.base)
        #expect(try masks(replacing("light direction: uniform(0, 360), elevation: uniform(20, 70)", "light direction: 30, elevation: normal(45, 5)")) == base)
        #expect(try masks(replacing("effect noise(uniform(0.01, 0.05))", "effect blur(1)")) == base)
    }

    @Test func replacingOneDistributionByAConstantMovesOnlyWhatDependsOnIt() throws {
        let base = try scenes(Self.base)
        let fixedX = try scenes(replacing("object disc at (uniform(0, width), uniform(0, height))", "object disc at (40, uniform(0, height))"))
        for (a, b) in zip(base, fixedX) {
            #expect(a.instances.count == b.instances.count)
            for (p, q) in zip(a.instances, b.instances) {
                if p.categoryID == 1 {
                    // Only the disc's x changed: its y, radius and colour are the same draws.
                    #expect(p.shapes[0].transform.ty == q.shapes[0].transform.ty && p.shapes[0].geometry == q.shapes[0].geometry)
                    #expect(q.shapes[0].transform.tx == 40)
                } else {
                    #expect(p == q)
                }
            }
        }
        // The tint is a draw of its own: fixing it changes colours, never masks.
        #expect(try masks(replacing("let tint = uniform(0, 360)", "let tint = 120")) == masks(Self.base))
    }

    @Test func addingStatementsOfOtherSlotsMovesNothing() throws {
        let base = try masks(Self.base)
        let added = replacing("background #203040", "background #203040\nlet unused = uniform(0, 1)\nrecord unused\nlight direction: 10")
        #expect(try masks(added) == base)
    }

    @Test func anObjectAddedAtTheEndLeavesTheOthersAsTheyWere() throws {
        let base = try scenes(Self.base)
        let more = try scenes(Self.base + "\nobject plate at (uniform(0, width), uniform(0, height)) { circle(3) }")
        for (a, b) in zip(base, more) {
            #expect(Array(b.instances.prefix(a.instances.count)) == a.instances)
            #expect(b.instances.count == a.instances.count + 1)
        }
    }

    @Test func changingARepeatCountKeepsTheSurvivingIterations() throws {
        let five = try scenes(replacing("repeat randint(3, 6)", "repeat 5"))
        let eight = try scenes(replacing("repeat randint(3, 6)", "repeat 8"))
        for (a, b) in zip(five, eight) {
            #expect(a.instances.count == 10 && b.instances.count == 16)
            #expect(Array(b.instances.prefix(10)) == a.instances)
        }
    }

    @Test func aParameterSweepOfStreetLeavesEveryMask() throws {
        let path = packageRoot.appendingPathComponent("scenes/street.scene").path
        let templates = [packageRoot.appendingPathComponent("templates").path]
        var previous: [Data]?
        for hour in ["7", "12", "19.5", "22"] {
            let program = try SceneLoader.compile(path: path, templateFolders: templates,
                                                  overrides: [ParameterOverride(name: "hour_of_day", text: hour, origin: "test")])
            let folder = try temporaryFolder("street\(hour)")
            _ = try DatasetRenderer(program: program, options: RenderOptions(count: 3, seed: 2, output: folder, jobs: 2)).run()
            let masks = try (0..<3).map { try Data(contentsOf: folder.appendingPathComponent(String(format: "masks/instance_ids/%06d.png", $0))) }
            if let previous { #expect(masks == previous, "hour \(hour)") }
            previous = masks
        }
    }
}
