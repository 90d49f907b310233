import Annotation
import Dataset
import DatasetReading
public import Foundation
import ImageFiles
import Rendering
import SceneModel

/// Draws a contact sheet of a dataset (`tessera preview`): its first images, each with every
/// annotated instance's visible mask tinted, its bbox outlined, its class name at the box's
/// top-left and, where the amodal mask differs from the visible one, the amodal outline
/// dashed; the image id and file name under each tile. See `ContactSheet` for the layout.
///
/// The visible mask is read from `masks/instance_ids` (the annotation's `mask_id`), exact
/// for RLE and polygon segmentations alike; the amodal mask from `amodal_segmentation`.
public enum DatasetPreview {
    public struct Options: Sendable, Equatable {
        /// How many images, from the first in the instances files; fewer when the dataset has fewer.
        public var count: Int
        /// Tiles per row (fewer when there are fewer images).
        public var columns: Int
        /// Side of a tile in pixels; images are scaled to fit it, aspect kept.
        public var tileSize: Int
        /// Whether the labels are drawn over the pictures (tint, box, amodal outline, class
        /// name); `false` shows the pictures alone, to compare them with real images.
        public var showsLabels: Bool

        public init(count: Int = 12, columns: Int = 4, tileSize: Int = 256, showsLabels: Bool = true) {
            self.count = count
            self.columns = columns
            self.tileSize = tileSize
            self.showsLabels = showsLabels
        }

        /// Largest tile side, in pixels.
        public static let maximumTileSize = 4096
        /// Smallest tile side, in pixels: room for a label.
        public static let minimumTileSize = 32

        /// Checks the options.
        /// - Throws: `DatasetError.usage` naming the flag.
        public func validate() throws {
            guard count >= 1 else { throw DatasetError.usage("--count must be at least 1, got \(count)") }
            guard columns >= 1 else { throw DatasetError.usage("--columns must be at least 1, got \(columns)") }
            guard (Self.minimumTileSize...Self.maximumTileSize).contains(tileSize) else {
                throw DatasetError.usage("--tile must be \(Self.minimumTileSize)…\(Self.maximumTileSize) pixels, got \(tileSize)")
            }
        }

        /// The grid for `imageCount` images: at most `columns` a row, no empty columns.
        /// - Throws: `DatasetError.usage` when the sheet would exceed Cairo's 32767 pixels a side.
        func layout(imageCount: Int) throws -> ContactSheet.Layout {
            let layout = ContactSheet.Layout(columns: min(columns, imageCount), tileSize: tileSize)
            let size = layout.sheetSize(tileCount: imageCount)
            guard max(size.width, size.height) <= 32767 else {
                throw DatasetError.usage("\(imageCount) images in --columns \(layout.columns) of --tile \(tileSize) make a \(size.width) × \(size.height) sheet; at most 32767 pixels a side fit (lower --count or --tile, or change --columns)")
            }
            return layout
        }
    }

    /// The default output file: `preview.png` in the dataset folder.
    public static func defaultOutput(for dataset: URL) -> URL {
        dataset.appendingPathComponent("preview.png")
    }

    /// Draws the contact sheet of the dataset in `root` and writes it to `output` as a PNG,
    /// atomically.
    /// - Returns: The number of images drawn.
    /// - Throws: `DatasetError.usage` for bad options or a sheet too large for Cairo;
    ///   `DatasetError.missingInput` when
    ///   `root` is not a folder; `DatasetError.invalidDataset` when the instances files, an
    ///   image or an instance mask is missing or malformed, or the dataset has no image;
    ///   `DatasetError.io` when writing fails; `RenderError` if Cairo or libpng fails.
    /// - Complexity: one pass over the instances files; memory holds the annotations of the
    ///   drawn images, the sheet and one image.
    @discardableResult
    public static func write(_ root: URL, to output: URL, options: Options = .init()) throws -> Int {
        try options.validate()
        try requireFolder(root)
        try checkOutput(output, dataset: root, product: "the contact sheet")
        let selection = try DatasetError.reading { try Selection(DatasetReader(root), positions: 0..<options.count) }
        guard !selection.images.isEmpty else {
            throw DatasetError.invalidDataset("\(root.path): the dataset has no images to preview")
        }
        let png = try sheetPNG(selection.images, selection, root: root, layout: try options.layout(imageCount: selection.images.count),
                               showsLabels: options.showsLabels)
        try AtomicFile.write(png, to: output, creatingFolders: false)
        return selection.images.count
    }

