import Dataset
import Annotation
import DatasetReading
public import Foundation
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
///   polygons) is exactly the pixels of its `mask_id` in the instance mask, `area` is
///   their count and `bbox` their tight box; its visible mask lies inside its amodal mask,
///   whose area is `amodal_area`;
/// - `classes.json` lists every category in id order with the palette's colour, its things
///   are the COCO categories, and its bit depth and ignore value follow the category count;
/// - every pixel of every semantic mask follows the instance mask: an annotated instance's
///   `category_id`, the ignore value for an instance without an annotation, and 0 or a stuff
///   category where the instance mask is 0;
/// - `records.jsonl` has one line per written image, in order, with `image_id` = `index` + 1,
///   `attempts` ≥ 1, a `values` object and the manifest's `parameters`.
///
/// Everything is read through `DatasetReader`, streamed: memory stays bounded by one image's
/// masks and annotations and the id sets, whatever the number of files and images.
public enum DatasetValidator {
    public struct Report: Sendable {
        /// One line per fault found, naming the file and record.
        public var faults: [String] = []
        /// Faults beyond `maximumFaults` are counted, not kept.
        public var faultCount = 0
        public var files = 0
        /// Images checked; for a run of clips, frames.
        public var images = 0
        public var annotations = 0
        /// Frames per clip of a run of clips (manifest.json's `clip.frames`), else `nil`.
        public var framesPerClip: Int?

        public var isValid: Bool { faultCount == 0 }

        /// "12 images" — or, for clips, "2 clips of 24 frames (48 frames)".
        public var imageCount: String { OutputLayout.describe(images: images, framesPerClip: framesPerClip) }
    }

    /// Validates the dataset in `root`.
    /// - Parameter maximumFaults: how many fault lines to keep.
    /// - Throws: `DatasetError.missingInput` when `root` does not exist, `.usage` when it is
    ///   a file; `DatasetError.invalidDataset` when `manifest.json` or the instances files is
    ///   missing or a record in them is not what Tessera writes (a field missing or of the
    ///   wrong type, named with its line); nothing else can be checked then.
    public static func validate(_ root: URL, maximumFaults: Int = 50) throws -> Report {
        try DatasetError.reading {
            var validator = Validator(reader: try DatasetReader(root), maximumFaults: maximumFaults)
            try validator.checkManifest()
            try validator.checkAnnotations()
            try validator.checkRecords()
            return validator.report
        }
    }
}

private struct Validator {
    let reader: DatasetReader
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
    /// Frames per clip of a run of clips, else `nil`.
    var framesPerClip: Int?
    /// For a run of clips: the category of each track, by (clip id, track id), to check that
    /// a track is one object throughout its clip.
    var trackCategories: [TrackKey: Int] = [:]
    struct TrackKey: Hashable { var video: Int; var track: Int }
    var skippedIndices = Set<Int>()
    /// From the manifest's `options.split`: which split each image of the run belongs to.
    var splitPlan: SplitPlan?
    var splitAssignment: SplitAssignment?
    /// The paths `manifest.json` lists.
    var listedFiles = Set<String>()
    /// The manifest's `options.parameters`.
    var parameters: JSONValue?
    /// The PNG colour type (0 grey, 2 RGB) and bit depth every PNG image must have, from the
    /// manifest's `options.image_channels` and `image_bit_depth` (8-bit RGB when absent).
    var imageColourType: UInt8 = 2
    var imageBitDepth: UInt8 = 8
    /// The ids of the images in the instances files, ascending.
    var imageIDs: [Int] = []
    /// From `classes.json` (defaults when it cannot be read): the semantic masks' bit depth,
    /// their ignore value, and the stuff categories, which may fill pixels of no instance.
    var semanticBitDepth: Int?
    var ignoreValue: Int?
    /// By semantic value: whether it may stand where the instance mask is 0 (0 and the stuff
    /// categories).
    var isAllowedWithoutInstance: [Bool] = [true] + [Bool](repeating: false, count: 65535)

