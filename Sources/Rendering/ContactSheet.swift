internal import CCairo
public import SceneModel

/// A contact sheet: dataset images in a grid of square tiles, each with its annotated
/// instances overlaid — visible mask tinted, bbox outlined, class name at the box's top-left,
/// amodal outline dashed — and a caption under the tile.
///
/// Sheet frame: pixels, origin top-left, y down. Tile `k` sits in column `k % columns`, row
/// `k / columns`; a cell is `tileSize` wide and `tileSize + captionHeight` tall, with `gap`
/// pixels between cells and around the grid, so a sheet of `n` tiles is
/// `columns × tileSize + (columns + 1) × gap` wide and
/// `rows × (tileSize + captionHeight) + (rows + 1) × gap` tall, `rows = ⌈n / columns⌉`.
/// Each image is scaled by `tileSize / max(width, height)` (aspect kept) and centred in its
/// tile.
///
/// Tiles are drawn one at a time, so memory holds the sheet and one image.
public final class ContactSheet {
    /// The grid.
    public struct Layout: Sendable, Equatable {
        /// Tiles per row.
        public var columns: Int
        /// Side of a tile's square, in sheet pixels.
        public var tileSize: Int
        /// Space between cells and around the grid, in sheet pixels.
        public static let gap = 8
        /// Height of the caption strip under each tile, in sheet pixels.
        public static let captionHeight = 18

        public init(columns: Int, tileSize: Int) {
            self.columns = columns
            self.tileSize = tileSize
        }

        /// The sheet's size for `tileCount` tiles, in pixels.
        public func sheetSize(tileCount: Int) -> (width: Int, height: Int) {
            let rows = (tileCount + columns - 1) / columns
            return (columns * tileSize + (columns + 1) * Self.gap,
                    rows * (tileSize + Self.captionHeight) + (rows + 1) * Self.gap)
        }

        /// The top-left corner of tile `index`'s square on the sheet.
        func origin(of index: Int) -> (x: Int, y: Int) {
            (Self.gap + (index % columns) * (tileSize + Self.gap),
             Self.gap + (index / columns) * (tileSize + Self.captionHeight + Self.gap))
        }
    }

    /// A box in image pixels: columns `x ..< x + width`, rows `y ..< y + height` (COCO `bbox`).
    public struct Box: Sendable, Equatable {
        public var x: Int, y: Int, width: Int, height: Int

        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// One annotated instance to overlay on its image.
    public struct Overlay: Sendable {
        /// Pixels holding this value in the tile's `instanceIDs` are tinted.
        public var instanceID: UInt16
        /// The bbox, outlined on its pixel edges.
        public var bbox: Box
        /// The text drawn at the box's top-left (the class name).
        public var label: String
        /// Tint, outline and label swatch colour (opaque).
        public var color: Color
        /// Closed outlines to draw dashed (the amodal mask's boundary), each a flat list
        /// `[x1, y1, x2, y2, …]` in pixel-edge image coordinates; empty for none.
        public var dashedOutlines: [[Int]]

        public init(instanceID: UInt16, bbox: Box, label: String, color: Color, dashedOutlines: [[Int]] = []) {
            self.instanceID = instanceID
            self.bbox = bbox
            self.label = label
            self.color = color
            self.dashedOutlines = dashedOutlines
        }
    }

    /// One image with its overlays.
    public struct Tile: Sendable {
        public var width: Int
        public var height: Int
        /// 8-bit RGB samples, row-major, packed: pixel (x, y) at `3 * (y * width + x)`.
        public var rgb: [UInt8]
        /// Instance id per pixel, row-major, packed (an instance mask); 0 = none.
        public var instanceIDs: [UInt16]
        public var overlays: [Overlay]
        /// The text under the tile.
        public var caption: String

        public init(width: Int, height: Int, rgb: [UInt8], instanceIDs: [UInt16], overlays: [Overlay], caption: String) {
            precondition(width > 0 && height > 0 && rgb.count == 3 * width * height && instanceIDs.count == width * height,
                         "rgb holds 3 samples and instanceIDs 1 id per pixel")
            self.width = width
            self.height = height
            self.rgb = rgb
            self.instanceIDs = instanceIDs
            self.overlays = overlays
            self.caption = caption
        }
    }

    /// How much of an instance's colour is blended into its visible pixels, 0…1.
    public static let tintOpacity = 0.45

    /// Colours for instances, to be used in turn: twelve of Sasha Trubetskoy's "20 simple,
    /// distinct colours", the saturated ones that stand out on photos and gradients.
    public static let palette: [Color] = [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40),
    ].map { Color(red: Double($0.0) / 255, green: Double($0.1) / 255, blue: Double($0.2) / 255) }

    /// The sheet's colour where no image is drawn (margins, gaps).
    static let sheetColor = Color(red: 0.13, green: 0.13, blue: 0.14)
    /// The captions' colour.
    static let captionColor = Color(red: 0.85, green: 0.85, blue: 0.85)

