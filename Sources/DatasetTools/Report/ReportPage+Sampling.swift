import DatasetReading
import Foundation

/// The sampling section, when the run has an acceptance record or `records.jsonl`: how
/// often the requirements held, attempts per image, quota strata, recorded values.
extension ReportPage {
    var hasSampling: Bool { statistics.acceptance != nil || statistics.records != nil }

    func sampling(_ main: inout Markup) {
        guard hasSampling else { return }
        section("sampling", "Sampling", into: &main) { section in
            if let acceptance = statistics.acceptance { self.acceptance(acceptance, into: &section) }
            if let records = statistics.records { self.records(records, into: &section) }
        }
    }

    private func acceptance(_ acceptance: Acceptance, into section: inout Markup) {
        section.element("dl", [("class", "figures"), ("id", "acceptance")]) { list in
            figure("images written", "acceptance_images", value: acceptance.images, into: &list)
            figure("images left out", "acceptance_skipped", value: acceptance.skipped, into: &list)
            figure("sampling attempts", "acceptance_attempts", value: acceptance.attempts,
                   detail: acceptance.acceptanceRate.map { String(format: "%.1f %% accepted", 100 * $0) }, into: &list)
        }
        section.element("div", [("class", "plots")]) { plots in
            if !acceptance.requirements.isEmpty {
                // Labelled by line:column and condition; the table below names the file.
                BarChart(rows: acceptance.requirements.map { r in
                            .init(label: r.location.split(separator: ":").suffix(2).joined(separator: ":") + " " + r.text,
                                  values: [r.checked > 0 ? 100 * Double(r.held) / Double(r.checked) : 0])
                         },
                         series: ["held"], format: { Plot.number($0) + " %" }, maximum: 100)
                    .draw(.init(kind: "requirement-acceptance"), caption: "Requirement acceptance",
                          description: "Per requirement, the percentage of the attempts that checked it in which it held", into: &plots)
            }
            let buckets = acceptance.attemptsPerImage.histogram
            if !buckets.isEmpty {
                Histogram(counts: buckets.map(\.images),
                          labels: .centres(buckets.map { $0.from == $0.to ? String($0.from) : "\($0.from)–\($0.to)" }),
                          binName: { k in "\(buckets[k].from)–\(buckets[k].to) attempts" }, axisTitle: "attempts to accept an image")
                    .draw(.init(kind: "attempts-per-image"), caption: "Attempts per image",
                          description: "Images by the number of sampling attempts they took", into: &plots)
            }
        }
        if !acceptance.requirements.isEmpty {
            table(["location", "requirement", "kind", "checked", "held", "held %"], numeric: [3, 4, 5],
                  rows: acceptance.requirements.map { r in
                      [r.location, r.text, r.kind + (r.isRendered ? " (rendered)" : ""), Plot.count(r.checked), Plot.count(r.held),
                       Plot.percent(r.held, of: r.checked)]
                  }, into: &section, attributes: [("id", "requirements")])
        }
        if !acceptance.strata.isEmpty {
            section.element("h3", text: "Quota strata")
            table(["stratum", "share", "images", "left out"], numeric: [1, 2, 3],
                  rows: acceptance.strata.map { [$0.name, String(format: "%.3g", $0.share), Plot.count($0.images), Plot.count($0.skipped)] },
                  into: &section)
        }
    }

    private func records(_ records: DatasetStatistics.Records, into section: inout Markup) {
        section.element("p", [("class", "note")], text: "records.jsonl: \(Plot.count(records.images)) images; attempts per image: mean "
            + (records.images > 0 ? String(format: "%.2f", Double(records.attempts) / Double(records.images)) : "–")
            + ", max \(records.maximumAttempts).")
        let values = records.values.values.sorted { $0.name < $1.name }
        guard !values.isEmpty else { return }
        section.element("h3", text: "Recorded values")
        func number(_ value: Double) -> String { String(format: "%g", value) }
        table(["value", "images", "numbers", "min", "mean", "max", "labels"], numeric: [1, 2, 3, 4, 5],
              rows: values.map { v in
                  let hasNumbers = v.numberCount > 0
                  return [v.name, Plot.count(v.images), Plot.count(v.numberCount), hasNumbers ? number(v.minimum) : "–",
                          v.mean.map(number) ?? "–", hasNumbers ? number(v.maximum) : "–",
                          v.labels.isEmpty ? "" : "\(v.labels.count + (v.otherLabels > 0 ? 1 : 0)) distinct"]
              }, into: &section, attributes: [("id", "recorded-values")])
        section.element("div", [("class", "plots")]) { plots in
            for (k, v) in values.enumerated() where !v.labels.isEmpty {
                // The most frequent labels first; at most 20 rows, the rest summed.
                let sorted = v.labels.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                var rows = sorted.prefix(20).map { BarChart.Row(label: $0.key, values: [Double($0.value)]) }
                let rest = sorted.dropFirst(20).reduce(v.otherLabels) { $0 + $1.value }
                if rest > 0 { rows.append(.init(label: "(others)", values: [Double(rest)])) }
                BarChart(rows: rows, series: ["count"])
                    .draw(.init(kind: "recorded-labels", number: k, attributes: ["data-value-name": v.name]), caption: "Recorded: \(v.name)",
                          description: "How often each string or Boolean value of '\(v.name)' was recorded", into: &plots)
            }
        }
    }
}
