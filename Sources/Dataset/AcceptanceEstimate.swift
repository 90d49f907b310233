import Foundation
public import SceneScript

extension AcceptanceReport {
    /// How often a program's requirements hold: what `tessera check --samples N` prints, so a
    /// user can tune a script in seconds before a long run.
    ///
    /// Samples images `0 ..< samples` exactly as a render would (same generators, same
    /// attempts), drawing for each attempt only what its requirements on rendered facts ask —
    /// the instance raster and the amodal masks of the instances they name — and never the
    /// picture. Images whose attempts are all rejected count as skipped.
    /// - Throws: `ScriptError` for a runtime script error; `RenderError` from drawing a raster.
    public static func estimate(program: SceneProgram, seed: UInt64, samples: Int, jobs: Int) throws -> AcceptanceReport {
        var report = AcceptanceReport(requirements: program.requirements.map(Requirement.init))
        try ParallelMap.forEachInOrder(0..<samples, jobs: max(1, jobs), window: max(1, jobs) * 8) { index -> (Int, SampleReport, Bool) in
            do {
                return (index, try program.sampleMeasured(seed: seed, index: index).report, false)
            } catch let failure as ExhaustedAttempts {
                return (index, failure.report, true)
            }
        } consume: { (index: Int, sample: SampleReport, isSkipped: Bool) in
            report.add(index: index, report: sample, isSkipped: isSkipped)
        }
        return report
    }

    /// Attempts an accepted image takes on average (attempts of all images over accepted
    /// images: what a run pays per written image), or `nil` when none was accepted.
    public var expectedAttempts: Double? { images > 0 ? Double(attempts) / Double(images) : nil }
}
