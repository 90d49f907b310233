import Foundation
public import SceneScript

/// How often a program's requirements hold: what `tessera check --samples N` prints, so a
/// user can tune a script in seconds before a long run.
///
/// Samples images `0 ..< samples` exactly as a render would (same generators, same attempts),
/// drawing for each attempt only what its requirements on rendered facts ask — the instance
/// raster and the amodal masks of the instances they name — and never the picture.
public struct AcceptanceEstimate: Sendable {
    /// Images sampled.
    public let samples: Int
    /// Per requirement of the program, in ``SceneProgram/requirements`` order.
    public let checks: [RequirementCount]
    /// Attempts drawn over all images (an image that exhausted its attempts counts them all).
    public let attempts: Int
    /// The most attempts one image took.
    public let maximumAttempts: Int
    /// Indices whose attempts were all rejected.
    public let exhausted: [Int]
    public let requirements: [RequirementInfo]
    /// The program's `attempts` limit.
    public let attemptLimit: Int

    /// Samples images `0 ..< samples` of `program` with `seed` on `jobs` threads.
    /// - Throws: `ScriptError` for a runtime script error; `RenderError` from drawing a raster.
    public init(program: SceneProgram, seed: UInt64, samples: Int, jobs: Int) throws {
        var checks = [RequirementCount](repeating: RequirementCount(), count: program.requirements.count)
        var attempts = 0, maximumAttempts = 0
        var exhausted: [Int] = []
        try ParallelMap.forEachInOrder(0..<samples, jobs: max(1, jobs), window: max(1, jobs) * 8) { index -> (Int, SampleReport, Bool) in
            do {
                return (index, try program.sampleMeasured(seed: seed, index: index).report, true)
            } catch let failure as ExhaustedAttempts {
                return (index, failure.report, false)
            }
        } consume: { (index: Int, report: SampleReport, isAccepted: Bool) in
            for (i, count) in report.checks.enumerated() { checks[i] = checks[i] + count }
            attempts += report.attempts
            maximumAttempts = max(maximumAttempts, report.attempts)
            if !isAccepted { exhausted.append(index) }
        }
        self.samples = samples
        self.checks = checks
        self.attempts = attempts
        self.maximumAttempts = maximumAttempts
        self.exhausted = exhausted
        self.requirements = program.requirements
        self.attemptLimit = program.attemptLimit
    }

    /// The report as text: one line per requirement (location, acceptance rate, held/checked,
    /// what it is), then attempts per image.
    public var text: String {
        var lines = ["\(samples) image\(samples == 1 ? "" : "s") sampled: \(attempts) attempt\(attempts == 1 ? "" : "s"), "
            + "\(formatted(Double(attempts) / Double(max(samples, 1)))) per image on average (most: \(maximumAttempts) of \(attemptLimit))"]
        if requirements.isEmpty {
            lines.append("no requirements: every attempt is accepted")
        }
        for (requirement, count) in zip(requirements, checks) {
            let rate = count.checked == 0 ? "never checked" : percent(Double(count.held) / Double(count.checked))
            let kind: String
            switch requirement.kind {
            case .require: kind = ""
            case let .soft(p): kind = " [enforced with probability \(formatted(p))]"
            case let .quota(stratum, share): kind = " [quota stratum '\(stratum)', \(percent(share)) of images]"
            }
            lines.append("  \(requirement.location): \(rate) (held \(count.held) of \(count.checked))\(requirement.isRendered ? ", rendered" : "")\(kind): \(requirement.text)")
        }
        let accepted = samples - exhausted.count
        lines.append("acceptance per attempt: \(percent(Double(accepted) / Double(max(attempts, 1)))); "
            + "expected attempts per image: \(accepted == 0 ? "more than \(attemptLimit)" : formatted(Double(attempts) / Double(accepted)))")
        if !exhausted.isEmpty {
            lines.append("\(exhausted.count) of \(samples) image(s) exhausted their \(attemptLimit) attempts (a render fails on them unless run with --on-exhausted skip)")
        }
        return lines.joined(separator: "\n")
    }

    private func percent(_ fraction: Double) -> String { formatted(fraction * 100) + " %" }
    private func formatted(_ v: Double) -> String { String(format: "%.3g", v) }
}