    /// Draws `images` (of `selection`) as a contact sheet and encodes it as an 8-bit RGB PNG.
    /// - Throws: `DatasetError.invalidDataset` for a missing or malformed image or mask;
    ///   `RenderError` if Cairo or libpng fails.
    /// - Complexity: memory holds the sheet and one image.
    /// - Parameter caption: the text under an image's tile; nil: id, file name and annotation count.
    /// - Parameter showsLabels: `false` draws the pictures alone.
    static func sheetPNG(_ images: some Collection<COCOFile.Image>, _ selection: Selection, root: URL,
                         layout: ContactSheet.Layout, caption: ((COCOFile.Image) -> String)? = nil,
                         showsLabels: Bool = true) throws -> Data {
        let sheet = try ContactSheet(tileCount: images.count, layout: layout)
        for (index, image) in images.enumerated() {
            try sheet.draw(try tile(image, selection, root: root, caption: caption?(image), showsLabels: showsLabels), at: index)
        }
        return try PNG.encode(sheet.surface, settings: .init(level: 6, fastFilter: false))
    }

    /// Refuses an output path that would replace something other than a user's regular file:
    /// a device or folder, or a file of the dataset itself (its JSON files, record log,
    /// images or masks). Its folder must exist.
    /// - Parameter product: what would be written there, for the message ("the contact sheet").
    /// - Parameter option: the command-line option that named `output`, for the message.
    /// - Throws: `DatasetError.usage` naming `option`; `DatasetError.io` for a missing folder.
    static func checkOutput(_ output: URL, dataset root: URL, product: String, option: String = "--out") throws {
        let path = output.standardizedFileURL.path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
            guard !isFolder.boolValue, type == .typeRegular else {
                throw DatasetError.usage("\(option) '\(output.path)' exists and is not a regular file; \(product) would replace it")
            }
        }
        let folder = output.deletingLastPathComponent().standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetError.io(path: output.path, reason: "no such folder: \(folder)")
        }
        let dataset = root.standardizedFileURL.path
        guard path.hasPrefix(dataset + "/") else { return }
        let inside = String(path.dropFirst(dataset.count + 1))
        let owned = [DatasetFiles.manifest, DatasetFiles.classes, DatasetFiles.records, DatasetFiles.shardRecords]
        if owned.contains(inside) || (DatasetFiles.imageFolders + [DatasetFiles.annotationsFolder]).contains(where: { inside.hasPrefix($0 + "/") }) {
            throw DatasetError.usage("\(option) '\(output.path)' is a file of the dataset; choose a path outside images/, masks/ and annotations/ that is not one of its files")
        }
    }

    /// One image's tile: its pixels, instance mask and overlays. An annotation with a
    /// `track_id` is coloured by its track (the colour it has in every frame of its clip) and
    /// labelled `#TRACK NAME`; others by their rank in the image.
    /// - Parameter caption: the text under the tile; default: id, file name and annotation count.
    /// - Parameter showsLabels: `false` leaves the overlays out: the picture alone.
    static func tile(_ image: COCOFile.Image, _ selection: Selection, root: URL, caption: String? = nil,
                     showsLabels: Bool = true) throws -> ContactSheet.Tile {
        let rgb = try loadPicture(DatasetFiles.image(image.fileName), root: root, image: image)
        let mask = try loadPNG(DatasetFiles.instanceMask(forImage: image.fileName), root: root, image: image, channels: 1)
        let annotations = selection.annotations[image.id] ?? []
        let overlays = (showsLabels ? annotations : []).enumerated().map { rank, annotation in
            let name = selection.categoryNames[annotation.categoryID] ?? "category \(annotation.categoryID)"
            return ContactSheet.Overlay(
                instanceID: annotation.instanceID, bbox: annotation.bbox,
                label: annotation.trackID.map { "#\($0) \(name)" } ?? name,
                color: ContactSheet.palette[((annotation.trackID.map { $0 - 1 } ?? rank) % ContactSheet.palette.count + ContactSheet.palette.count) % ContactSheet.palette.count],
                dashedOutlines: annotation.amodal.map { amodalOutlines($0) } ?? [])
        }
        return ContactSheet.Tile(
            width: image.width, height: image.height, rgb: rgb,
            instanceIDs: mask.samples, overlays: overlays,
            caption: caption ?? "id \(image.id) · \(URL(fileURLWithPath: image.fileName).lastPathComponent) · \(annotations.count) inst.")
    }

    /// The outer outlines of an amodal mask, as pixel-edge polygons: holes are filled first,
    /// since the preview shows where the whole object lies, not its holes.
    static func amodalOutlines(_ rle: RLE) -> [[Int]] {
        guard let box = rle.bbox else { return [] }
        let mask = rle.decodeMask()
        let width = box.width, height = box.height
        // Flood the pixels outside the mask from the box border (4-connected); the rest,
        // mask and holes, is the filled mask.
        var isOutside = [Bool](repeating: false, count: width * height)
        var stack: [Int] = []
        func visit(_ x: Int, _ y: Int) {
            let i = y * width + x
            guard !isOutside[i], !mask[(box.minY + y) * rle.width + box.minX + x] else { return }
            isOutside[i] = true
            stack.append(i)
        }
        for x in 0..<width { visit(x, 0); visit(x, height - 1) }
        for y in 0..<height { visit(0, y); visit(width - 1, y) }
        while let i = stack.popLast() {
            let (x, y) = (i % width, i / width)
            if x > 0 { visit(x - 1, y) }
            if x + 1 < width { visit(x + 1, y) }
            if y > 0 { visit(x, y - 1) }
            if y + 1 < height { visit(x, y + 1) }
        }
        let polygons = PixelPolygon.outlines(within: box) { x, y in !isOutside[(y - box.minY) * width + x - box.minX] }
        return polygons?.map(\.coordinates) ?? []
    }

    /// The picture at `path` (relative to `root`), PNG or JPEG, as packed 8-bit RGB of the
    /// image's size. A 16-bit grey PNG (a microscope's camera, `sensor bits: 16`) is shown
    /// stretched for display: see ``displayStretch(_:)``.
    static func loadPicture(_ path: String, root: URL, image: COCOFile.Image) throws -> [UInt8] {
        let url = root.appendingPathComponent(path)
        var png: PNG.Image?
        if url.pathExtension.lowercased() == "png" {   // a missing or damaged PNG is named as every reader names it
            do { png = try PNG.read(url) } catch { throw DatasetError.invalidDataset("\(error)") }
        }
        // What Tessera writes (16-bit grey, 8-bit grey or RGB) is used as decoded; anything else
        // (alpha, JPEG) goes through Cairo's loader.
        if let png, (png.channels == 1 || png.channels == 3) && png.bitDepth == 8 || png.channels == 1 && png.bitDepth == 16 {
            guard png.width == image.width, png.height == image.height else {
                throw DatasetError.invalidDataset("\(url.path): \(png.width)×\(png.height), expected \(image.width)×\(image.height) as image \(image.id) in its instances file")
            }
            if png.channels == 3 { return png.samples.map { UInt8($0) } }
            let grey = png.bitDepth == 16 ? displayStretch(png.samples) : png.samples.map { UInt8($0) }
            var rgb = [UInt8](repeating: 0, count: 3 * grey.count)
            for (i, v) in grey.enumerated() { (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (v, v, v) }
            return rgb
        }
        let bitmap: Bitmap
        do { bitmap = try ImageFile.load(url) } catch {
            throw DatasetError.invalidDataset("\(url.path): \(error)")
        }
        guard bitmap.width == image.width, bitmap.height == image.height else {
            throw DatasetError.invalidDataset("\(url.path): \(bitmap.width)×\(bitmap.height), expected \(image.width)×\(image.height) as image \(image.id) in its instances file")
        }
        var rgb = [UInt8](repeating: 0, count: 3 * bitmap.width * bitmap.height)
        for i in 0..<(bitmap.width * bitmap.height) {
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (bitmap.rgba[4 * i], bitmap.rgba[4 * i + 1], bitmap.rgba[4 * i + 2])
        }
        return rgb
    }

    /// 16-bit grey samples to 8-bit for display, as a microscope viewer's auto-contrast does:
    /// the image's 0.5th percentile to 0 and its 99.5th to 255, linearly, clamped outside
    /// (ties: the lowest sample value at or past each percentile). A camera's 16-bit range
    /// is mostly empty (a 12-bit sensor, an offset, a dim stain), so its high byte alone —
    /// what an 8-bit reduction shows — is nearly black. An image of one value is shown as
    /// `value / 257`. Per image, so tiles are not comparable in brightness.
    static func displayStretch(_ samples: [UInt16]) -> [UInt8] {
        guard !samples.isEmpty else { return [] }
        var histogram = [Int](repeating: 0, count: 65_536)
        for v in samples { histogram[Int(v)] += 1 }
        func percentile(_ fraction: Double) -> Int {
            let target = Int((fraction * Double(samples.count)).rounded(.down))
            var seen = 0
            for (value, count) in histogram.enumerated() {
                seen += count
                if seen > target { return value }
            }
            return 65_535
        }
        let (low, high) = (percentile(0.005), percentile(0.995))
        guard high > low else { return samples.map { UInt8((Int($0) + 128) / 257) } }
        let span = high - low
        return samples.map { v in UInt8(min(max((Int(v) - low) * 255 + span / 2, 0) / span, 255)) }
    }

    /// Decodes the PNG at `path` (relative to `root`) and checks it has the image's size and
    /// `channels` samples per pixel.
    static func loadPNG(_ path: String, root: URL, image: COCOFile.Image, channels: Int) throws -> PNG.Image {
        let png: PNG.Image
        do { png = try PNG.read(root.appendingPathComponent(path)) } catch { throw DatasetError.invalidDataset("\(error)") }
        guard png.width == image.width, png.height == image.height, png.channels == channels,
              png.bitDepth == 8 || channels == 1 else {
            throw DatasetError.invalidDataset("\(root.appendingPathComponent(path).path): \(png.width)×\(png.height)×\(png.channels) at \(png.bitDepth) bits, expected \(image.width)×\(image.height)×\(channels) as image \(image.id) in its instances file")
        }
        return png
    }

    /// Some images of the dataset, by position in file order (split after split), with their
    /// annotations and the category names.
    struct Selection {
        struct Annotation {
            var instanceID: UInt16
            var categoryID: Int
            var bbox: ContactSheet.Box
            /// The amodal mask, when the annotation has one that differs from the visible mask.
            var amodal: RLE?
            /// A clip frame's track id.
            var trackID: Int?
        }

        var images: [COCOFile.Image] = []
        /// By image id, in file order.
        var annotations: [Int: [Annotation]] = [:]
        var categoryNames: [Int: String] = [:]

        /// Reads the images at `positions` (0 = the first image in file order; ascending;
        /// those beyond the last image are left out) and stops after the last of them.
        /// - Throws: `DatasetReadError` when the file cannot be read;
        ///   `DatasetError.invalidDataset` for a record the preview cannot draw.
        init(_ reader: DatasetReader, positions: some Sequence<Int>) throws {
            var wanted = positions.makeIterator()
            var next = wanted.next(), position = -1
            try self.init(reader) { _ in
                guard let target = next else { return .stop }
                position += 1
                guard target == position else { return .skip }
                next = wanted.next()
                precondition(next.map { $0 > target } ?? true, "positions ascend")
                return next == nil ? .takeAndStop : .take
            }
        }

        /// What to do with an image of the file.
        enum Choice { case take, takeAndStop, skip, stop }

        /// Reads the images `choose` takes, in file order, until it says stop or the files end.
        /// - Throws: `DatasetReadError` when the file cannot be read;
        ///   `DatasetError.invalidDataset` for a record the preview cannot draw.
        init(_ reader: DatasetReader, choose: (COCOFile.Image) -> Choice) throws {
            var path = ""
            func malformed(_ what: String) -> DatasetError { .invalidDataset("\(path): \(what)") }
            try reader.forEachImageWithSplit { split, image, records in
                let choice = choose(image)
                switch choice {
                case .stop: return false
                case .skip: return true
                case .take, .takeAndStop: break
                }
                path = reader.url(DatasetFiles.annotations(split: split)).path
                guard image.width > 0, image.height > 0 else { throw malformed("image \(image.id) has no pixels") }
                images.append(image)
                annotations[image.id] = try records.map { record in
                    guard let instanceID = record.instanceID, let instance = UInt16(exactly: instanceID),
                          case let box = record.bbox.compactMap({ Int(exactly: $0) }), box.count == 4, record.bbox.count == 4 else {
                        throw malformed("annotation \(record.id) lacks mask_id or an integer bbox")
                    }
                    var amodal: RLE?
                    if let object = record.amodalSegmentation {
                        guard object.size == [image.height, image.width],
                              let rle = try? RLE(height: image.height, width: image.width, compressedCounts: object.counts) else {
                            throw malformed("annotation \(record.id): amodal_segmentation is not COCO RLE of size [\(image.height), \(image.width)]")
                        }
                        // Equal areas: the visible mask, a subset, is the whole amodal mask.
                        if rle.area != record.area { amodal = rle }
                    }
                    return Annotation(instanceID: instance, categoryID: record.categoryID,
                                      bbox: .init(x: box[0], y: box[1], width: box[2], height: box[3]), amodal: amodal,
                                      trackID: record.trackID)
                }
                return choice == .take
            }
            for category in try reader.categories() { categoryNames[category.id] = category.name }
        }
    }
}
