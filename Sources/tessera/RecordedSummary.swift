import Dataset
import Foundation

/// The spread of a scene's recorded values over `check --samples N`: per number its least,
/// mean and greatest value and an 8-bin text histogram; per string or Boolean a count per value.
enum RecordedSummary {
    /// The widest histogram bar, in characters.
    static let barWidth = 24

    static func text(_ distribution: RecordedDistribution) -> String {
        var lines = ["recorded values over \(distribution.images) accepted image(s) (lists count each element):"]
        for field in distribution.summarized {
            guard field.images > 0 else {
                lines.append("  \(field.name): not recorded in any accepted image")
                continue
            }
            if let numbers = field.numbers {
                let mean = String(format: "%g", numbers.mean)
                lines.append("  \(field.name): \(numbers.count) number(s) in \(field.images) image(s): min \(format(numbers.minimum)), mean \(mean), max \(format(numbers.maximum))")
                let largest = numbers.bins.max() ?? 1
                for (k, count) in numbers.bins.enumerated() {
                    // Bins are half-open, the last one closed: it holds the maximum.
                    let range = numbers.bins.count == 1 ? format(numbers.minimum)
                        : "[\(format(numbers.lowerEdge(k))), \(format(numbers.lowerEdge(k + 1)))" + (k == numbers.bins.count - 1 ? "]" : ")")
                    let bar = String(repeating: "#", count: count == 0 ? 0 : max(1, count * barWidth / largest))
                    lines.append("    " + range.padding(toLength: 24, withPad: " ", startingAt: 0) + " " + bar.padding(toLength: barWidth, withPad: " ", startingAt: 0) + " \(count)")
                }
            }
            if !field.counts.isEmpty {
                lines.append("  \(field.name): " + field.counts.map { "\($0.value) \($0.count)" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String { String(format: "%g", value) }
}
