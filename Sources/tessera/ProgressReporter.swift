import Dataset
import Foundation

/// Progress on standard error: a line at most every second, and a summary at the end.
final class ProgressReporter {
    private let total: Int
    private let isQuiet: Bool
    private let start = Date()
    private var lastReport = Date()

    init(total: Int, isQuiet: Bool) {
        self.total = total
        self.isQuiet = isQuiet
    }

    func update(_ done: Int) {
        guard !isQuiet, done < total, Date().timeIntervalSince(lastReport) >= 1 else { return }
        lastReport = Date()
        let elapsed = lastReport.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        write(String(format: "%d/%d images  %.1f images/s  ETA %.0f s", done, total, rate, eta))
    }

    func finish(_ summary: RenderSummary, output: String) {
        guard !isQuiet else { return }
        let rate = Double(summary.images) / max(summary.seconds, 1e-9)
        write(String(format: "rendered %d images, %d annotations in %.2f s (%.1f images/s) into ",
                     summary.images, summary.annotations, summary.seconds, rate) + output)
    }

    private func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
