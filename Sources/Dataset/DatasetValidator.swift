import Annotation
import Foundation
import Rendering

/// Checks a dataset against its manifest and the label contract (PRODUCT.md):
///
/// - every file the manifest lists is present with its recorded size and SHA-256, and no
///   numbered image or mask file is present that it does not list;
/// - image, annotation and category ids are unique; every annotation names an image and a
///   category that exist; instance ids are unique within an image;
/// - the images are exactly those of the run's set (`0 ..< count`, a shard's slice, or the
///   manifest's `indices`), id = index + 1, each named by its index, except the images the
///   manifest lists as left out (`acceptance.skipped_images`), which have no entry and no file;
/// - every annotation agrees with the masks: its segmentation (RLE, or pixel-edge
///   polygons) is exactly the pixels of its `instance_id` in the instance mask, `area` is
///   their count and `bbox` their tight box; the semantic mask holds its `category_id` there;
///   its visible mask lies inside its amodal mask, whose area is `amodal_area`;
/// - `records.jsonl` has one line per written image, in order, with `image_id` = `index` + 1,
///   `attempts` ≥ 1, a `values` object and the manifest's `parameters`.
///
/// `annotations.json` is read one record per line, as Tessera writes it, so memory stays
/// bounded by one image's masks and the id sets.
public enum DatasetValidator {
    public struct Report: Sendable {
        /// One line per fault found, naming the file and record.
        public var faults: [String] = []
        /// Faults beyond `maximumFaults` are counted, not kept.
        public var faultCount = 0
        public var files = 0
        public var images = 0
        public var annotations = 0

        public var isValid: Bool { faultCount == 0 }
    }

    /// Validates the dataset in `root`.
    /// - Parameter maximumFaults: how many fault lines to keep.
    /// - Throws: `DatasetError.missingInput` when `root` is not a folder;
    ///   `DatasetError.invalidDataset` when `manifest.json` or `annotations.json` is missing
    ///   or is not JSON (nothing else can be checked then).
    public static func validate(_ root: URL, maximumFaults: Int = 50) throws -> Report {
        try requireFolder(root)
        var validator = Validator(root: root, maximumFaults: maximumFaults)
        try validator.checkManifest()
        try validator.checkAnnotations()
        try validator.checkRecords()
        return validator.report
    }
}

private struct Validator {
    let root: URL
    let maximumFaults: Int
    var report = DatasetValidator.Report()

    /// From the manifest's options: an instance with at least this many visible pixels has
    /// an annotation (when `minimumFraction` is 0).
    var minimumPixels = 1
    var minimumFraction = 0.0
    /// Images whose masks were checked.
    var annotatedImages = Set<Int>()
    /// From the manifest: the image indices of the run (a shard's slice, an index set), how
    /// their files are named, and those left out because every attempt was rejected.
    var images: ImageIndices?
    var layout: OutputLayout?
    var skippedIndices = Set<Int>()
    /// The paths `manifest.json` lists.
    var listedFiles = Set<String>()
    /// The manifest's `options.parameters`.
    var parameters: NSDictionary?
    /// The ids of the images in `annotations.json`, ascending.
    var imageIDs: [Int] = []

    init(root: URL, maximumFaults: Int) {
        self.root = root
        self.maximumFaults = maximumFaults
    }

    mutating func fault(_ message: String) {
        report.faultCount += 1
        if report.faults.count < maximumFaults { report.faults.append(message) }
    }

    // MARK: - Files