    /// Every flat colour a sheet draws (instance colours, labels' text, captions, the sheet)
    /// as 8-bit `0xRRGGBB`, as Cairo stores them (a channel c becomes ⌊(65535 c + ½) / 256⌋):
    /// the colours an animated GIF keeps exact (``AnimatedGIF/Palette``).
    public static var flatColors: [UInt32] {
        (palette + [.white, captionColor, sheetColor]).map { color in
            func byte(_ c: Double) -> UInt32 { UInt32(min(1, max(0, c)) * 65535 + 0.5) >> 8 }
            return byte(color.red) << 16 | byte(color.green) << 8 | byte(color.blue)
        }
    }

    /// The font of labels and captions (Cairo's toy text API, resolved by fontconfig).
    static let fontFamily = "DejaVu Sans"
    static let labelFontSize = 11.0
    static let captionFontSize = 11.0

    public let layout: Layout
    /// The sheet, grey where no tile is drawn.
    public let surface: ImageSurface
    private let tileCount: Int

    /// Creates an empty sheet for `tileCount` tiles.
    /// - Throws: `RenderError.invalidCanvas` when the sheet would exceed 32767 pixels a side;
    ///   `RenderError.cairo` if Cairo fails.
    public init(tileCount: Int, layout: Layout) throws {
        precondition(tileCount >= 1 && layout.columns >= 1 && layout.tileSize >= 1)
        let size = layout.sheetSize(tileCount: tileCount)
        self.layout = layout
        self.tileCount = tileCount
        self.surface = try ImageSurface(width: size.width, height: size.height)
        try withContext(surface) { cr in
            cairo_set_source_rgb(cr, Self.sheetColor.red, Self.sheetColor.green, Self.sheetColor.blue)
            cairo_paint(cr)
        }
    }

    /// Draws `tile` into cell `index` (0-based, row-major).
    /// - Throws: `RenderError.cairo` if Cairo fails.
    /// - Complexity: O(image pixels) for the tint, plus the overlays' outline vertices.
    public func draw(_ tile: Tile, at index: Int) throws {
        precondition((0..<tileCount).contains(index), "the sheet has a cell for the tile")
        let image = try ImageSurface(width: tile.width, height: tile.height)
        writeTinted(tile, into: image)
        let size = Double(layout.tileSize)
        let scale = size / Double(max(tile.width, tile.height))
        let cell = layout.origin(of: index)
        // Whole-pixel offsets keep the scaled image on the sheet's pixel grid.
        let left = cell.x + Int(((size - Double(tile.width) * scale) / 2).rounded(.down))
        let top = cell.y + Int(((size - Double(tile.height) * scale) / 2).rounded(.down))
        /// An image point (pixel edges) in sheet pixels, snapped to the sheet's pixel edges.
        func sheetPoint(_ x: Int, _ y: Int) -> (x: Double, y: Double) {
            (Double(left) + (Double(x) * scale).rounded(), Double(top) + (Double(y) * scale).rounded())
        }
        try withContext(surface) { cr in
            cairo_save(cr)
            cairo_rectangle(cr, Double(cell.x), Double(cell.y), size, size)
            cairo_clip(cr)
            cairo_save(cr)
            cairo_translate(cr, Double(left), Double(top))
            cairo_scale(cr, scale, scale)
            cairo_set_source_surface(cr, image.surface, 0, 0)
            // Enlarged images keep crisp pixels; reduced ones are filtered.
            cairo_pattern_set_filter(cairo_get_source(cr), scale >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD)
            cairo_rectangle(cr, 0, 0, Double(tile.width), Double(tile.height))
            cairo_fill(cr)
            cairo_restore(cr)

            for overlay in tile.overlays where !overlay.dashedOutlines.isEmpty {
                for outline in overlay.dashedOutlines where outline.count >= 4 {
                    for i in stride(from: 0, to: outline.count, by: 2) {
                        let p = sheetPoint(outline[i], outline[i + 1])
                        if i == 0 { cairo_move_to(cr, p.x, p.y) } else { cairo_line_to(cr, p.x, p.y) }
                    }
                    cairo_close_path(cr)
                }
                stroke(cr, overlay.color, width: 1.5, dashes: [4, 3])
            }
            for overlay in tile.overlays {
                let b = overlay.bbox
                let (x0, y0) = sheetPoint(b.x, b.y), (x1, y1) = sheetPoint(b.x + b.width, b.y + b.height)
                // 2 px wide on the box's pixel edges: one sheet pixel inside, one outside.
                cairo_rectangle(cr, x0, y0, max(x1 - x0, 1), max(y1 - y0, 1))
                stroke(cr, overlay.color, width: 2, dashes: [])
            }
            // Labels last, so that no outline crosses a label.
            var placed: [Rect] = []
            for overlay in tile.overlays {
                let b = overlay.bbox
                let (left, top) = sheetPoint(b.x, b.y), bottom = sheetPoint(b.x, b.y + b.height).y
                if let label = drawLabel(overlay.label, color: overlay.color, box: (left, top, bottom),
                                         cell: Rect(x: Double(cell.x), y: Double(cell.y), width: size, height: size),
                                         avoiding: placed, cr) {
                    placed.append(label)
                }
            }
            cairo_restore(cr)

            cairo_select_font_face(cr, Self.fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, Self.captionFontSize)
            cairo_save(cr)
            cairo_rectangle(cr, Double(cell.x), Double(cell.y) + size, size, Double(Layout.captionHeight))
            cairo_clip(cr)
            cairo_set_source_rgb(cr, Self.captionColor.red, Self.captionColor.green, Self.captionColor.blue)
            cairo_move_to(cr, Double(cell.x) + 2, Double(cell.y) + size + Double(Layout.captionHeight) - 5)
            cairo_show_text(cr, tile.caption)
            cairo_restore(cr)
        }
    }

