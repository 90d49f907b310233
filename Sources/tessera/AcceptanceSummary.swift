import Dataset
import Foundation
import SceneScript

/// The short acceptance report printed after a run of a scene with requirements: the
/// overall rate, attempts per image, each requirement's rate, the strata and the images
/// left out (the full numbers are in `manifest.json`'s `acceptance`).
enum AcceptanceSummary {
    /// At most this many left-out images are named; the rest are counted.
    static let namedSkippedImages = 5

    /// - Parameter unit: what one sample is: "image", or "clip" for a clip scene (all of whose
    ///   frames are one sample).
    /// - Parameter focus: the run's focus file (`--focus`, named `focusPath`): its achieved
    ///   distribution follows, each bin against the share the file expects.
    static func text(_ report: AcceptanceReport, unit: String = "image", focus: FocusFile? = nil, focusPath: String? = nil) -> String {
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
        var lines = [
            "acceptance: \(report.acceptedSamples) of \(report.samples) \(unit)s accepted in \(report.attempts) attempts ("
                + percent(report.acceptanceRate) + "); attempts per \(unit): mean "
                + (report.meanAttempts.map { String(format: "%.2f", $0) } ?? "n/a") + ", max \(report.maximumAttempts)",
        ]
        for requirement in report.requirements {
            let kind: String
            switch requirement.kind {
            case .require: kind = "require"
            case let .soft(probability): kind = "require[\(probability.map { "\($0)" } ?? "P")]"
            case let .quota(stratum, share): kind = "quota \(stratum) \(share)"
            }
            lines.append("  \(requirement.location): \(kind)\(requirement.isRendered ? " (rendered)" : "") \(requirement.text): held \(requirement.count.held) of "
                + "\(requirement.count.checked) (\(percent(requirement.acceptanceRate)))")
        }
        if !report.strata.isEmpty {
            lines.append("  strata: " + report.strata.map { "\($0.name) \($0.images)" + ($0.skipped > 0 ? " (+\($0.skipped) left out)" : "") }
                .joined(separator: ", "))
        }
        if !report.skipped.isEmpty {
            var named = report.skipped.prefix(namedSkippedImages).map { "\($0.index)" }.joined(separator: ", ")
            if report.skipped.count > namedSkippedImages { named += ", …" }
            lines.append("  left out \(report.skipped.count) \(unit)(s) whose attempts were all rejected: \(named) (see manifest.json acceptance.skipped_images)")
        }
        if let focus, let counted = report.focus {
            lines.append("focus \(focusPath ?? ""): kept \(counted.held) of the \(counted.checked) attempts that met the requirements ("
                + percent(counted.checked > 0 ? Double(counted.held) / Double(counted.checked) : nil) + ")")
            lines += focus.distributionLines(achieved: report.focusBins)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `tessera check --samples N` prints: the summary, then what a run would pay.
    /// - Parameter clip: the scene's clips, when it makes clips: then a sample is a clip.
    static func estimateText(_ report: AcceptanceReport, attemptLimit: Int, clip: ClipSettings? = nil) -> String {
        let unit = clip == nil ? "image" : "clip"
        let what = clip.map { " (\($0.frames) frame\($0.frames == 1 ? "" : "s") each)" } ?? ""
        var text = "sampled \(report.samples) \(unit)(s)\(what) without drawing pictures; " + Self.text(report, unit: unit)
        text += "expected attempts per \(unit): " + (report.expectedAttempts.map { String(format: "%.2f", $0) } ?? "more than \(attemptLimit)")
        if !report.skipped.isEmpty {
            text += "; \(report.skipped.count) \(unit)(s) exhausted their \(attemptLimit) attempts: a render stops there unless run with --on-exhausted skip"
        }
        return text + "\n"
    }
}
