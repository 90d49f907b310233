public import Foundation
public import SceneModel
public import SceneScript

/// A focus file checked against one scene program and run options: the
/// ``SceneScript/SampleFocus`` a render samples with (`tessera render --focus FILE`).
public struct FocusSampler: SampleFocus {
    public let file: FocusFile
    /// The file as the user named it, for messages.
    public let path: String
    /// Which instances an instance factor counts: those that get an annotation.
    let visibility: VisibilityFilter
    /// Per factor: the category ids whose instances count (every thing class when not given).
    let categoryIDs: [Set<Int>]
    /// Category id → name.
    let categoryNames: [Int: String]

    /// Checks `file` against the scene before anything is rendered.
    /// - Throws: `DatasetError.usage` naming the file and the key: an image factor on a value
    ///   the scene never records (or records as a list), an unknown instance fact, an unknown
    ///   or stuff class; for clips (a focus samples still images only).
    public init(file: FocusFile, path: String, program: SceneProgram, visibility: VisibilityFilter) throws {
        self.file = file
        self.path = path
        self.visibility = visibility
        if program.clip != nil {
            throw DatasetError.usage("--focus \(path): this scene makes clips; a focus re-weights still images only")
        }
        let things = program.categories.filter(\.isThing)
        categoryNames = Dictionary(uniqueKeysWithValues: program.categories.map { ($0.id, $0.name) })
        var ids: [Set<Int>] = []
        for (i, factor) in file.factors.enumerated() {
            let key = "factors[\(i)]"
            switch factor.kind {
            case .image:
                let recorded = program.recordedNames
                guard let entry = recorded.first(where: { $0.name == factor.recordName }) else {
                    let names = recorded.map(\.name)
                    throw DatasetError.usage("\(path): '\(key).name' is '\(factor.name)', a value the scene never records"
                        + (closestName(to: factor.recordName, among: names).map { "; did you mean '\($0)'?" } ?? "")
                        + (names.isEmpty ? " (it records none: see 'record' in docs/LANGUAGE.md)" : " (recorded: \(names.joined(separator: ", ")))"))
                }
                guard !entry.isList else {
                    throw DatasetError.usage("\(path): '\(key).name': '\(factor.name)' is recorded in a loop, as a list; a focus bins single values")
                }
                ids.append([])
            case .instance:
                let known = FocusFile.instanceFacts
                guard known.contains(factor.name) || (factor.name.hasPrefix("attributes.") && factor.name.count > "attributes.".count) else {
                    throw DatasetError.usage("\(path): '\(key).name' is '\(factor.name)', not an instance fact"
                        + (closestName(to: factor.name, among: known).map { "; did you mean '\($0)'?" } ?? "")
                        + " (instance facts: \(known.joined(separator: ", ")), attributes.NAME)")
                }
                if factor.name.hasPrefix("attributes.") {
                    let label = String(factor.name.dropFirst("attributes.".count)), labels = program.attributeLabels
                    guard labels.contains(label) else {
                        throw DatasetError.usage("\(path): '\(key).name' is '\(factor.name)', an attribute no object of the scene carries"
                            + (closestName(to: label, among: labels).map { "; did you mean 'attributes.\($0)'?" } ?? "")
                            + (labels.isEmpty ? " (the scene declares none: see 'object … with' in docs/LANGUAGE.md)" : " (attributes: \(labels.joined(separator: ", ")))"))
                    }
                }
                let isLabelFact = factor.name == "category" || factor.name.hasPrefix("attributes.")
                if !isLabelFact, factor.bins.contains(where: { $0.label != nil }) {
                    throw DatasetError.usage("\(path): '\(key).bins' are label bins (value), but '\(factor.name)' is a number: give min/max bins")
                }
                if factor.name == "category" {
                    if factor.bins.contains(where: { $0.label == nil }) {
                        throw DatasetError.usage("\(path): '\(key).bins': 'category' is a class name: give label bins ({\"value\": \"NAME\", …})")
                    }
                    for (j, bin) in factor.bins.enumerated() where !things.contains(where: { $0.name == bin.label }) {
                        throw DatasetError.usage("\(path): '\(key).bins[\(j)].value' is '\(bin.label!)', not a thing class of the scene"
                            + (closestName(to: bin.label!, among: things.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""))
                    }
                }
                guard let classes = factor.classes else {
                    ids.append(Set(things.map(\.id)))
                    continue
                }
                var chosen = Set<Int>()
                for (j, name) in classes.enumerated() {
                    guard let category = things.first(where: { $0.name == name }) else {
                        let isStuff = program.categories.contains { $0.name == name }
                        throw DatasetError.usage("\(path): '\(key).classes[\(j)]' is '\(name)', "
                            + (isStuff ? "a stuff class, whose regions get no instance annotation"
                                : "not a class of the scene" + (closestName(to: name, among: things.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""))
                            + " (thing classes: \(things.map(\.name).joined(separator: ", ")))")
                    }
                    chosen.insert(category.id)
                }
                ids.append(chosen)
            }
        }
        categoryIDs = ids
    }

    public var name: String { "the focus \(path)" }

    public var needsRenderedFacts: Bool { file.factors.contains { $0.kind == .instance } }

    /// `⌈1 / smallest acceptance⌉` over the positive weights, at most 100: an image whose every
    /// attempt would have the least weight still gets, on average, the script's `attempts`
    /// attempts to be kept.
    /// (For `product`, the least weight of one instance stands for the image.)
    public var attemptFactor: Int {
        var least = 1.0
        for factor in file.factors {
            let positive = (factor.bins.map(\.weight) + [factor.otherWeight]).filter { $0 > 0 }
            least *= positive.min()! / factor.largestWeight
        }
        return Int(min(100, (1 / least).rounded(.up)))
    }

    public func decide(_ scene: Scene, facts: (any RenderedFacts)?) throws -> FocusDecision {
        var acceptance = 1.0
        var counts: [[Int]] = []
        for (i, factor) in file.factors.enumerated() {
            var binCounts = [Int](repeating: 0, count: factor.bins.count + 1)
            let weight: Double
            switch factor.kind {
            case .image:
                let recorded = scene.records.first { $0.name == factor.recordName }?.value
                let value = recorded?.focusValue
                if let recorded, value == nil {
                    throw DatasetError.usage("--focus \(path): 'factors[\(i)].name': '\(factor.name)' is recorded as a list; a focus bins single values")
                }
                try checkKind(of: value, factor, i)
                let bin = factor.bin(of: value)
                binCounts[bin ?? factor.bins.count] += 1
                weight = factor.weight(of: bin) / factor.largestWeight
            case .instance:
                guard let facts else { throw DatasetError.render(index: -1, reason: "a focus on instance facts needs the rendered facts") }
                var instanceBins: [Int?] = []
                for instance in scene.instances {
                    guard let category = instance.categoryID, categoryIDs[i].contains(category),
                          try isAnnotated(instance, facts) else { continue }
                    let value = try value(of: factor.name, instance, facts)
                    try checkKind(of: value, factor, i)
                    let bin = factor.bin(of: value)
                    binCounts[bin ?? factor.bins.count] += 1
                    instanceBins.append(bin)
                }
                weight = factor.relativeWeight(ofInstancesIn: instanceBins)
            }
            acceptance *= weight
            counts.append(binCounts)
        }
        return FocusDecision(acceptance: acceptance, bins: counts)
    }

    /// Refuses a value whose kind (number or label) is not that of the factor's bins: such a
    /// focus would silently put every image in no bin.
    private func checkKind(of value: FocusValue?, _ factor: FocusFile.Factor, _ i: Int) throws {
        guard let value, let first = factor.bins.first else { return }
        switch (value, first.label) {
        case (.number, _?):
            throw DatasetError.usage("--focus \(path): 'factors[\(i)].bins' are label bins, but '\(factor.name)' is a number here: give min/max bins")
        case (.label, nil):
            throw DatasetError.usage("--focus \(path): 'factors[\(i)].bins' are numeric bins, but '\(factor.name)' is a string or Boolean here: give {\"value\": …} bins")
        default: return
        }
    }

    /// Whether the instance gets an annotation under the run's filter (as `ImageLabels` decides).
    private func isAnnotated(_ instance: Instance, _ facts: any RenderedFacts) throws -> Bool {
        let area = try facts.visiblePixels(of: instance.id)
        guard area >= max(1, visibility.minimumPixels) else { return false }
        guard visibility.minimumFraction > 0 else { return true }
        return try facts.occlusion(of: instance.id).visibleFraction >= visibility.minimumFraction
    }

    /// The instance's value of fact `name`, as its annotation carries it.
    private func value(of name: String, _ instance: Instance, _ facts: any RenderedFacts) throws -> FocusValue? {
        switch name {
        case "area": return .number(Double(try facts.visiblePixels(of: instance.id)))
        case "bbox_width": return try facts.visibleBox(of: instance.id).map { .number(Double($0.width)) }
        case "bbox_height": return try facts.visibleBox(of: instance.id).map { .number(Double($0.height)) }
        case "visible_fraction": return .number(try facts.occlusion(of: instance.id).visibleFraction)
        case "in_frame_fraction": return .number(try facts.occlusion(of: instance.id).inFrameFraction)
        case "amodal_area": return .number(Double(try facts.occlusion(of: instance.id).amodalArea))
        case "category": return instance.categoryID.flatMap { categoryNames[$0] }.map { .label($0) }
        default:
            let label = String(name.dropFirst("attributes.".count))
            return instance.attributes.first { $0.name == label }?.value.focusValue
        }
    }
}