    /// Copies the tile's pixels into `image`, blending `tintOpacity` of an overlay's colour
    /// into every pixel of its instance.
    private func writeTinted(_ tile: Tile, into image: ImageSurface) {
        // Tint per instance id, as 8.8 fixed-point premultiplied colour; nil = untinted.
        var tints = [(UInt32, UInt32, UInt32)?](repeating: nil, count: Int(UInt16.max) + 1)
        for overlay in tile.overlays {
            func scaled(_ c: Double) -> UInt32 { UInt32((c * Self.tintOpacity * 255 * 256).rounded()) }
            tints[Int(overlay.instanceID)] = (scaled(overlay.color.red), scaled(overlay.color.green), scaled(overlay.color.blue))
        }
        let keep = UInt32(((1 - Self.tintOpacity) * 256).rounded())
        image.withMutablePixelBytes { bytes in
            for y in 0..<tile.height {
                let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<tile.width {
                    let i = y * tile.width + x
                    var (r, g, b) = (UInt32(tile.rgb[3 * i]), UInt32(tile.rgb[3 * i + 1]), UInt32(tile.rgb[3 * i + 2]))
                    if let (tr, tg, tb) = tints[Int(tile.instanceIDs[i])] {
                        (r, g, b) = ((r * keep + tr + 128) >> 8, (g * keep + tg + 128) >> 8, (b * keep + tb + 128) >> 8)
                    }
                    row[x] = r << 16 | g << 8 | b
                }
            }
        }
    }

    /// Strokes and clears the current path.
    private func stroke(_ cr: OpaquePointer, _ color: Color, width: Double, dashes: [Double]) {
        cairo_set_source_rgb(cr, color.red, color.green, color.blue)
        cairo_set_line_width(cr, width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER)
        dashes.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
        cairo_stroke(cr)
    }

    /// A rectangle in sheet pixels.
    private struct Rect {
        var x: Double, y: Double, width: Double, height: Double

        func intersects(_ other: Rect) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
    }

    /// Draws `text` in white on a dark backing with a colour swatch at the box's left edge:
    /// just above the box's top, else just inside it, else just below it — the first place
    /// that lies in the cell and covers no label in `avoiding` (just inside the top when none
    /// lies in the cell); shifted left when it would leave the cell. When every place covers
    /// an earlier label, the label is left out: in a crowded image the labels would otherwise
    /// hide the picture, and the tint and box still show the instance.
    /// - Parameter box: the box's left, top and bottom edges in sheet pixels.
    /// - Returns: Where the label went, or `nil` when it was left out.
    private func drawLabel(_ text: String, color: Color, box: (left: Double, top: Double, bottom: Double),
                           cell: Rect, avoiding placed: [Rect], _ cr: OpaquePointer) -> Rect? {
        cairo_select_font_face(cr, Self.fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
        cairo_set_font_size(cr, Self.labelFontSize)
        var font = cairo_font_extents_t()
        cairo_font_extents(cr, &font)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, text, &extents)
        let swatch = 4.0, padding = 3.0
        let width = swatch + 2 * padding + extents.x_advance
        let height = (font.ascent + font.descent).rounded(.up) + 2
        let x = min(box.left - 1, cell.x + cell.width - width)
        var candidates = [box.top - 1 - height, box.top + 1, box.bottom + 1]
            .map { Rect(x: x, y: $0, width: width, height: height) }
            .filter { $0.y >= cell.y && $0.y + $0.height <= cell.y + cell.height }
        if candidates.isEmpty { candidates = [Rect(x: x, y: box.top + 1, width: width, height: height)] }
        guard let label = candidates.first(where: { c in !placed.contains { $0.intersects(c) } }) else { return nil }
        cairo_set_dash(cr, nil, 0, 0)
        cairo_set_source_rgba(cr, 0.05, 0.05, 0.05, 0.8)
        cairo_rectangle(cr, label.x, label.y, width, height)
        cairo_fill(cr)
        cairo_set_source_rgb(cr, color.red, color.green, color.blue)
        cairo_rectangle(cr, label.x, label.y, swatch, height)
        cairo_fill(cr)
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_move_to(cr, label.x + swatch + padding, label.y + 1 + font.ascent)
        cairo_show_text(cr, text)
        return label
    }
}
