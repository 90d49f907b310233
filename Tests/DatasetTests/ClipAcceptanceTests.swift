import Dataset
import Foundation
import SceneScript
import Testing

/// The acceptance figures of a clip run count each clip once: every frame carries its clip's
/// sample report, and counting it per frame multiplied the checks by the frames.
@Suite struct ClipAcceptanceTests {
    static let scene = """
    canvas 48 x 32
    classes ball
    clip frames: 5, fps: 10
    let s = uniform(0, 1)
    require s >= 0.3
    object ball at (8 + 6 * time, 16) { circle(4) }
    """

    @Test(arguments: [1, 2, 5])
    func eachClipIsCountedOnce(frames: Int) throws {
        let folder = try temporaryFolder("f\(frames)")
        let program = try compile(Self.scene)
        var options = RenderOptions(count: 3, seed: 4, output: folder, jobs: 2)
        options.clip = ClipSettings(frames: frames, fps: 10)
        let summary = try DatasetRenderer(program: program, options: options).run()
        let acceptance = try #require(summary.acceptance)
        #expect(acceptance.images == 3 * frames)
        #expect(acceptance.samples == 3 && acceptance.acceptedSamples == 3)
        // `require s >= 0.3` runs in each frame of an accepted attempt; a rejected attempt
        // stops at its first frame (s is drawn once per clip attempt).
        let requirement = acceptance.requirements[0]
        let rejected = acceptance.attempts - acceptance.samples
        #expect(requirement.count.checked == acceptance.samples * frames + rejected, "\(requirement.count), \(acceptance.attempts) attempts")
        #expect(requirement.count.held == acceptance.samples * frames)
        #expect(acceptance.acceptanceRate == Double(3) / Double(acceptance.attempts))
    }
}