    init(reader: DatasetReader, maximumFaults: Int) {
        self.reader = reader
        self.maximumFaults = maximumFaults
    }

    mutating func fault(_ message: String) {
        report.faultCount += 1
        if report.faults.count < maximumFaults { report.faults.append(message) }
    }

    // MARK: - Files

    mutating func checkManifest() throws {
        let manifest = try reader.manifest()
        // The visibility options decide which visible instances must have an annotation.
        let options = manifest.options
        minimumPixels = options.minVisiblePixels ?? 1
        minimumFraction = options.minVisibleFraction ?? 0
        parameters = options.parameters
        switch (options.imageChannels ?? 3, options.imageBitDepth ?? 8) {
        case (3, 8): break
        case let (1, bits) where bits == 8 || bits == 16: (imageColourType, imageBitDepth) = (0, UInt8(bits))
        case let (channels, bits): fault("manifest.json: options.image_channels \(channels) and image_bit_depth \(bits) are not a sensor Tessera writes (1 and 8 or 16; 3 and 8)")
        }
        framesPerClip = manifest.clip?.frames
        report.framesPerClip = framesPerClip
        if let frames = framesPerClip, frames < 1 { fault("manifest.json: clip.frames is \(frames), not at least 1") }
        let clipCount = manifest.count
        let count = clipCount * max(1, framesPerClip ?? 1)
        if count >= 0 {
            if let shard = manifest.shard {
                if 0 <= shard.firstImage, shard.firstImage <= shard.endImage, shard.endImage <= count {
                    images = ImageIndices(shard.firstImage..<shard.endImage)
                } else {
                    fault("manifest.json: shard lacks a first_image and end_image within 0…count")
                }
            } else if let text = manifest.indices {
                do {
                    let indices = try ImageIndices(parsing: text, source: "manifest.json indices")
                    if indices.span.upperBound <= clipCount {
                        let frames = max(1, framesPerClip ?? 1)
                        images = ImageIndices(ranges: indices.ranges.map { $0.lowerBound * frames ..< $0.upperBound * frames })
                    } else {
                        fault("manifest.json: indices '\(text)' go beyond the run's count \(count)")
                    }
                } catch {
                    fault("manifest.json: indices is not an index set like \"17,40-59\" (\(error))")
                }
            } else {
                images = ImageIndices(0..<count)
            }
            let format = options.imageFormat.flatMap(ImageFormat.init(rawValue:)) ?? .png
            layout = OutputLayout(root: reader.root, imageCount: clipCount, imageFormat: format, framesPerClip: framesPerClip)
            if let splits = options.split {
                do {
                    let plan = try SplitPlan(parsing: splits.map { "\($0.name)=\($0.share)" }.joined(separator: ","))
                    splitPlan = plan
                    splitAssignment = plan.assignment(count: clipCount, framesPerClip: max(1, framesPerClip ?? 1))
                } catch {
                    fault("manifest.json: options.split is not a list of splits with shares adding up to 1 (\(error))")
                }
            }
        }
        for entry in manifest.acceptance?.skippedImages ?? [] {
            guard images?.contains(entry.index) ?? true else {
                fault("manifest.json: a skipped image lacks an index within the run's images")
                continue
            }
            if !skippedIndices.insert(entry.index).inserted { fault("manifest.json: image \(entry.index) is listed as skipped twice") }
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
        var listed = Set<String>()
        try reader.forEachFile { entry in
            let path = entry.path
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                fault("manifest.json: file path '\(path)' leaves the dataset folder")
                return true
            }
            listed.insert(path)
            report.files += 1
            if let index = skippedFiles[path] {
                fault("\(path): listed in manifest.json, but image \(index) is listed as skipped")
            }
            guard let actual = try? FileDigest(contentsOf: reader.url(path)) else {
                fault("\(path): missing (listed in manifest.json)")
                return true
            }
            if actual.bytes != entry.bytes {
                fault("\(path): \(actual.bytes) bytes, manifest.json records \(entry.bytes)")
            } else if actual.sha256 != entry.sha256 {
                fault("\(path): SHA-256 \(actual.sha256) differs from manifest.json's \(entry.sha256)")
            }
            if path.hasPrefix(DatasetFiles.imagesFolder + "/"), path.hasSuffix(".png") { checkImageHeader(path) }
            return true
        }
        for folder in DatasetFiles.imageFolders {
            // Numbered files only: a user's own file in an image folder is not the dataset's.
            // A run of clips files frames in clip folders (digits only), checked the same way.
            var subfolders = [folder]
            if framesPerClip != nil { subfolders += OutputLayout.clipFolders(in: reader.url(folder)).map { "\(folder)/\($0)" } }
            for subfolder in subfolders {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: reader.url(subfolder).path)) ?? []
                for name in names.sorted() where OutputLayout.isNumberedImageFile(name) && !listed.contains("\(subfolder)/\(name)") {
                    fault("\(subfolder)/\(name): present but not listed in manifest.json")
                }
            }
        }
        listedFiles = listed
    }

    /// A PNG image's IHDR (bytes 24 and 25: bit depth, colour type) against the sensor the
    /// manifest records.
    mutating func checkImageHeader(_ path: String) {
        guard let handle = try? FileHandle(forReadingFrom: reader.url(path)) else { return }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 26), head.count == 26,
              head.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            fault("\(path): not a PNG")
            return
        }
        let (depth, colour) = (head[head.startIndex + 24], head[head.startIndex + 25])
        if depth != imageBitDepth || colour != imageColourType {
            let what = { (c: UInt8, d: UInt8) in "\(c == 0 ? "grey" : c == 2 ? "RGB" : "colour type \(c)") at \(d) bits" }
            fault("\(path): \(what(colour, depth)), manifest.json's options say \(what(imageColourType, imageBitDepth))")
        }
    }

    // MARK: - Labels

    mutating func checkAnnotations() throws {
        var images: [Int: COCOFile.Image] = [:]
        var categories: [COCOFile.Category]?
        var annotationIDs = Set<Int>()
        let splits = try reader.splits()
        if let expected = splitPlan?.names, splits != expected {
            fault("\(DatasetFiles.annotationsFolder)/: holds the instances files of splits \(splits.joined(separator: ", ")), manifest.json's options.split names \(expected.joined(separator: ", "))")
        }
        // The class map first: it says which semantic values may stand outside instances.
        checkClassMap(try splits.first.map { try reader.categories(split: $0) } ?? [])
        for split in splits {
            let file = DatasetFiles.annotations(split: split)
            if !listedFiles.contains(file) { fault("manifest.json: does not list \(file)") }
            // Images and categories first; then the annotations, one image's group at a time.
            var splitImages: [Int: COCOFile.Image] = [:]
            let imageCursor = try reader.images(split: split)
            while let image = try imageCursor.next() {
                if images[image.id] != nil || splitImages[image.id] != nil { fault("\(file): image id \(image.id) is used twice") }
                splitImages[image.id] = image
                report.images += 1
                if let assignment = splitAssignment, (0..<assignment.count).contains(image.id - 1),
                   case let expected = assignment.splitName(of: image.id - 1), expected != split {
                    fault("\(file): image id \(image.id) belongs to split '\(expected)' (options.split in manifest.json)")
                }
            }
            images.merge(splitImages) { first, _ in first }
            let splitCategories = try reader.categories(split: split)
            if let categories, categories != splitCategories {
                fault("\(file): its categories differ from \(DatasetFiles.annotations(split: splits[0]))'s")
            } else if categories == nil {
                var ids = Set<Int>()
                for category in splitCategories where !ids.insert(category.id).inserted {
                    fault("\(file): category id \(category.id) is used twice")
                }
                categories = splitCategories
            }
            let categoryIDs = Set((categories ?? []).map(\.id))
            var group: [COCOFile.Annotation] = []
            var groupImage: Int?
            var previousID = 0
            let annotations = try reader.annotations(split: split)
            while let annotation = try annotations.next() {
                report.annotations += 1
                let id = annotation.id
                if !annotationIDs.insert(id).inserted { fault("\(file): annotation id \(id) is used twice") }
                if id <= previousID { fault("\(file): annotation id \(id) follows id \(previousID); ids increase in file order") }
                previousID = id
                if !categoryIDs.contains(annotation.categoryID) {
                    fault("annotation \(id): category_id \(annotation.categoryID) is not a category")
                }
                if annotation.imageID != groupImage {
                    if let groupImage { checkImage(groupImage, splitImages[groupImage], group, file: file) }
                    (group, groupImage) = ([], annotation.imageID)
                }
                group.append(annotation)
            }
            if let groupImage { checkImage(groupImage, splitImages[groupImage], group, file: file) }
            for id in splitImages.keys.sorted() where !annotatedImages.contains(id) { checkImage(id, splitImages[id], [], file: file) }
        }
        // Ids run 1, 2, … over the whole dataset (in image order, across the split files).
        if !annotationIDs.isEmpty, annotationIDs.min() != 1 || annotationIDs.max() != annotationIDs.count {
            fault("\(DatasetFiles.annotationsFolder)/: annotation ids are not 1…\(annotationIDs.count) over the dataset")
        }
        checkImageSet(images)
        imageIDs = images.keys.sorted()
    }

    /// `classes.json`: ids 1, 2, … in order, the palette's colours, the bit depth and ignore
    /// value of its category count, and its things exactly the COCO categories.
    mutating func checkClassMap(_ cocoCategories: [COCOFile.Category]) {
        let name = DatasetFiles.classes
        guard listedFiles.contains(name) else { return fault("manifest.json: does not list \(name)") }
        let map: ClassMapFile
        do {
            // A listed file that is missing is already a fault.
            guard let read = try reader.classMap() else { return }
            map = read
        } catch {
            return fault("\(name): \(error)")
        }
        let count = map.categories.count
        let depth = ClassMap.bitDepth(categoryCount: count)
        if map.bitDepth != depth { fault("\(name): bit_depth \(map.bitDepth), but \(count) categories make it \(depth)") }
        if map.ignoreValue != ClassMap.ignoreValue(bitDepth: depth) {
            fault("\(name): ignore_value \(map.ignoreValue) is not \(ClassMap.ignoreValue(bitDepth: depth))")
        }
        if map.backgroundValue != ClassMap.backgroundValue { fault("\(name): background_value \(map.backgroundValue) is not 0") }
        var names = Set<String>()
        for (i, category) in map.categories.enumerated() {
            if category.id != i + 1 { fault("\(name): category \(i + 1) in file order has id \(category.id); ids run 1, 2, … in order") }
            if !names.insert(category.name).inserted { fault("\(name): the name of category \(category.id) is used twice") }
            if category.isthing != 0 && category.isthing != 1 { fault("\(name): category \(category.id) has isthing \(category.isthing), not 0 or 1") }
            let color = ClassMap.color(of: category.id)
            if category.color != [color.red, color.green, color.blue] {
                fault("\(name): category \(category.id) has color \(category.color), the palette's is [\(color.red), \(color.green), \(color.blue)]")
            }
            if category.isthing == 0, (1...65535).contains(category.id) { isAllowedWithoutInstance[category.id] = true }
        }
        func key(_ id: Int, _ name: String, _ supercategory: String?) -> String { "\(id)\t\(Array(name.utf8))\t\(supercategory ?? "")" }
        let things = map.categories.filter { $0.isthing == 1 }.map { key($0.id, $0.name, $0.supercategory) }
        if things != cocoCategories.map({ key($0.id, $0.name, $0.supercategory) }) {
            fault("\(name): its thing categories (isthing 1) are not the instances files' categories, with the same ids, names and supercategories")
        }
        (semanticBitDepth, ignoreValue) = (depth, ClassMap.ignoreValue(bitDepth: depth))
    }

    /// The images are those of the run's set but the skipped ones, each under its index's
    /// file name.
    /// - Complexity: time linear in the set's size, memory independent of it.
    mutating func checkImageSet(_ entries: [Int: COCOFile.Image]) {
        guard let images, let layout else { return }
        let instances = "\(DatasetFiles.annotationsFolder)/"
        for index in images {
            let id = index + 1
            let entry = entries[id]
            if skippedIndices.contains(index) {
                if entry != nil { fault("\(instances): image id \(id) is listed, but manifest.json lists image \(index) as skipped") }
            } else if let entry {
                if entry.fileName != layout.imageFileName(index) {
                    fault("\(instances): image id \(id) has file_name '\(entry.fileName)', expected '\(layout.imageFileName(index))'")
                }
            } else {
                fault("\(instances): image \(index) (id \(id)) is missing, and manifest.json does not list it as skipped")
            }
        }
        for id in entries.keys.sorted() where !images.contains(id - 1) {
            let set = images.isContiguous ? "\(images.span.lowerBound + 1)…\(images.span.upperBound)"
                : "(indices \(images) in manifest.json, ids one more)"
            fault("\(instances): image id \(id) is outside the run's images \(set)")
        }
    }

    /// `records.jsonl`: one line per image of the instances files, in id order, each naming
    /// its image, with the manifest's parameters. Read a line at a time; a line that is not
    /// a record is a fault, and the check goes on with the next.
    mutating func checkRecords() throws {
        let name = DatasetFiles.records
        guard listedFiles.contains(name) else { return fault("manifest.json: does not list \(name)") }
        // A listed file that is missing is already a fault.
        guard let records = try reader.records() else { return }
        var count = 0
        while true {
            let next: ImageRecord?
            do { next = try records.next() } catch let DatasetReadError.malformed(_, line, reason) {
                count += 1
                fault("\(name):\(line): not a JSON object with image_id, index, attempts, values and parameters (\(reason))")
                continue
            }
            guard let record = next else { break }
            count += 1
            let at = "\(name):\(records.lineNumber)"
            guard records.isLineTerminated else {
                fault("\(at): not a JSON object on a line of its own")
                continue
            }
            guard case .object = record.values else {
                fault("\(at): values is not an object")
                continue
            }
            if record.imageID != record.index + 1 { fault("\(at): image_id \(record.imageID) is not index + 1 (index \(record.index))") }
            if count <= imageIDs.count, imageIDs[count - 1] != record.imageID {
                fault("\(at): image_id \(record.imageID), but image \(count) of the instances files has id \(imageIDs[count - 1])")
            }
            if let assignment = splitAssignment, (0..<assignment.count).contains(record.index),
               case let expected = assignment.splitName(of: record.index), record.split != expected {
                fault("\(at): split \(record.split.map { "'\($0)'" } ?? "missing"), but image \(record.index) is in split '\(expected)'")
            }
            if record.attempts < 1 { fault("\(at): attempts \(record.attempts) is less than 1") }
            if let expected = parameters, record.parameters != expected {
                fault("\(at): parameters differ from manifest.json's options.parameters")
            }
        }
        if count != imageIDs.count {
            fault("\(name): \(count) lines for \(imageIDs.count) images in the instances files")
        }
    }

    /// Checks one image's annotations against its instance and semantic masks.
    /// - Complexity: one pass over the instance mask, then per annotation time proportional
    ///   to its area and its RLE runs.
    /// A clip's frame: its `video_id` and `frame_id` follow from its id; every annotation has
    /// a `track_id` ≥ 1, no track is annotated twice in the frame, and a track keeps its
    /// category over the clip. Outside clips, none of these fields may appear.
    mutating func checkTracks(_ imageID: Int, _ image: COCOFile.Image, _ annotations: [COCOFile.Annotation]) {
        guard let frames = framesPerClip, frames >= 1 else {
            if image.videoID != nil || image.frameID != nil || image.unannotatedTracks != nil {
                fault("image id \(imageID): has video_id/frame_id/unannotated_tracks, but manifest.json declares no clip")
            }
            for annotation in annotations where annotation.trackID != nil {
                fault("annotation \(annotation.id): has a track_id, but manifest.json declares no clip")
            }
            return
        }
        let (video, frame) = ((imageID - 1) / frames + 1, (imageID - 1) % frames)
        if image.videoID != video || image.frameID != frame {
            fault("image id \(imageID): video_id \(image.videoID.map(String.init) ?? "missing") and frame_id \(image.frameID.map(String.init) ?? "missing"), expected \(video) and \(frame) (clips of \(frames) frames)")
        }
        var tracks = Set<Int>()
        for annotation in annotations {
            guard let track = annotation.trackID, track >= 1 else {
                fault("annotation \(annotation.id): lacks a track_id ≥ 1 (a frame of clip \(video))")
                continue
            }
            if !tracks.insert(track).inserted { fault("annotation \(annotation.id): track \(track) is annotated twice in image \(imageID)") }
            let key = TrackKey(video: video, track: track)
            if let category = trackCategories[key], category != annotation.categoryID {
                fault("annotation \(annotation.id): track \(track) of clip \(video) has category \(annotation.categoryID) here, \(category) in an earlier frame")
            } else {
                trackCategories[key] = annotation.categoryID
            }
        }
        // Tracks in the frame without an annotation: each once, none also annotated, inside
        // the canvas, with a category the track keeps.
        for hidden in image.unannotatedTracks ?? [] {
            let track = hidden.trackID
            guard track >= 1 else { fault("image id \(imageID): unannotated_tracks holds track_id \(track), not ≥ 1"); continue }
            if !tracks.insert(track).inserted { fault("image id \(imageID): track \(track) is listed twice among its annotations and unannotated_tracks") }
            let box = hidden.amodalBBox
            if box.count != 4 || hidden.amodalArea < 1 || box[0] < 0 || box[1] < 0 || box[2] < 1 || box[3] < 1
                || box[0] + box[2] > image.width || box[1] + box[3] > image.height {
                fault("image id \(imageID): unannotated track \(track) has amodal_bbox \(box) and amodal_area \(hidden.amodalArea); both must describe pixels inside the \(image.width)×\(image.height) canvas")
            }
            if !(0...1).contains(hidden.visibleFraction) || !(0...1).contains(hidden.inFrameFraction) {
                fault("image id \(imageID): unannotated track \(track) has a visible_fraction or in_frame_fraction outside 0…1")
            }
            let key = TrackKey(video: video, track: track)
            if let category = trackCategories[key], category != hidden.categoryID {
                fault("image id \(imageID): unannotated track \(track) of clip \(video) has category \(hidden.categoryID) here, \(category) in another frame")
            } else {
                trackCategories[key] = hidden.categoryID
            }
        }
    }

    mutating func checkImage(_ imageID: Int, _ image: COCOFile.Image?, _ annotations: [COCOFile.Annotation], file: String) {
        annotatedImages.insert(imageID)
        guard let image else {
            return fault("\(file): annotations name image_id \(imageID), which is not an image of this file")
        }
        guard let instance = loadMask(DatasetFiles.instanceMask(forImage: image.fileName), image),
              let semantic = loadMask(DatasetFiles.semanticMask(forImage: image.fileName), image) else { return }
        var measures: [Int: InstanceMeasure] = [:]
        instance.samples.withUnsafeBufferPointer { pixels in
            for measure in measureInstances(pixels: pixels, width: image.width, height: image.height, maxID: .max) {
                measures[Int(measure.instanceID)] = measure
            }
        }
        checkTracks(imageID, image, annotations)
        var instanceIDs = Set<Int>()
        // The category of each annotated instance, for the semantic mask.
        var categoryOfInstance: [Int: Int] = [:]
        for annotation in annotations {
            let (id, category, area, bbox) = (annotation.id, annotation.categoryID, annotation.area, annotation.bbox)
            guard let instanceID = annotation.instanceID else {
                fault("annotation \(id): lacks mask_id")
                continue
            }
            if !instanceIDs.insert(instanceID).inserted {
                fault("annotation \(id): mask_id \(instanceID) is annotated twice in image \(imageID)")
            }
            if annotation.iscrowd != 0 { fault("annotation \(id): iscrowd is not 0") }
            categoryOfInstance[instanceID] = category
            let measured = measures[instanceID]
            let box = measured?.bbox.cocoBBox ?? [0, 0, 0, 0]
            if measured?.area ?? 0 != area {
                fault("annotation \(id): area \(area), but the instance mask has \(measured?.area ?? 0) pixels of instance \(instanceID)")
            }
            if box.map(Double.init) != bbox { fault("annotation \(id): bbox \(Self.text(bbox)), but the instance mask's box is \(box)") }
            // Row-major indices of the pixels the segmentation claims; nil for polygons.
            guard let claimed = segmentationIntervals(annotation.segmentation, id: id, area: area, bbox: box, image: image) else {
                continue
            }
            var claimedArea = 0
            var isExact = true
            for run in claimed {
                claimedArea += run.count
                for p in run {
                    // Column-major (RLE) index → row-major pixel.
                    let pixel = (p % image.height) * image.width + p / image.height
                    if Int(instance.samples[pixel]) != instanceID { isExact = false }
                }
            }
            // Equal counts and every claimed pixel the instance's: the same set.
            if !isExact || claimedArea != measured?.area ?? 0 {
                fault("annotation \(id): its RLE segmentation differs from the instance mask")
            }
            if let amodal = annotation.amodalSegmentation {
                guard let whole = decodeRuns(amodal, image), let amodalArea = annotation.amodalArea else {
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
        checkSemanticMask(image, instance: instance, semantic: semantic, measures: measures, categoryOfInstance: categoryOfInstance)
        if minimumFraction == 0 {
            for (instanceID, measure) in measures.sorted(by: { $0.key < $1.key })
            where measure.area >= minimumPixels && !instanceIDs.contains(instanceID) {
                fault("image \(imageID): instance \(instanceID) has \(measure.area) visible pixels in the instance mask but no annotation")
            }
        }
    }

    /// Every pixel of the semantic mask: the `category_id` of the annotation of the pixel's
    /// instance in the instance mask, the ignore value for an instance without an annotation,
    /// and 0 or a stuff category where the instance mask is 0 (background, stuff and unlabeled
    /// objects, which the instance mask does not tell apart).
    /// - Complexity: one pass over the pixels.
    mutating func checkSemanticMask(_ image: COCOFile.Image, instance: PNG.Image, semantic: PNG.Image,
                                    measures: [Int: InstanceMeasure], categoryOfInstance: [Int: Int]) {
        let path = DatasetFiles.semanticMask(forImage: image.fileName)
        let depth = semanticBitDepth ?? semantic.bitDepth
        if semantic.bitDepth != depth { fault("\(path): \(semantic.bitDepth)-bit, classes.json says \(depth)-bit") }
        let ignore = ignoreValue ?? ClassMap.ignoreValue(bitDepth: semantic.bitDepth)
        // The expected value per instance id; -1 where the instance mask is 0.
        var expected = [Int](repeating: -1, count: (measures.keys.max() ?? 0) + 1)
        for id in measures.keys { expected[id] = categoryOfInstance[id] ?? ignore }
        var wrong = 0, first: (pixel: Int, found: Int, wanted: String)?
        for pixel in 0..<instance.samples.count {
            let (id, value) = (Int(instance.samples[pixel]), Int(semantic.samples[pixel]))
            let want = expected[id]
            let isRight = want >= 0 ? value == want : isAllowedWithoutInstance[value]
            guard !isRight else { continue }
            wrong += 1
            if first == nil {
                let wanted = want >= 0 ? (categoryOfInstance[id] != nil ? "category \(want) of instance \(id)" : "the ignore value \(want) (instance \(id) has no annotation)")
                    : "0 or a stuff category (the instance mask is 0)"
                first = (pixel, value, wanted)
            }
        }
        if let first {
            fault("\(path): \(wrong) pixel\(wrong == 1 ? "" : "s") differ from the instance mask and annotations; the first at (\(first.pixel % image.width), \(first.pixel / image.width)) holds \(first.found), expected \(first.wanted)")
        }
    }

    /// `visible_fraction`, `in_frame_fraction`, `occluders` and `z_order` agree with the
    /// areas and the instance id, as FORMATS.md defines them.
    mutating func checkOcclusionFacts(_ annotation: COCOFile.Annotation, id: Int, area: Int, amodalArea: Int, instanceID: Int) {
        let expected = amodalArea > 0 ? Double(area) / Double(amodalArea) : 0
        // Exact: the writer prints the shortest round-trip text and JSONDecoder reads it back.
        if annotation.visibleFraction != expected {
            fault("annotation \(id): visible_fraction is not area / amodal_area = \(expected)")
        }
        if let inFrame = annotation.inFrameFraction, !(0...1).contains(inFrame) {
            fault("annotation \(id): in_frame_fraction \(inFrame) is outside 0…1")
        }
        let hidden = (annotation.occluders ?? []).reduce(0) { $0 + $1.pixels }
        if hidden != amodalArea - area {
            fault("annotation \(id): its occluders cover \(hidden) pixels, amodal_area − area is \(amodalArea - area)")
        }
        if let z = annotation.zOrder, z != instanceID { fault("annotation \(id): z_order \(z) is not its mask_id \(instanceID)") }
    }

    /// The set runs of an RLE segmentation (column-major index ranges). Polygons
    /// (pixel-edge, hole-free) are checked here to enclose exactly `area` pixels and span
    /// `bbox`, and give `nil`.
    mutating func segmentationIntervals(_ segmentation: COCOFile.Segmentation, id: Int, area: Int, bbox: [Int], image: COCOFile.Image) -> [Range<Int>]? {
        switch segmentation {
        case let .polygons(polygons):
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
        case let .rle(rle):
            guard let runs = decodeRuns(rle, image) else {
                fault("annotation \(id): segmentation is neither COCO RLE of size [\(image.height), \(image.width)] nor polygons")
                return nil
            }
            return runs
        }
    }

    /// The set runs of a compressed COCO RLE of the image's size, as column-major index ranges.
    func decodeRuns(_ value: COCOFile.RLE, _ image: COCOFile.Image) -> [Range<Int>]? {
        guard value.size == [image.height, image.width],
              let rle = try? RLE(height: image.height, width: image.width, compressedCounts: value.counts) else { return nil }
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

    mutating func loadMask(_ path: String, _ image: COCOFile.Image) -> PNG.Image? {
        let mask: PNG.Image
        do { mask = try PNG.read(reader.url(path)) } catch {
            fault("\(path): \(error.reason)")
            return nil
        }
        guard mask.width == image.width, mask.height == image.height, mask.channels == 1 else {
            fault("\(path): \(mask.width)×\(mask.height)×\(mask.channels), expected \(image.width)×\(image.height) grey")
            return nil
        }
        return mask
    }

    /// A bbox as the file holds it: integers without a fraction (`[3, 4, 10, 7]`).
    static func text(_ bbox: [Double]) -> String {
        "[" + bbox.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }.joined(separator: ", ") + "]"
    }
}