    mutating func checkManifest() throws {
        let url = root.appendingPathComponent(OutputLayout.manifestFile)
        guard let data = try? Data(contentsOf: url) else {
            throw DatasetError.invalidDataset("'\(root.path)' holds no readable \(OutputLayout.manifestFile): not a Tessera dataset, or an unfinished run (finish it with render --resume)")
        }
        // The visibility options decide which visible instances must have an annotation.
        if let head = Manifest.head(in: data), let options = head["options"] as? [String: Any] {
            minimumPixels = options["min_visible_pixels"] as? Int ?? 1
            minimumFraction = (options["min_visible_fraction"] as? NSNumber)?.doubleValue ?? 0
            parameters = options["parameters"] as? NSDictionary
            if let count = head["count"] as? Int, count >= 0 {
                let shard = head["shard"] as? [String: Any]
                if let shard {
                    if let first = shard["first_image"] as? Int, let end = shard["end_image"] as? Int, 0 <= first, first <= end, end <= count {
                        images = ImageIndices(first..<end)
                    } else {
                        fault("manifest.json: shard lacks a first_image and end_image within 0…count")
                    }
                } else if let text = head["indices"] {
                    do {
                        guard let text = text as? String else { throw DatasetError.usage("indices is not a string") }
                        let indices = try ImageIndices(parsing: text, source: "manifest.json indices")
                        if indices.span.upperBound <= count {
                            images = indices
                        } else {
                            fault("manifest.json: indices '\(text)' go beyond the run's count \(count)")
                        }
                    } catch {
                        fault("manifest.json: indices is not an index set like \"17,40-59\" (\(error))")
                    }
                } else {
                    images = ImageIndices(0..<count)
                }
                let format = (options["image_format"] as? String).flatMap(ImageFormat.init(rawValue:)) ?? .png
                layout = OutputLayout(root: root, imageCount: count, imageFormat: format)
            }
        }
        for entry in Manifest.acceptance(in: data)?["skipped_images"] as? [[String: Any]] ?? [] {
            guard let index = entry["index"] as? Int, images?.contains(index) ?? true else {
                fault("manifest.json: a skipped image lacks an index within the run's images")
                continue
            }
            if !skippedIndices.insert(index).inserted { fault("manifest.json: image \(index) is listed as skipped twice") }
        }
        // The files a skipped image must not have, by path.
        var skippedFiles: [String: Int] = [:]
        if let layout {
            for index in skippedIndices {
                for path in [layout.imagePath(index), layout.instanceMaskPath(index), layout.semanticMaskPath(index)] {
                    skippedFiles[path] = index
                }
            }
        }
        guard let files = Manifest.files(in: data) else {
            throw DatasetError.invalidDataset("\(url.path) is not a Tessera manifest (no \"files\" list)")
        }
        var listed = Set<String>()
        for entry in files {
            guard let path = entry["path"] as? String, let bytes = entry["bytes"] as? Int,
                  let sha256 = entry["sha256"] as? String else {
                fault("manifest.json: a files entry lacks path, bytes or sha256")
                continue
            }
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                fault("manifest.json: file path '\(path)' leaves the dataset folder")
                continue
            }
            listed.insert(path)
            report.files += 1
            if let index = skippedFiles[path] {
                fault("\(path): listed in manifest.json, but image \(index) is listed as skipped")
            }
            guard let actual = try? FileEntry(path: path, contentsOf: root.appendingPathComponent(path)) else {
                fault("\(path): missing (listed in manifest.json)")
                continue
            }
            if actual.bytes != bytes {
                fault("\(path): \(actual.bytes) bytes, manifest.json records \(bytes)")
            } else if actual.sha256 != sha256 {
                fault("\(path): SHA-256 \(actual.sha256) differs from manifest.json's \(sha256)")
            }
        }
        for folder in OutputLayout.imageFolders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            // Numbered files only: a user's own file in an image folder is not the dataset's.
            for name in names.sorted() where OutputLayout.isNumberedImageFile(name) && !listed.contains("\(folder)/\(name)") {
                fault("\(folder)/\(name): present but not listed in manifest.json")
            }
        }
        listedFiles = listed
    }

    // MARK: - Labels

    struct ImageEntry {
        var fileName: String
        var width: Int
        var height: Int
    }

    mutating func checkAnnotations() throws {
        let url = root.appendingPathComponent(OutputLayout.annotationsFile)
        var images: [Int: ImageEntry] = [:]
        var categories = Set<Int>()
        var annotationIDs = Set<Int>()
        // Pass 1: images and categories. Pass 2: annotations, one image's group at a time.
        try COCOLines.forEach(url) { section, record in
            switch section {
            case .images:
                guard let id = record["id"] as? Int, let fileName = record["file_name"] as? String,
                      let width = record["width"] as? Int, let height = record["height"] as? Int else {
                    return fault("annotations.json: an image lacks id, file_name, width or height")
                }
                if images[id] != nil { fault("annotations.json: image id \(id) is used twice") }
                images[id] = ImageEntry(fileName: fileName, width: width, height: height)
                report.images += 1
            case .categories:
                guard let id = record["id"] as? Int else { return fault("annotations.json: a category lacks an id") }
                if !categories.insert(id).inserted { fault("annotations.json: category id \(id) is used twice") }
            case .annotations: break
            }
        }
        checkImageSet(images)
        imageIDs = images.keys.sorted()
        var group: [[String: Any]] = []
        var groupImage: Int?
        try COCOLines.forEach(url) { section, record in
            guard section == .annotations else { return }
            report.annotations += 1
            guard let id = record["id"] as? Int, let imageID = record["image_id"] as? Int else {
                return fault("annotations.json: an annotation lacks id or image_id")
            }
            if !annotationIDs.insert(id).inserted { fault("annotations.json: annotation id \(id) is used twice") }
            if id != report.annotations { fault("annotations.json: annotation \(report.annotations) in file order has id \(id); ids run 1, 2, … in order") }
            if let category = record["category_id"] as? Int, !categories.contains(category) {
                fault("annotation \(id): category_id \(category) is not a category")
            }
            if imageID != groupImage {
                if let groupImage { checkImage(groupImage, images[groupImage], group) }
                (group, groupImage) = ([], imageID)
            }
            group.append(record)
        }
        if let groupImage { checkImage(groupImage, images[groupImage], group) }
        for id in images.keys.sorted() where !annotatedImages.contains(id) { checkImage(id, images[id], []) }
    }

    /// The images are those of the run's set but the skipped ones, each under its index's
    /// file name.
    /// - Complexity: time linear in the set's size, memory independent of it.
    mutating func checkImageSet(_ entries: [Int: ImageEntry]) {
        guard let images, let layout else { return }
        for index in images {
            let id = index + 1
            let entry = entries[id]
            if skippedIndices.contains(index) {
                if entry != nil { fault("annotations.json: image id \(id) is listed, but manifest.json lists image \(index) as skipped") }
            } else if let entry {
                if entry.fileName != layout.imagePath(index) {
                    fault("annotations.json: image id \(id) has file_name '\(entry.fileName)', expected '\(layout.imagePath(index))'")
                }
            } else {
                fault("annotations.json: image \(index) (id \(id)) is missing, and manifest.json does not list it as skipped")
            }
        }
        for id in entries.keys.sorted() where !images.contains(id - 1) {
            let set = images.isContiguous ? "\(images.span.lowerBound + 1)…\(images.span.upperBound)"
                : "(indices \(images) in manifest.json, ids one more)"
            fault("annotations.json: image id \(id) is outside the run's images \(set)")
        }
    }

    /// `records.jsonl`: one line per image of `annotations.json`, in id order, each naming
    /// its image, with the manifest's parameters. Read a line at a time.
    mutating func checkRecords() throws {
        let name = OutputLayout.recordsFile
        guard listedFiles.contains(name) else { return fault("manifest.json: does not list \(name)") }
        guard let lines = try? LineReader(url: root.appendingPathComponent(name)) else { return }
        var count = 0
        while let line = try lines.next() {
            count += 1
            let at = "\(name):\(line.number)"
            guard line.isComplete, let record = (try? JSONSerialization.jsonObject(with: Data(line.line))) as? [String: Any] else {
                fault("\(at): not a JSON object on a line of its own")
                continue
            }
            guard let imageID = record["image_id"] as? Int, let index = record["index"] as? Int,
                  let attempts = record["attempts"] as? Int, record["values"] is [String: Any],
                  let parameters = record["parameters"] as? NSDictionary else {
                fault("\(at): lacks image_id, index, attempts, values or parameters")
                continue
            }
            if imageID != index + 1 { fault("\(at): image_id \(imageID) is not index + 1 (index \(index))") }
            if count <= imageIDs.count, imageIDs[count - 1] != imageID {
                fault("\(at): image_id \(imageID), but image \(count) of annotations.json has id \(imageIDs[count - 1])")
            }
            if attempts < 1 { fault("\(at): attempts \(attempts) is less than 1") }
            if let expected = self.parameters, !parameters.isEqual(expected) {
                fault("\(at): parameters differ from manifest.json's options.parameters")
            }
        }
        if count != imageIDs.count {
            fault("\(name): \(count) lines for \(imageIDs.count) images in annotations.json")
        }
    }

    /// Checks one image's annotations against its instance and semantic masks.
    /// - Complexity: one pass over the instance mask, then per annotation time proportional
    ///   to its area and its RLE runs.
    mutating func checkImage(_ imageID: Int, _ image: ImageEntry?, _ annotations: [[String: Any]]) {
        annotatedImages.insert(imageID)
        guard let image else {
            return fault("annotations.json: annotations name image_id \(imageID), which is not an image")
        }
        let stem = URL(fileURLWithPath: image.fileName).deletingPathExtension().lastPathComponent
        guard let instance = loadMask("masks/instance/\(stem).png", image),
              let semantic = loadMask("masks/semantic/\(stem).png", image) else { return }
        var measures: [Int: InstanceMeasure] = [:]
        instance.samples.withUnsafeBufferPointer { pixels in
            for measure in measureInstances(pixels: pixels, width: image.width, height: image.height, maxID: .max) {
                measures[Int(measure.instanceID)] = measure
            }
        }
        var instanceIDs = Set<Int>()
        for annotation in annotations {
            let id = annotation["id"] as? Int ?? 0
            guard let instanceID = annotation["instance_id"] as? Int, let category = annotation["category_id"] as? Int,
                  let area = annotation["area"] as? Int, let bbox = annotation["bbox"] as? [Int] else {
                fault("annotation \(id): lacks instance_id, category_id, area or bbox")
                continue
            }
            if !instanceIDs.insert(instanceID).inserted {
                fault("annotation \(id): instance_id \(instanceID) is annotated twice in image \(imageID)")
            }
            if annotation["iscrowd"] as? Int != 0 { fault("annotation \(id): iscrowd is not 0") }
            let measured = measures[instanceID]
            let box = measured?.bbox.cocoBBox ?? [0, 0, 0, 0]
            if measured?.area ?? 0 != area {
                fault("annotation \(id): area \(area), but the instance mask has \(measured?.area ?? 0) pixels of instance \(instanceID)")
            }
            if box != bbox { fault("annotation \(id): bbox \(bbox), but the instance mask's box is \(box)") }
            // Row-major indices of the pixels the segmentation claims; nil for polygons.
            guard let claimed = segmentationIntervals(annotation["segmentation"], id: id, area: area, bbox: box, image: image) else {
                continue
            }
            var claimedArea = 0
            var isExact = true, semanticFault: (Int, UInt16)?
            for run in claimed {
                claimedArea += run.count
                for p in run {
                    // Column-major (RLE) index → row-major pixel.
                    let pixel = (p % image.height) * image.width + p / image.height
                    if Int(instance.samples[pixel]) != instanceID { isExact = false }
                    if Int(semantic.samples[pixel]) != category, semanticFault == nil { semanticFault = (pixel, semantic.samples[pixel]) }
                }
            }
            // Equal counts and every claimed pixel the instance's: the same set.
            if !isExact || claimedArea != measured?.area ?? 0 {
                fault("annotation \(id): its RLE segmentation differs from the instance mask")
            }
            if let (pixel, value) = semanticFault {
                fault("annotation \(id): the semantic mask holds \(value), not category \(category), at pixel (\(pixel % image.width), \(pixel / image.width))")
            }
            if let amodal = annotation["amodal_segmentation"] {
                guard let whole = decodeRuns(amodal, image), let amodalArea = annotation["amodal_area"] as? Int else {
                    fault("annotation \(id): amodal_segmentation or amodal_area is malformed")
                    continue
                }
                if !isCovered(claimed, by: whole) { fault("annotation \(id): the visible mask is not inside the amodal mask") }
                if whole.reduce(0, { $0 + $1.count }) != amodalArea {
                    fault("annotation \(id): amodal_area \(amodalArea) differs from its amodal mask")
                }
                checkOcclusionFacts(annotation, id: id, area: area, amodalArea: amodalArea, instanceID: instanceID)
            }
        }
        if minimumFraction == 0 {
            for (instanceID, measure) in measures.sorted(by: { $0.key < $1.key })
            where measure.area >= minimumPixels && !instanceIDs.contains(instanceID) {
                fault("image \(imageID): instance \(instanceID) has \(measure.area) visible pixels in the instance mask but no annotation")
            }
        }
    }

    /// `visible_fraction`, `in_frame_fraction`, `occluders` and `z_order` agree with the
    /// areas and the instance id, as FORMATS.md defines them.
    mutating func checkOcclusionFacts(_ annotation: [String: Any], id: Int, area: Int, amodalArea: Int, instanceID: Int) {
        let expected = amodalArea > 0 ? Double(area) / Double(amodalArea) : 0
        // Foundation's JSON reader may round the last digit, so compare to 1e-12.
        let fraction = (annotation["visible_fraction"] as? NSNumber)?.doubleValue ?? .nan
        if !(abs(fraction - expected) <= 1e-12) {
            fault("annotation \(id): visible_fraction is not area / amodal_area = \(expected)")
        }
        if let inFrame = (annotation["in_frame_fraction"] as? NSNumber)?.doubleValue, !(0...1).contains(inFrame) {
            fault("annotation \(id): in_frame_fraction \(inFrame) is outside 0…1")
        }
        let occluders = annotation["occluders"] as? [[String: Any]] ?? []
        let hidden = occluders.reduce(0) { $0 + ($1["pixels"] as? Int ?? 0) }
        if hidden != amodalArea - area {
            fault("annotation \(id): its occluders cover \(hidden) pixels, amodal_area − area is \(amodalArea - area)")
        }
        if let z = annotation["z_order"] as? Int, z != instanceID { fault("annotation \(id): z_order \(z) is not its instance_id \(instanceID)") }
    }

    /// The set runs of an RLE segmentation (column-major index ranges). Polygons
    /// (pixel-edge, hole-free) are checked here to enclose exactly `area` pixels and span
    /// `bbox`, and give `nil`.
    mutating func segmentationIntervals(_ segmentation: Any?, id: Int, area: Int, bbox: [Int], image: ImageEntry) -> [Range<Int>]? {
        if let polygons = segmentation as? [[Double]] {
            var enclosed = 0.0
            var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
            for polygon in polygons where polygon.count >= 6 && polygon.count % 2 == 0 {
                var twice = 0.0
                for i in stride(from: 0, to: polygon.count, by: 2) {
                    let j = (i + 2) % polygon.count
                    twice += polygon[i] * polygon[j + 1] - polygon[j] * polygon[i + 1]
                    (minX, maxX) = (min(minX, polygon[i]), max(maxX, polygon[i]))
                    (minY, maxY) = (min(minY, polygon[i + 1]), max(maxY, polygon[i + 1]))
                }
                enclosed += abs(twice) / 2
            }
            if enclosed != Double(area) { fault("annotation \(id): its polygons enclose \(enclosed) pixels, area is \(area)") }
            if polygons.isEmpty || [minX, minY, maxX - minX, maxY - minY] != bbox.map(Double.init) {
                fault("annotation \(id): its polygons do not span its bbox \(bbox)")
            }
            return nil
        }
        guard let runs = decodeRuns(segmentation, image) else {
            fault("annotation \(id): segmentation is neither COCO RLE of size [\(image.height), \(image.width)] nor polygons")
            return nil
        }
        return runs
    }

    /// The set runs of a compressed COCO RLE of the image's size, as column-major index ranges.
    func decodeRuns(_ value: Any?, _ image: ImageEntry) -> [Range<Int>]? {
        guard let object = value as? [String: Any], object["size"] as? [Int] == [image.height, image.width],
              let counts = object["counts"] as? String,
              let rle = try? RLE(height: image.height, width: image.width, compressedCounts: counts) else { return nil }
        var runs: [Range<Int>] = []
        var position = 0
        for (i, count) in rle.counts.enumerated() {
            if i % 2 == 1, count > 0 { runs.append(position..<position + Int(count)) }
            position += Int(count)
        }
        return runs
    }

    /// Whether every index in `inner` lies in `outer` (both sorted, disjoint runs).
    func isCovered(_ inner: [Range<Int>], by outer: [Range<Int>]) -> Bool {
        var j = 0
        for run in inner {
            var start = run.lowerBound
            while start < run.upperBound {
                while j < outer.count, outer[j].upperBound <= start { j += 1 }
                guard j < outer.count, outer[j].lowerBound <= start else { return false }
                start = outer[j].upperBound
            }
        }
        return true
    }

    mutating func loadMask(_ path: String, _ image: ImageEntry) -> PNG.Image? {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(path)),
              let mask = try? PNG.decode(data) else {
            fault("\(path): missing or not a PNG")
            return nil
        }
        guard mask.width == image.width, mask.height == image.height, mask.channels == 1 else {
            fault("\(path): \(mask.width)×\(mask.height)×\(mask.channels), expected \(image.width)×\(image.height) grey")
            return nil
        }
        return mask
    }
}

