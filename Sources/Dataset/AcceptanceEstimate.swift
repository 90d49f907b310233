import Foundation
import SceneModel
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
        try estimate(program: program, seed: seed, samples: samples, jobs: jobs) { _ in }
    }

    /// ``estimate(program:seed:samples:jobs:)`` that also adds each accepted image's recorded
    /// values to `records`.
    public static func estimate(program: SceneProgram, seed: UInt64, samples: Int, jobs: Int,
                                records: inout RecordedDistribution) throws -> AcceptanceReport {
        var collected = records
        let report = try estimate(program: program, seed: seed, samples: samples, jobs: jobs) { collected.add($0) }
        records = collected
        return report
    }

    /// The estimate; `accepted` gets each accepted image's records, in index order.
    private static func estimate(program: SceneProgram, seed: UInt64, samples: Int, jobs: Int,
                                 accepted: ([RecordedField]) -> Void) throws -> AcceptanceReport {
        var report = AcceptanceReport(requirements: program.requirements.map(Requirement.init))
        try ParallelMap.forEachInOrder(0..<samples, jobs: max(1, jobs), window: max(1, jobs) * 8) { index -> (Int, SampleReport, [RecordedField]?) in
            do {
                let sample = try program.sampleMeasured(seed: seed, index: index)
                return (index, sample.report, sample.scene.records)
            } catch let failure as ExhaustedAttempts {
                return (index, failure.report, nil)
            }
        } consume: { (index: Int, sample: SampleReport, recorded: [RecordedField]?) in
            report.add(index: index, report: sample, isSkipped: recorded == nil)
            if let recorded { accepted(recorded) }
        }
        return report
    }

    /// Attempts an accepted image takes on average (attempts of all images over accepted
    /// images: what a run pays per written image), or `nil` when none was accepted.
    public var expectedAttempts: Double? { images > 0 ? Double(attempts) / Double(images) : nil }
}
