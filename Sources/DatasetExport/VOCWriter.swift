import Annotation
import Dataset
import DatasetReading
import Foundation
import Rendering

/// Pascal VOC, as the VOC2012 development kit lays it out and its readers (torchvision,
/// detectron2, Datumaro) read it (docs/FORMATS.md, "Pascal VOC"):
///
/// ```
/// JPEGImages/NNNNNN.png                the dataset's images, hard-linked; the extension is kept
/// Annotations/NNNNNN.xml               VOC XML: size, one <object> per annotation
/// SegmentationClass/NNNNNN.png         8-bit palette PNG: class index (category id), 255 void
/// SegmentationObject/NNNNNN.png        8-bit palette PNG: object index 1…N in <object> order, 255 void
/// ImageSets/Main/<split>.txt           the image names (stems) of each split
/// ImageSets/Main/<class>_<split>.txt   per thing class: each image name and 1 / -1 / 0 (present / absent / only difficult)
/// ImageSets/Segmentation/<split>.txt   the same (every image is segmented)
/// labelmap.txt                         class index → name and colour (Datumaro's labelmap)
/// ```
///
/// Boxes use VOC's convention: 1-based pixel indices, inclusive at both ends, so Tessera's
/// `[x, y, w, h]` becomes xmin = x + 1, ymin = y + 1, xmax = x + w, ymax = y + h.
///
/// An image with more than 254 annotations cannot be numbered in an 8-bit object PNG;
/// ``VOCOverflow`` decides what happens then. VOC's void band over instance borders is drawn
/// only when asked (``ExportOptions/vocVoidBand``), as it hides labelled pixels.
struct VOCWriter: ExportWriter {
    /// The largest object index of an 8-bit object PNG (255 is void).
    static let maxObjects8 = 254
    /// The void value of a 16-bit object PNG (`--voc-overflow gray16`).
    static let void16: UInt16 = 65535

    private let classMap: ClassMapFile
    private let manifest: DatasetManifest
    private let overflow: VOCOverflow
    private let voidBand: Int
    /// The thing classes (those with objects), in id order: VOC's per-class image lists.
    private let thingClasses: [ClassMapFile.Category]
    /// Per split, per thing class: lines of `<class>_<split>.txt` not yet appended to it.
    private var classLines: [String: [[UInt8]]] = [:]
    private var pendingClassBytes = 0
    /// Category id → name; VOC's class index is the category id (classes.json's ids are 1…N).
    private let names: [Int: String]
    /// The VOC colour map: 256 colours, index 255 VOC's void colour.
    private let palette: [(red: UInt8, green: UInt8, blue: UInt8)]
    private var folder: ExportFolder!
    private var mainLists: [String: ExportStream] = [:]
    private var segmentationLists: [String: ExportStream] = [:]

    /// - Throws: `DatasetError.invalidDataset` when the dataset has no `classes.json` or its
    ///   ids are not 1…N; `DatasetError.usage` when the classes do not fit VOC: more than 254
    ///   (the class PNG is 8-bit with 255 void), a name holding `:` (labelmap.txt's separator),
    ///   or a class named `background` (labelmap.txt's index 0).
    init(_ source: ExportSource) throws {
        classMap = try source.requiredClassMap(for: .voc)
        manifest = source.manifest
        overflow = source.options.vocOverflow
        voidBand = source.options.vocVoidBand
        let categories = classMap.categories
        guard classMap.ignoreValue == 255 else {
            throw DatasetError.usage("--format voc: the dataset has \(categories.count) categories; VOC's SegmentationClass PNG is 8-bit with 255 as void, so it holds at most \(Self.maxObjects8)")
        }
        for (index, category) in categories.enumerated() where category.id != index + 1 {
            throw DatasetError.invalidDataset("\(source.classMapURL.path): category \(index + 1) has id \(category.id); ids must be 1, 2, … in order")
        }
        try Self.checkClasses(categories.map { (name: $0.name, isThing: $0.isthing == 1) })
        thingClasses = categories.filter { $0.isthing == 1 }
        names = Dictionary(uniqueKeysWithValues: categories.map { ($0.id, $0.name) })
        palette = (0..<256).map { value in
            let color = ClassMap.color(of: value)
            return (UInt8(color.red), UInt8(color.green), UInt8(color.blue))
        }
    }