/// Reads a COCO instances file as Tessera writes it — one record per line inside the
/// `images`, `annotations` and `categories` arrays — without holding the document.
enum COCOLines {
    enum Section { case images, annotations, categories }

    /// Calls `body` with each record, in file order.
    /// - Throws: `DatasetError.invalidDataset` when the file is missing or not in this layout.
    static func forEach(_ url: URL, _ body: (Section, [String: Any]) throws -> Void) throws {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetError.invalidDataset("\(url.path): missing or unreadable")
        }
        defer { try? handle.close() }
        var section: Section?
        var lineNumber = 0
        var pending: [UInt8] = []
        func process(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self)
            if lineNumber == 1 {
                guard text.hasPrefix("{\"info\":") else {
                    throw DatasetError.invalidDataset("\(url.path): not in Tessera's one-record-per-line layout (line 1)")
                }
                return
            }
            switch text {
            case "\"images\":[", "\"images\":[],": section = text.hasSuffix(",") ? nil : .images
            case "\"annotations\":[", "\"annotations\":[],": section = text.hasSuffix(",") ? nil : .annotations
            case "\"categories\":[", "\"categories\":[]}": section = text.hasSuffix("}") ? nil : .categories
            case "],", "]}", "\"licenses\":[],": section = nil
            default:
                var record = line
                if record.last == UInt8(ascii: ",") { record = record.dropLast() }
                guard let section, let object = (try? JSONSerialization.jsonObject(with: Data(record))) as? [String: Any] else {
                    throw DatasetError.invalidDataset("\(url.path):\(lineNumber): not a COCO record")
                }
                try body(section, object)
            }
        }
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try process(pending[start..<newline])
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try process(pending[...]) }
    }
}
