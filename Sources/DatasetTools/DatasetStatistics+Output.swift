public import Annotation
import DatasetReading
import Foundation

extension DatasetStatistics {
    /// The statistics as JSON, keys in the order docs/FORMATS.md lists them.
    public var json: JSONValue {
        func logBins(_ counts: [Int]) -> JSONValue {
            .array(counts.enumerated().map { k, count in
                .object([JSONMember("from", .int(1 << k)), JSONMember("to", .int(1 << (k + 1))), JSONMember("count", .int(count))])
            })
        }
        func ints(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.int)) }
        func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let classes: [JSONValue] = categories.map { c in
            .object([
                JSONMember("id", .int(c.id)), JSONMember("name", .string(c.name)),
                JSONMember("supercategory", c.supercategory.map(JSONValue.string) ?? .null),
                JSONMember("instances", .int(c.instances)), JSONMember("images", .int(c.images)),
                JSONMember("instances_per_image", ints(c.instancesPerImage)),
                JSONMember("area", .object([
                    JSONMember("small", .int(c.small)), JSONMember("medium", .int(c.medium)), JSONMember("large", .int(c.large)),
                    JSONMember("histogram", logBins(c.area)),
                ])),
                JSONMember("bbox_side", logBins(c.bboxSide)),
                JSONMember("visible_fraction", ints(c.visibleFraction)),
                JSONMember("in_frame_fraction", ints(c.inFrameFraction)),
                JSONMember("heatmap", .array(c.heatmap.map(ints))),
                JSONMember("more_than_half_hidden", .int(c.moreThanHalfHidden)),
                JSONMember("hidden_by", .array(c.hiddenBy.sorted { $0.key < $1.key }.map { id, pixels in
                    .object([JSONMember("category_id", .int(id)), JSONMember("name", .string(names[id] ?? "category \(id)")),
                             JSONMember("pixels", .int(pixels))])
                })),
                JSONMember("hidden_by_unannotated", .int(c.hiddenByUnannotated)),
            ])
        }
        var members = [
            JSONMember("images", .int(images)), JSONMember("annotations", .int(annotations)),
            JSONMember("more_than_half_hidden", .int(moreThanHalfHidden)),
            JSONMember("classes", .array(classes)),
        ]
        members.append(JSONMember("acceptance", acceptance.map { a in
            .object([
                JSONMember("images", .int(a.images)), JSONMember("skipped", .int(a.skipped)),
                JSONMember("attempts", .int(a.attempts)), JSONMember("acceptance_rate", optional(a.acceptanceRate)),
                JSONMember("requirements", .array(a.requirements.map { r in
                    .object([JSONMember("location", .string(r.location)), JSONMember("text", .string(r.text)),
                             JSONMember("kind", .string(r.kind)), JSONMember("checked", .int(r.checked)),
                             JSONMember("held", .int(r.held)), JSONMember("acceptance_rate", optional(r.acceptanceRate))])
                })),
            ])
        } ?? .null))
        members.append(JSONMember("focus", focus.map { f in
            .object([
                JSONMember("checked", .int(f.checked)), JSONMember("held", .int(f.held)),
                JSONMember("factors", .array(f.file.factors.enumerated().map { i, factor in
                    let counts = f.achieved.indices.contains(i) ? f.achieved[i] : []
                    let total = counts.reduce(0, +)
                    return .object([
                        JSONMember("name", .string(factor.name)), JSONMember("kind", .string(factor.kind.rawValue)),
                        JSONMember("bins", .array(factor.bins.enumerated().map { b, bin in
                            let count = counts.indices.contains(b) ? counts[b] : 0
                            return .object([JSONMember("bin", .string(bin.text)), JSONMember("weight", .double(bin.weight)),
                                            JSONMember("count", .int(count)),
                                            JSONMember("share", total > 0 ? .double(Double(count) / Double(total)) : .null),
                                            JSONMember("expected_share", bin.notes.first { $0.key == "expected_share" }?.value ?? .null)])
                        })),
                        JSONMember("none", .int(counts.last ?? 0)),
                    ])
                })),
            ])
        } ?? .null))
        members.append(JSONMember("records", records.map { r in
            .object([
                JSONMember("images", .int(r.images)),
                JSONMember("attempts", .object([
                    JSONMember("mean", optional(r.images > 0 ? Double(r.attempts) / Double(r.images) : nil)),
                    JSONMember("max", .int(r.maximumAttempts)),
                ])),
                JSONMember("strata", .array(r.strata.sorted { $0.key < $1.key }.map {
                    .object([JSONMember("name", .string($0.key)), JSONMember("images", .int($0.value))])
                })),
                JSONMember("values", .array(r.values.values.sorted { $0.name < $1.name }.map { v in
                    .object([
                        JSONMember("name", .string(v.name)), JSONMember("images", .int(v.images)),
                        JSONMember("numbers", v.numberCount == 0 ? .null : .object([
                            JSONMember("count", .int(v.numberCount)), JSONMember("min", .double(v.minimum)),
                            JSONMember("max", .double(v.maximum)), JSONMember("mean", optional(v.mean)),
                        ])),
                        JSONMember("labels", .array(v.labels.sorted { $0.key < $1.key }.map {
                            .object([JSONMember("value", .string($0.key)), JSONMember("count", .int($0.value))])
                        })),
                        JSONMember("other_labels", .int(v.otherLabels)),
                    ])
                })),
            ])
        } ?? .null))
        return .object(members)
    }

    /// A summary for a terminal: a table of the classes, who hides whom, acceptance and
    /// recorded values.
    public var text: String {
        func percent(_ part: Int, _ whole: Int) -> String { whole > 0 ? String(format: "%.1f%%", 100 * Double(part) / Double(whole)) : "–" }
        func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
            let gap = String(repeating: " ", count: max(0, width - s.count))
            return left ? s + gap : gap + s
        }
        let nameWidth = max(8, categories.map(\.name.count).max() ?? 0)
        var lines = ["\(images) images, \(annotations) annotations, \(categories.count) classes; "
            + "\(moreThanHalfHidden) instances more than half hidden (\(percent(moreThanHalfHidden, annotations)))", ""]
        lines.append(pad("class", nameWidth, left: true) + pad("instances", 11) + pad("images", 9) + pad("per image", 11)
            + pad("small", 8) + pad("medium", 8) + pad("large", 8) + pad(">½ hidden", 11))
        for c in categories {
            let perImage = c.images > 0 ? String(format: "%.2f", Double(c.instances) / Double(c.images)) : "–"
            lines.append(pad(c.name, nameWidth, left: true) + pad("\(c.instances)", 11) + pad("\(c.images)", 9) + pad(perImage, 11)
                + pad("\(c.small)", 8) + pad("\(c.medium)", 8) + pad("\(c.large)", 8) + pad(percent(c.moreThanHalfHidden, c.instances), 11))
        }
        if categories.contains(where: { !$0.hiddenBy.isEmpty || $0.hiddenByUnannotated > 0 }) {
            lines += ["", "hidden pixels (row hidden by column):"]
            lines.append(pad("", nameWidth) + categories.map { pad($0.name, 12) }.joined() + pad("unannotated", 13))
            for c in categories {
                lines.append(pad(c.name, nameWidth, left: true) + categories.map { pad("\(c.hiddenBy[$0.id] ?? 0)", 12) }.joined()
                    + pad("\(c.hiddenByUnannotated)", 13))
            }
        }
        if let acceptance, !acceptance.requirements.isEmpty {
            lines += ["", "requirements (checked, held):"]
            for r in acceptance.requirements {
                lines.append("  \(r.location) \(r.text): \(r.held)/\(r.checked) (\(percent(r.held, r.checked)))")
            }
        }
        if let focus {
            lines += ["", "focus (render --focus): kept \(focus.held) of the \(focus.checked) attempts that met the requirements (\(percent(focus.held, focus.checked))); achieved share per bin:"]
            lines += focus.file.distributionLines(achieved: focus.achieved)
        }
        if let records, !records.values.isEmpty {
            lines += ["", "recorded values (over \(records.images) images):"]
            for v in records.values.values.sorted(by: { $0.name < $1.name }) {
                var line = "  \(v.name): \(v.images) images"
                if let mean = v.mean {
                    line += String(format: "; numbers %d, min %g, mean %g, max %g", v.numberCount, v.minimum, mean, v.maximum)
                }
                if !v.labels.isEmpty {
                    line += "; " + v.labels.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                        .prefix(5).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