    /// Whether classes with these names fit VOC: at most 254 (the class PNG is 8-bit with
    /// 255 void), no name holding `:` (labelmap.txt's separator), none named `background`
    /// or `ignored` (labelmap.txt's class 0 and void), no thing class whose name cannot name
    /// a file `ImageSets/Main/<class>_<split>.txt`. `render --format voc` asks before
    /// rendering, the export when it starts.
    /// - Throws: `DatasetError.usage` naming the class.
    static func checkClasses(_ classes: [(name: String, isThing: Bool)]) throws {
        guard classes.count <= maxObjects8 else {
            throw DatasetError.usage("--format voc: the dataset has \(classes.count) categories; VOC's SegmentationClass PNG is 8-bit with 255 as void, so it holds at most \(maxObjects8)")
        }
        for category in classes {
            if category.name.contains(":") {
                throw DatasetError.usage("--format voc: class '\(category.name)' holds ':', which separates the fields of VOC's labelmap.txt")
            }
            if category.name == "background" || category.name == "ignored" {
                throw DatasetError.usage("--format voc: a class is named '\(category.name)', which labelmap.txt gives to VOC's \(category.name == "background" ? "class 0" : "void, 255")")
            }
            if category.isThing, category.name.contains("/") || category.name.hasPrefix(".") {
                throw DatasetError.usage("--format voc: class '\(category.name)' names a file ImageSets/Main/<class>_<split>.txt, and a name with '/' or a leading '.' cannot")
            }
        }
    }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
        for name in ["JPEGImages", "Annotations", "SegmentationClass", "SegmentationObject"] {
            try folder.createFolder(folder.url(name))
        }
        for split in splits {
            mainLists[split] = try ExportStream("ImageSets/Main/\(split).txt", in: folder)
            segmentationLists[split] = try ExportStream("ImageSets/Segmentation/\(split).txt", in: folder)
            for category in thingClasses {
                let name = Self.classListFile(category.name, split: split)
                if splits.contains(where: { "ImageSets/Main/\($0).txt" == name }) {
                    throw DatasetError.usage("--format voc: class '\(category.name)' of split '\(split)' and split '\(category.name)_\(split)' would both write \(name)")
                }
                try folder.write([], to: name)
            }
            classLines[split] = Array(repeating: [], count: thingClasses.count)
        }
    }

    /// VOC's per-class image list of `split`.
    static func classListFile(_ className: String, split: String) -> String { "ImageSets/Main/\(className)_\(split).txt" }

    /// An image's three files, made in its preparation.
    struct Files: Sendable {
        /// The 8-bit image when the dataset's is 16-bit (``ExportItem/eightBitImage(_:)``).
        var image: Data?
        var xml: [UInt8]
        var classPNG: Data
        var objectPNG: Data
    }

    func preparation() -> @Sendable (ExportItem) throws -> Files {
        let preparation = Preparation(classMap: classMap, manifest: manifest, overflow: overflow, voidBand: voidBand,
                                      names: names, palette: palette)
        return { item in try preparation.files(of: item) }
    }

    /// The per-image part of the writer: what it needs of the dataset to make an image's
    /// files, and nothing it writes to.
    private struct Preparation: Sendable {
        let classMap: ClassMapFile
        let manifest: DatasetManifest
        let overflow: VOCOverflow
        let voidBand: Int
        let names: [Int: String]
        let palette: [(red: UInt8, green: UInt8, blue: UInt8)]

        /// The XML and the class and object PNGs of `item`.
        func files(of item: ExportItem) throws -> Files {
            let image = item.image
            if item.annotations.count > VOCWriter.maxObjects8, overflow == .error {
                throw DatasetError.usage("--format voc: image \(image.id) (\(image.fileName)) has \(item.annotations.count) annotations; VOC's SegmentationObject PNG (8-bit, 255 void) numbers at most \(VOCWriter.maxObjects8) objects. Export with --voc-overflow gray16 to write 16-bit greyscale object PNGs instead (docs/FORMATS.md, \"Pascal VOC\")")
            }
            if item.annotations.count >= Int(VOCWriter.void16) {
                throw DatasetError.usage("--format voc: image \(image.id) (\(image.fileName)) has \(item.annotations.count) annotations; a 16-bit SegmentationObject PNG numbers at most \(VOCWriter.void16 - 1) (65535 is void)")
            }
            let mask = try item.instanceMask()
            let semantic = try item.semanticMask()
            var xml = """
                <annotation>
                \t<folder>JPEGImages</folder>
                \t<filename>\(VOCWriter.escaped(item.imageFileName))</filename>
                \t<source>
                \t\t<database>Tessera</database>
                \t\t<annotation>\(VOCWriter.escaped("\(manifest.tool) \(manifest.version)"))</annotation>
                \t\t<image>\(VOCWriter.escaped("scene \(manifest.scene.name), seed \(manifest.seed)"))</image>
                \t</source>
                \t<size>
                \t\t<width>\(image.width)</width>
                \t\t<height>\(image.height)</height>
                \t\t<depth>\(manifest.options.imageChannels ?? 3)</depth>
                \t</size>
                \t<segmented>1</segmented>

                """
            // Per `mask_id`: the object index (1-based), 0 for none.
            var objectIndex = [UInt16](repeating: 0, count: 65536)
            for (index, annotation) in item.annotations.enumerated() {
                guard let name = names[annotation.categoryID] else {
                    throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(image.id) has category_id \(annotation.categoryID), which is no category of classes.json")
                }
                // instanceMask() has checked that every annotation has a mask_id with pixels.
                let id = annotation.instanceID ?? 0
                guard let box = mask.box(of: id), objectIndex[id] == 0 else {
                    throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(image.id): mask_id \(id) is another annotation's too")
                }
                objectIndex[id] = UInt16(index + 1)
                xml += """
                    \t<object>
                    \t\t<name>\(VOCWriter.escaped(name))</name>
                    \t\t<pose>Unspecified</pose>
                    \t\t<truncated>\((annotation.inFrameFraction ?? 1) < 1 ? 1 : 0)</truncated>

                    """
                if let visibleFraction = annotation.visibleFraction {
                    xml += "\t\t<occluded>\(visibleFraction < 1 ? 1 : 0)</occluded>\n"
                }
                xml += """
                    \t\t<difficult>0</difficult>
                    \t\t<bndbox>
                    \t\t\t<xmin>\(box.minX + 1)</xmin>
                    \t\t\t<ymin>\(box.minY + 1)</ymin>
                    \t\t\t<xmax>\(box.maxX + 1)</xmax>
                    \t\t\t<ymax>\(box.maxY + 1)</ymax>
                    \t\t</bndbox>
                    \t</object>

                    """
            }
            xml += "</annotation>\n"
            let band = voidBand > 0 ? VOCWriter.borderBand(mask.raster.pixels, width: mask.raster.width, height: mask.raster.height, band: voidBand) : nil
            return Files(image: try item.eightBitImage(manifest), xml: Array(xml.utf8), classPNG: try classPNG(semantic, band: band, item: item),
                         objectPNG: try objectPNG(mask.raster, objectIndex: objectIndex, band: band, is16Bit: overflow == .gray16))
        }

        /// The class PNG: the semantic mask's values as palette indices (they are already VOC's:
        /// 0 background, a category id, 255 void), 255 on the void band when there is one.
        /// - Throws: `DatasetError.invalidDataset` naming the mask at a value that is none of those.
        private func classPNG(_ semantic: LabelRaster, band: [Bool]?, item: ExportItem) throws -> Data {
            let count = classMap.categories.count
            var indices = [UInt8](repeating: 0, count: semantic.pixels.count)
            for (p, value) in semantic.pixels.enumerated() {
                guard Int(value) <= count || Int(value) == classMap.ignoreValue else {
                    throw DatasetError.invalidDataset("\(item.semanticMaskURL.path): value \(value) at pixel (\(p % semantic.width), \(p / semantic.width)) is no category of classes.json and not its ignore value")
                }
                indices[p] = band?[p] == true ? 255 : UInt8(truncatingIfNeeded: value)
            }
            return try PNG.encodePalette8(indices, palette: palette, width: semantic.width, height: semantic.height)
        }

        /// The object PNG: 0 where no instance is, the object index of an annotated instance's
        /// pixels, void (255, or 65535 in 16-bit) on an instance without annotation and on the
        /// void band when there is one.
        private func objectPNG(_ instances: LabelRaster, objectIndex: [UInt16], band: [Bool]?, is16Bit: Bool) throws -> Data {
            func value(_ p: Int, _ id: UInt16) -> UInt16? {
                if band?[p] == true { return nil }
                return id == 0 ? 0 : objectIndex[Int(id)] == 0 ? nil : objectIndex[Int(id)]
            }
            if is16Bit {
                let values = instances.pixels.enumerated().map { value($0, $1) ?? VOCWriter.void16 }
                return try PNG.encodeGray16(values, width: instances.width, height: instances.height)
            }
            let indices = instances.pixels.enumerated().map { value($0, $1).map { UInt8($0) } ?? 255 }
            return try PNG.encodePalette8(indices, palette: palette, width: instances.width, height: instances.height)
        }
    }


    mutating func write(_ item: ExportItem, _ files: Files) throws {
        guard let mainList = mainLists[item.split], let segmentationList = segmentationLists[item.split] else {
            throw DatasetError.invalidDataset("image \(item.image.id) is in split '\(item.split)', which the dataset does not list")
        }
        try folder.placeImage(item, converted: files.image, at: "JPEGImages/" + item.imageFileName)
        try folder.write(files.xml, to: "Annotations/\(item.stem).xml")
        try folder.write([UInt8](files.classPNG), to: "SegmentationClass/\(item.stem).png")
        try folder.write([UInt8](files.objectPNG), to: "SegmentationObject/\(item.stem).png")
        try mainList.append(Array("\(item.stem)\n".utf8))
        try segmentationList.append(Array("\(item.stem)\n".utf8))
        try appendClassLines(item)
    }

    /// Adds the image's line to each of its split's per-class lists: ` 1` when it has an
    /// object of the class that is not difficult, ` 0` when only difficult ones (Tessera
    /// marks none difficult, so 0 does not occur), `-1` when none — the devkit's `%s %2d`.
    /// Lines are gathered and appended to the files 1 MiB at a time, so memory stays flat
    /// and no more than one file is open.
    private mutating func appendClassLines(_ item: ExportItem) throws {
        let present = Set(item.annotations.map(\.categoryID))
        for (k, category) in thingClasses.enumerated() {
            let line = Array("\(item.stem) \(present.contains(category.id) ? " 1" : "-1")\n".utf8)
            classLines[item.split]?[k] += line
            pendingClassBytes += line.count
        }
        if pendingClassBytes >= 1 << 20 { try flushClassLines() }
    }

    private mutating func flushClassLines() throws {
        for (split, lists) in classLines {
            for (k, lines) in lists.enumerated() where !lines.isEmpty {
                let url = folder.url(Self.classListFile(thingClasses[k].name, split: split))
                do {
                    let handle = try FileHandle(forWritingTo: url)
                    defer { try? handle.close() }
                    try handle.seekToEnd()
                    try handle.write(contentsOf: lines)
                } catch {
                    throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
                }
                classLines[split]?[k] = []
            }
        }
        pendingClassBytes = 0
    }

    mutating func finish() throws {
        try flushClassLines()
        for stream in mainLists.values { try stream.close() }
        for stream in segmentationLists.values { try stream.close() }
        mainLists = [:]
        segmentationLists = [:]
        var text = "# label:color_rgb:parts:actions\nbackground:0,0,0::\n"
        for category in classMap.categories {
            let (red, green, blue) = palette[category.id]
            text += "\(category.name):\(red),\(green),\(blue)::\n"
        }
        // VOC's void, so that readers mapping the class PNG's colours through this file
        // (Datumaro) know the colour of 255 instead of failing on it.
        let void = palette[255]
        text += "ignored:\(void.red),\(void.green),\(void.blue)::\n"
        try folder.write(Array(text.utf8), to: "labelmap.txt")
    }

    /// VOC's void band: the pixels within a band `band` pixels wide centred on every border
    /// of the instance mask `pixels` (row-major, `w` × `h`) (between two instances, or an instance and what is not one).
    ///
    /// The band is the square (Chebyshev) dilation of the border pixels: for an odd width
    /// 2k + 1, the pixels whose right or lower neighbour has another value, dilated by k (k + 1
    /// pixels on the left or upper side of a straight border, k on the other); for an even
    /// width 2k + 2, the pixels with any 4-neighbour of another value, dilated by k (k + 1 on
    /// each side). So a straight border gets exactly `width` void pixels across it.
    /// - Returns: row-major, `true` in the band.
    /// - Complexity: O(pixels), whatever the width.
    static func borderBand(_ pixels: [UInt16], width w: Int, height h: Int, band: Int) -> [Bool] {
        let radius = (band - 1) / 2, isTwoSided = band % 2 == 0
        var seeds = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x, v = pixels[p]
                if x + 1 < w, pixels[p + 1] != v { seeds[p] = 1; if isTwoSided { seeds[p + 1] = 1 } }
                if y + 1 < h, pixels[p + w] != v { seeds[p] = 1; if isTwoSided { seeds[p + w] = 1 } }
            }
        }
        // Separable dilation: a sliding count of seeds along each row, then each column.
        func dilate(_ input: [UInt8], lines: Int, length: Int, step: Int, stride: Int) -> [UInt8] {
            var output = [UInt8](repeating: 0, count: input.count)
            for line in 0..<lines {
                let base = line * stride
                var count = 0
                for i in 0..<min(radius, length) { count += Int(input[base + i * step]) }
                for i in 0..<length {
                    if i + radius < length { count += Int(input[base + (i + radius) * step]) }
                    if i - radius - 1 >= 0 { count -= Int(input[base + (i - radius - 1) * step]) }
                    output[base + i * step] = count > 0 ? 1 : 0
                }
            }
            return output
        }
        let rows = dilate(seeds, lines: h, length: w, step: 1, stride: w)
        return dilate(rows, lines: w, length: h, step: w, stride: 1).map { $0 != 0 }
    }

    /// `text` with XML's `&`, `<` and `>` escaped, for element content.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
