import Dataset
import Foundation

/// Progress on standard error: on a terminal a bar redrawn in place (count, images/s, ETA,
/// and for a scene with requirements the live acceptance rate: images accepted per sampling
/// attempt); otherwise a plain line every 10 seconds, for logs. A summary line at the end.
final class ProgressReporter {
    private let total: Int
    private let isQuiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastReport = Date()
    /// Images already done when the run started (a resumed run), not counted in the rate.
    private var initial: Int?
    private var hasBar = false

    private let showsAcceptance: Bool

    init(total: Int, isQuiet: Bool, showsAcceptance: Bool) {
        self.total = total
        self.isQuiet = isQuiet
        self.showsAcceptance = showsAcceptance
    }

    func update(_ progress: RenderProgress) {
        let done = progress.done
        if initial == nil { initial = done }
        let now = Date()
        guard !isQuiet, done < total, now.timeIntervalSince(lastReport) >= (isTerminal ? 0.2 : 10) else { return }
        lastReport = now
        let rate = Double(done - (initial ?? 0)) / max(now.timeIntervalSince(start), 1e-9)
        let eta = rate > 0 ? String(format: "%.0f s", Double(total - done) / rate) : "?"
        var counts = String(format: "%d/%d images  %.1f images/s  ETA ", done, total, rate) + eta
        if showsAcceptance, let acceptance = progress.acceptanceRate {
            counts += String(format: "  accepted %.1f%% of attempts", acceptance * 100)
        }
        if isTerminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            writeRaw("\r[\(bar)] " + counts + "\u{1B}[K")
            hasBar = true
        } else {
            writeRaw(counts + "\n")
        }
    }

    func finish(_ summary: RenderSummary, output: String, requestedJobs: Int) {
        guard !isQuiet else { return }
        if hasBar { writeRaw("\r\u{1B}[K") }
        guard let annotations = summary.annotations else {
            writeRaw("nothing to do: \(output) already holds the finished dataset of this run\n")
            return
        }
        let rate = Double(summary.rendered) / max(summary.seconds, 1e-9)
        // A run of clips counts clips and frames; the pipeline's images are its frames.
        let frames = summary.framesPerClip
        let unit = frames == nil ? "images" : "frames"
        let made = OutputLayout.describe(images: summary.rendered, framesPerClip: frames)
        let held = OutputLayout.describe(images: summary.images - (summary.acceptance?.skipped.count ?? 0), framesPerClip: frames)
        var line = "rendered \(made) in " + String(format: "%.2f s (%.1f ", summary.seconds, rate) + unit + "/s) into "
            + output + "; the dataset holds \(held), \(annotations) annotations"
        if let skipped = summary.acceptance?.skipped.count, skipped > 0 {
            line += " (\(skipped) of the run's images left out: every sampling attempt was rejected)"
        }
        if summary.rendered < summary.images {
            line += " (resumed: \(summary.images - summary.rendered) of \(summary.images) images were already done)"
        }
        if summary.jobs < requestedJobs {
            line += "\nnote: made \(summary.jobs) image(s) at a time, not \(requestedJobs): more of this canvas would not fit in half the memory"
        }
        writeRaw(line + "\n")
    }

    private func writeRaw(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
