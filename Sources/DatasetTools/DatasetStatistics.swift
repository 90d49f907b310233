import Annotation
public import DatasetReading
public import Dataset
public import Foundation

/// What a dataset holds (`tessera stats`): per class, how many instances, in how many
/// images, how large, how hidden, how cut off by the frame and where in it; who hides whom;
/// and, when the run recorded them, how often its requirements held and the values it
/// recorded. Field by field in docs/FORMATS.md ("stats JSON").
///
/// Computed in one streaming pass through ``DatasetReader``: memory holds one image's
/// annotations and the counters, whatever the number of images.
public struct DatasetStatistics: Sendable {
    /// Bins of the visible- and in-frame-fraction histograms: [0, 0.1), …, [0.9, 1].
    public static let fractionBins = 10
    /// Cells a side of the position heatmap.
    public static let heatmapSide = 8
    /// COCO's size split by visible area: small below 32², medium below 96², large above.
    public static let smallArea = 32 * 32, mediumArea = 96 * 96

    /// One category's figures.
    public struct Category: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var supercategory: String?
        public var instances = 0
        /// Images holding at least one instance.
        public var images = 0
        /// Element k: images holding exactly k instances of the category (k from 0).
        public var instancesPerImage: [Int] = [0]
        /// Log-binned visible area: element k counts areas in [2^k, 2^(k+1)) pixels.
        public var area: [Int] = []
        /// COCO's split of the visible area.
        public var small = 0, medium = 0, large = 0
        /// Log-binned longer bbox side, max(w, h): element k counts sides in [2^k, 2^(k+1)).
        public var bboxSide: [Int] = []
        /// `visible_fraction` in ``fractionBins`` bins; over the annotations that have it.
        public var visibleFraction = [Int](repeating: 0, count: fractionBins)
        public var inFrameFraction = [Int](repeating: 0, count: fractionBins)
        /// Bbox centres normalised by the image size: `heatmap[row][column]`, row 0 at the top.
        public var heatmap = [[Int]](repeating: [Int](repeating: 0, count: heatmapSide), count: heatmapSide)
        /// Instances with `visible_fraction` < 0.5.
        public var moreThanHalfHidden = 0
        /// Pixels of this category's amodal masks hidden by each category (by id), from the
        /// annotations' `occluders`.
        public var hiddenBy: [Int: Int] = [:]
        /// Hidden pixels whose occluder has no annotation in the image: unlabeled objects
        /// (distractors) and labeled ones left out by `--min-visible-*`.
        public var hiddenByUnannotated = 0
    }

    /// A value the script recorded (`records.jsonl` `values`), over the images.
    public struct RecordedValue: Sendable, Equatable {
        public var name: String
        /// Images whose line holds it.
        public var images = 0
        /// The numbers, list elements included: count, sum, least, greatest.
        public var numberCount = 0
        public var sum = 0.0
        public var minimum = Double.infinity, maximum = -Double.infinity
        /// Strings and Booleans, by their text; at most ``maximumLabels`` distinct, the
        /// rest counted in `otherLabels`.
        public var labels: [String: Int] = [:]
        public var otherLabels = 0
        public static let maximumLabels = 100

        public var mean: Double? { numberCount > 0 ? sum / Double(numberCount) : nil }
    }

    /// `records.jsonl`, summed.
    public struct Records: Sendable, Equatable {
        public var images = 0
        public var attempts = 0
        public var maximumAttempts = 0
        /// Images by quota stratum.
        public var strata: [String: Int] = [:]
        /// By name.
        public var values: [String: RecordedValue] = [:]
    }

    public var images = 0
    public var annotations = 0
    /// In `categories` order, then any category id the annotations use that is not listed.
    public var categories: [Category] = []
    /// The manifest's `acceptance`, when it has one.
    public var acceptance: Acceptance?
    /// `nil` when the dataset has no `records.jsonl`.
    public var records: Records?
    /// A focused run's focus file (the manifest's `options.focus`) and its achieved
    /// distribution (`acceptance.focus`); `nil` otherwise.
    public var focus: (file: FocusFile, checked: Int, held: Int, achieved: [[Int]])?

    /// Reads the dataset in `root`.
    /// - Throws: `DatasetError` naming the file: `.missingInput` (66) for no folder,
    ///   `.invalidDataset` (65) for a missing or malformed file, `.io` (74) for a failed read.
    public init(_ root: URL) throws {
        try self.init(reader: DatasetError.reading { try DatasetReader(root) })
    }

    init(reader: DatasetReader) throws {
        try DatasetError.reading {
            let manifest = try reader.manifest()
            acceptance = manifest.acceptance
            if let recorded = manifest.options.focus, let counted = manifest.acceptance?.focus {
                let file = try FocusFile.parse(Data(recorded.jsonBytes), path: "manifest.json options.focus")
                focus = (file, counted.checked, counted.held, counted.bins)
            }
            var byID: [Int: Category] = [:]
            var countInImage: [Int: Int] = [:]
            var classOfInstance: [Int: Int] = [:]
            try reader.forEachImage { image, annotations in
                images += 1
                self.annotations += annotations.count
                countInImage.removeAll(keepingCapacity: true)
                classOfInstance.removeAll(keepingCapacity: true)
                for annotation in annotations {
                    countInImage[annotation.categoryID, default: 0] += 1
                    if let instance = annotation.instanceID { classOfInstance[instance] = annotation.categoryID }
                }
                for annotation in annotations {
                    Self.add(annotation, image: image, classOfInstance: classOfInstance,
                             to: &byID[annotation.categoryID, default: Category(id: annotation.categoryID, name: "category \(annotation.categoryID)")])
                }
                for (id, count) in countInImage {
                    byID[id]!.images += 1
                    Self.increment(&byID[id]!.instancesPerImage, at: count)
                }
                return true
            }
            for category in try reader.categories() {
                var entry = byID.removeValue(forKey: category.id) ?? Category(id: category.id, name: category.name)
                (entry.name, entry.supercategory) = (category.name, category.supercategory)
                categories.append(entry)
            }
            categories += byID.values.sorted { $0.id < $1.id }
            for i in categories.indices { categories[i].instancesPerImage[0] = images - categories[i].images }
            if let lines = try reader.records() {
                var records = Records()
                while let line = try lines.next() { records.add(line) }
                self.records = records
            }
        }
    }

    private static func add(_ annotation: COCOFile.Annotation, image: COCOFile.Image, classOfInstance: [Int: Int],
                            to category: inout Category) {
        category.instances += 1
        let area = annotation.area
        increment(&category.area, at: log2Bin(area))
        if area < smallArea { category.small += 1 } else if area < mediumArea { category.medium += 1 } else { category.large += 1 }
        if annotation.bbox.count == 4 {
            let (x, y, w, h) = (annotation.bbox[0], annotation.bbox[1], annotation.bbox[2], annotation.bbox[3])
            increment(&category.bboxSide, at: log2Bin(Int(max(w, h))))
            if image.width > 0, image.height > 0 {
                let column = cell((x + w / 2) / Double(image.width)), row = cell((y + h / 2) / Double(image.height))
                category.heatmap[row][column] += 1
            }
        }
        if let fraction = annotation.visibleFraction {
            category.visibleFraction[fractionBin(fraction)] += 1
            if fraction < 0.5 { category.moreThanHalfHidden += 1 }
        }
        if let fraction = annotation.inFrameFraction { category.inFrameFraction[fractionBin(fraction)] += 1 }
        for occluder in annotation.occluders ?? [] {
            if let occluderClass = classOfInstance[occluder.instanceID] {
                category.hiddenBy[occluderClass, default: 0] += occluder.pixels
            } else {
                category.hiddenByUnannotated += occluder.pixels
            }
        }
    }

    /// k with 2^k ≤ value < 2^(k+1); 0 for values below 2.
    static func log2Bin(_ value: Int) -> Int { value < 2 ? 0 : Int.bitWidth - value.leadingZeroBitCount - 1 }

    /// The bin of a fraction in 0…1: ⌊10 f⌋, 1 in the last bin.
    static func fractionBin(_ fraction: Double) -> Int { max(0, min(fractionBins - 1, Int((fraction * 10).rounded(.down)))) }

    /// The heatmap cell of a normalised coordinate: ⌊8 u⌋, clamped to the grid.
    static func cell(_ u: Double) -> Int { max(0, min(heatmapSide - 1, Int((u * Double(heatmapSide)).rounded(.down)))) }

    static func increment(_ counts: inout [Int], at bin: Int) {
        if counts.count <= bin { counts += [Int](repeating: 0, count: bin + 1 - counts.count) }
        counts[bin] += 1
    }

    /// Instances with `visible_fraction` < 0.5, over all categories.
    public var moreThanHalfHidden: Int { categories.reduce(0) { $0 + $1.moreThanHalfHidden } }
}

extension DatasetStatistics.Records {
    mutating func add(_ record: ImageRecord) {
        images += 1
        attempts += record.attempts
        maximumAttempts = max(maximumAttempts, record.attempts)
        if let stratum = record.stratum { strata[stratum, default: 0] += 1 }
        guard case let .object(members) = record.values else { return }
        for member in members {
            values[member.key, default: .init(name: member.key)].add(member.value)
        }
    }
}

extension DatasetStatistics.RecordedValue {
    mutating func add(_ value: JSONValue) {
        images += 1
        func visit(_ value: JSONValue) {
            switch value {
            case let .array(items): items.forEach(visit)
            case let .string(text): label(text)
            case let .bool(flag): label(flag ? "true" : "false")
            default:
                guard let number = value.number else { return }
                numberCount += 1
                sum += number
                (minimum, maximum) = (Swift.min(minimum, number), Swift.max(maximum, number))
            }
        }
        visit(value)
    }

    private mutating func label(_ text: String) {
        if labels[text] != nil || labels.count < Self.maximumLabels {
            labels[text, default: 0] += 1
        } else {
            otherLabels += 1
        }
    }
}
