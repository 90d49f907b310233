internal import CCairo
public import SceneModel

/// One instance's whole shape as if nothing hid it: pixel-centre coverage on the canvas
/// pixel grid extended past the canvas edges (by at most ``margin`` pixels), kept as the
/// pixels inside the canvas plus a count of those outside it.
///
/// Only the part inside the canvas is kept as pixels (the labels need no more: the amodal
/// segmentation, box and area are clipped to the canvas); the part outside is counted, for
/// `in_frame_fraction`. So memory is bounded by the instance's box clipped to the canvas,
/// whatever the geometry's size.
public struct AmodalMask: Sendable, Equatable {
    /// How far past each canvas edge the extended grid reaches, in pixels. Coverage beyond it
    /// is not measured (it only matters for `in_frame_fraction` of enormous objects).
    public static let margin = Scene.amodalMargin
    /// The canvas pixel at the window's (0, 0); the window lies inside the canvas.
    public let originX: Int
    public let originY: Int
    public let width: Int
    public let height: Int
    /// Row-major, `width * height`: `true` where the instance covers the pixel centre.
    public let pixels: [Bool]
    /// Pixels of the extended grid outside the canvas whose centre the instance covers.
    public let outsideArea: Int

    public init(originX: Int, originY: Int, width: Int, height: Int, pixels: [Bool], outsideArea: Int) {
        precondition(pixels.count == width * height)
        self.originX = originX; self.originY = originY; self.width = width; self.height = height
        self.pixels = pixels; self.outsideArea = outsideArea
    }

    static let empty = AmodalMask(originX: 0, originY: 0, width: 0, height: 0, pixels: [], outsideArea: 0)
}

public struct RenderedScene {
    /// The antialiased RGB image (Cairo's default antialiasing), with light, shadows and the
    /// scene's effects applied.
    public let image: ImageSurface
    /// Front-most instance id per pixel, row-major without padding: pixel (x, y) at
    /// `y * width + x`; 0 where no instance covers the pixel centre. Ids are `Instance.id`,
    /// labeled and unlabeled alike.
    public let instanceIDs: [UInt16]
    public let width: Int
    public let height: Int
    /// For a grey sensor (``SceneModel/Sensor``), the picture as it records it, at its bit
    /// depth (`image` then holds the same picture at 8 bits, as R = G = B); `nil` for RGB.
    public let gray: GrayPicture?
}

/// A one-channel picture: `samples` row-major without padding, pixel (x, y) at
/// `y * width + x`, each 0…2^bitDepth − 1 (`bitDepth` 8 or 16).
public struct GrayPicture: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let bitDepth: Int
    public let samples: [UInt16]
}

/// Draws a `Scene` with Cairo.
///
/// The picture and the instance raster come from the same paths, transforms and fill
/// rules, in the same order. The raster is drawn with `CAIRO_ANTIALIAS_NONE`, under which
/// Cairo (pixman) sets a pixel exactly when the path covers its centre (i + 0.5, j + 0.5):
/// the pixel-centre rule of the label contract. Outlines are stroked into the raster by the
/// same rule. Light, shadows, paint, opacity and effects are drawn into the picture only.
public enum SceneRenderer {
    /// Renders `scene`.
    /// - Throws: `RenderError` when the canvas is out of range, the scene has more than
    ///   65535 instances, or Cairo reports an error.
    /// - Complexity: two fills per shape (plus strokes for outlines, shading fills and a
    ///   shadow blur per instance when lit), one pass over the raster, and the effects.
    /// - Parameters:
    ///   - instanceIDs: the scene's instance raster when it was already drawn
    ///     (``instanceRaster(_:over:outlines:)``, e.g. to check a requirement), so it is not drawn again.
    ///   - backdrop: the scene's background and first `backdrop.depth` instances already drawn
    ///     (``backdrop(of:depth:)``, from a scene whose canvas, background, photograph, light
    ///     and those instances equal this one's): copied, and only the instances after them
    ///     drawn. The result is the same bytes as without it.
    ///   - outlines: the scene's text outlines, laid out once for every raster of the image
    ///     (pass the one its amodal masks or requirements use, so none is laid out twice).
    public static func render(_ scene: Scene, instanceIDs: [UInt16]? = nil, over backdrop: Backdrop? = nil,
                              outlines: TextOutlines = TextOutlines()) throws -> RenderedScene {
        let ids = try instanceIDs ?? instanceRaster(scene, over: backdrop, outlines: outlines)
        precondition(ids.count == scene.width * scene.height)
        let image = try surface(scene, holding: backdrop?.picture)
        let first = backdrop?.depth ?? 0
        try withContext(image) { cr in
            try drawPicture(scene, instances: first..<scene.instances.count, cr, outlines: outlines)
        }
        let gray = try ImageEffects.apply(scene.effects, to: image, sensor: scene.sensor)
        return RenderedScene(image: image, instanceIDs: ids, width: scene.width, height: scene.height, gray: gray)
    }

    /// The instance raster alone: front-most instance id per pixel, row-major without
    /// padding, `width * height` (see ``RenderedScene/instanceIDs``). What a requirement on
    /// rendered facts needs of an attempt; no picture is drawn.
    /// - Parameter backdrop: as in ``render(_:instanceIDs:over:outlines:)``: its raster is copied and
    ///   only the instances after its `depth` are drawn.
    /// - Parameter outlines: where text outlines are laid out once and taken from.
    /// - Throws: `RenderError` when the canvas is out of range, the scene has more than
    ///   65535 instances, or Cairo reports an error.
    /// - Complexity: one fill per shape (plus outline strokes) and one pass over the raster.
    public static func instanceRaster(_ scene: Scene, over backdrop: Backdrop? = nil,
                                      outlines: TextOutlines = TextOutlines()) throws -> [UInt16] {
        guard scene.instances.count <= Int(UInt16.max) else {
            throw RenderError.tooManyInstances(scene.instances.count)
        }
        let raster = try surface(scene, holding: backdrop?.raster)
        try drawRaster(scene, instances: (backdrop?.depth ?? 0)..<scene.instances.count, into: raster, outlines: outlines)
        return ids(of: raster, width: scene.width, rows: 0..<scene.height)
    }

    /// The instance ids of rows `rows` of a raster drawn by ``drawRaster(_:instances:into:)``.
    private static func ids(of raster: ImageSurface, width: Int, rows: Range<Int>) -> [UInt16] {
        raster.withPixelBytes { bytes in
            var ids = [UInt16](repeating: 0, count: width * rows.count)
            ids.withUnsafeMutableBufferPointer { out in
                for y in rows {
                    let row = bytes.baseAddress!.advanced(by: y * raster.stride).assumingMemoryBound(to: UInt32.self)
                    let base = (y - rows.lowerBound) * width
                    for x in 0..<width {
                        let word = row[x]
                        out[base + x] = UInt16(truncatingIfNeeded: (word >> 16) & 0xFF | (word & 0xFF00))
                    }
                }
            }
            return ids
        }
    }

    /// Instance `instance`'s id as an exact 8-bit colour: Cairo maps c/255 back to the byte c.
    private static func idColor(_ instance: Instance) -> Color {
        Color(red: Double(instance.id & 0xFF) / 255, green: Double(instance.id >> 8) / 255, blue: 0)
    }

    /// Fills the coverage of `scene.instances[range]`, in order, into `raster` (RGB24), each
    /// instance in its id as an exact colour, without antialiasing.
    static func drawRaster(_ scene: Scene, instances range: Range<Int>, into raster: ImageSurface,
                           outlines: TextOutlines) throws {
        try withContext(raster) { cr in
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
            for instance in scene.instances[range] {
                let id = idColor(instance)
                for shape in instance.shapes { try fillCoverage(shape, color: id, cr, outlines: outlines) }
            }
        }
    }

    /// The amodal mask of every instance: the pixels whose centre the instance covers,
    /// ignoring all other instances, on the canvas pixel grid extended past the canvas edges
    /// so that truncation can be measured (same non-antialiased fill as the raster).
    /// - Returns: one mask per instance, in `scene.instances` order.
    /// - Throws: `RenderError.cairo` if Cairo fails.
    /// - Complexity: per instance, one fill per shape and band of at most
    ///   ``amodalBandPixels`` over its bounds clipped to `AmodalMask.margin` pixels past each
    ///   canvas edge: time in proportion to that area, memory to its canvas part plus one
    ///   band, whatever the size of the geometry.
    public static func amodalMasks(_ scene: Scene, outlines: TextOutlines = TextOutlines()) throws -> [AmodalMask] {
        try scene.instances.map { try amodalMask($0, width: scene.width, height: scene.height, outlines: outlines) }
    }

    /// The amodal mask of one instance on a `width × height` canvas (see ``amodalMasks(_:outlines:)``).
    /// - Parameter outlines: where its text outlines are laid out once and taken from (those
    ///   of the instance raster, so the mask's text has the raster's very edges).
    public static func amodalMask(_ instance: Instance, width: Int, height: Int,
                                  outlines: TextOutlines = TextOutlines()) throws -> AmodalMask {
        let bounds = try coverageBounds(of: instance, outlines: outlines)
        let m = Double(AmodalMask.margin)
        guard bounds.minX <= bounds.maxX, bounds.minY <= bounds.maxY else { return .empty }
        // Clamped on both sides so that far-away or enormous shapes stay representable.
        func clamp(_ v: Double, _ size: Int) -> Int { Int(min(max(v, -m), Double(size) + m)) }
        let x0 = clamp(floor(bounds.minX), width), y0 = clamp(floor(bounds.minY), height)
        let x1 = clamp(ceil(bounds.maxX) + 1, width), y1 = clamp(ceil(bounds.maxY) + 1, height)
        guard x1 > x0, y1 > y0 else { return .empty }
        // The window is drawn in bands of whole rows: Cairo clips a path at a surface's left
        // and right edges by splitting its edges (which can move a sample next to the cut),
        // but at the top and bottom only by where each edge starts and ends, so row bands
        // cover exactly what one surface over the whole window would.
        let (cx0, cy0, cx1, cy1) = (max(x0, 0), max(y0, 0), min(x1, width), min(y1, height))
        let canvasWidth = max(0, cx1 - cx0), canvasHeight = max(0, cy1 - cy0)
        var pixels = [Bool](repeating: false, count: canvasWidth * canvasHeight)
        var outside = 0
        let rowsPerBand = max(1, amodalBandPixels / (x1 - x0))
        for top in stride(from: y0, to: y1, by: rowsPerBand) {
            let bottom = min(top + rowsPerBand, y1)
            let surface = try ImageSurface(width: x1 - x0, height: bottom - top, format: CAIRO_FORMAT_A8)
            try withContext(surface) { cr in
                cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
                for shape in instance.shapes {
                    try fillCoverage(shape, color: .black, cr, origin: (Double(x0), Double(top)), outlines: outlines)
                }
            }
            surface.withPixelBytes { bytes in
                for y in top..<bottom {
                    let row = (y - top) * surface.stride
                    guard y >= cy0, y < cy1, canvasWidth > 0 else {
                        outside += countNonZero(bytes, from: row, count: x1 - x0)
                        continue
                    }
                    outside += countNonZero(bytes, from: row, count: cx0 - x0)
                    outside += countNonZero(bytes, from: row + cx1 - x0, count: x1 - cx1)
                    let base = (y - cy0) * canvasWidth
                    for x in 0..<canvasWidth { pixels[base + x] = bytes[row + cx0 - x0 + x] != 0 }
                }
            }
        }
        guard canvasWidth > 0, canvasHeight > 0 else {
            return AmodalMask(originX: 0, originY: 0, width: 0, height: 0, pixels: [], outsideArea: outside)
        }
        return AmodalMask(originX: cx0, originY: cy0, width: canvasWidth, height: canvasHeight, pixels: pixels, outsideArea: outside)
    }

    /// A box in canvas pixels (y down) that holds the centre of every pixel `instance` covers:
    /// the union of ``shapeBounds(_:outlines:)``. Empty (`minX > maxX`) when no shape has
    /// finite bounds.
    /// - Throws: `RenderError.cairo` if laying out a text fails.
    static func coverageBounds(of instance: Instance,
                               outlines: TextOutlines) throws -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) = (.infinity, .infinity, -.infinity, -.infinity)
        for shape in instance.shapes {
            guard let box = try shapeBounds(shape, outlines: outlines) else { continue }
            bounds = (min(bounds.minX, box.minX), min(bounds.minY, box.minY), max(bounds.maxX, box.maxX), max(bounds.maxY, box.maxY))
        }
        return bounds
    }

    /// A box in canvas pixels that holds `shape` and its outline stroke: for text, the box of
    /// its glyph outline's points (``TextOutlines``); for other geometry, its bounding disc
    /// (``SceneModel/Geometry/boundingRadius``) as a square under its transform; either widened
    /// by the outline's reach. `nil` when the shape draws nothing or no corner is finite.
    /// - Throws: `RenderError.cairo` if laying out a text fails.
    private static func shapeBounds(_ shape: Shape,
                                    outlines: TextOutlines) throws -> (minX: Double, minY: Double, maxX: Double, maxY: Double)? {
        let pad = shape.outline?.reach ?? 0
        if case let .text(string, font) = shape.geometry {
            guard isDrawable(shape.transform), let box = try outlines.box(string, font, shape.transform) else { return nil }
            return (box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
        }
        let r = shape.geometry.boundingRadius
        var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)?
        for corner in [Point(-r, -r), Point(r, -r), Point(r, r), Point(-r, r)] {
            let p = shape.transform.apply(corner)
            guard p.x.isFinite, p.y.isFinite else { continue }
            let b = bounds ?? (p.x - pad, p.y - pad, p.x + pad, p.y + pad)
            bounds = (min(b.minX, p.x - pad), min(b.minY, p.y - pad), max(b.maxX, p.x + pad), max(b.maxY, p.y + pad))
        }
        return bounds
    }

    /// The canvas rows that may hold a pixel of `instance`: those its
    /// ``coverageBounds(of:outlines:)`` reach, within the canvas; empty when the bounds miss
    /// the canvas (in either direction). A rendered fact about one instance needs the instance
    /// raster on these rows only.
    /// - Parameter outlines: where its text outlines are laid out once and taken from.
    /// - Throws: `RenderError.cairo` if laying out a text fails.
    public static func canvasRows(of instance: Instance, width: Int, height: Int,
                                  outlines: TextOutlines = TextOutlines()) throws -> Range<Int> {
        let b = try coverageBounds(of: instance, outlines: outlines)
        guard b.minX <= b.maxX, b.minY <= b.maxY else { return 0..<0 }
        // Clamped before converting, so that far-away shapes stay representable.
        func clamp(_ v: Double, _ size: Int) -> Int { Int(min(max(v, 0), Double(size))) }
        let (x0, x1) = (clamp(floor(b.minX), width), clamp(ceil(b.maxX) + 1, width))
        let (y0, y1) = (clamp(floor(b.minY), height), clamp(ceil(b.maxY) + 1, height))
        guard x1 > x0, y1 > y0 else { return 0..<0 }
        return y0..<y1
    }

    /// Rows `rows` of the instance raster of `scene`: the same ids as those rows of
    /// ``instanceRaster(_:over:outlines:)``, row-major without padding, `rows.count * width`.
    ///
    /// The raster is drawn on the whole canvas (same surface, same transforms) under a clip to
    /// those rows, so Cairo rasterises only them; shapes whose bounds miss them are not drawn.
    /// A clip at whole rows changes only where each polygon edge starts and ends, never which
    /// pixel centres it covers (the row bands of ``amodalMask(_:width:height:outlines:)`` rest on the
    /// same property), so every pixel of the rows is the whole raster's.
    /// - Parameter outlines: where text outlines are laid out once and taken from.
    /// - Throws: `RenderError` as ``instanceRaster(_:over:outlines:)`` does.
    /// - Complexity: one fill per shape that reaches the rows, over those rows only, and one
    ///   pass over them.
    public static func instanceRaster(_ scene: Scene, rows: Range<Int>,
                                      outlines: TextOutlines = TextOutlines()) throws -> [UInt16] {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= scene.height)
        guard scene.instances.count <= Int(UInt16.max) else {
            throw RenderError.tooManyInstances(scene.instances.count)
        }
        let raster = try surface(scene, holding: nil)
        try withContext(raster) { cr in
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
            cairo_rectangle(cr, 0, Double(rows.lowerBound), Double(scene.width), Double(rows.count))
            cairo_clip(cr)
            for instance in scene.instances {
                let id = idColor(instance)
                for shape in instance.shapes {
                    guard let b = try shapeBounds(shape, outlines: outlines), floor(b.minY) < Double(rows.upperBound),
                          ceil(b.maxY) >= Double(rows.lowerBound) else { continue }
                    try fillCoverage(shape, color: id, cr, outlines: outlines)
                }
            }
        }
        return ids(of: raster, width: scene.width, rows: rows)
    }

    /// Pixels of one band of an amodal window: 4 MiB of A8, at least one row.
    static let amodalBandPixels = 1 << 22

    /// Bytes other than 0 among `count` bytes from `offset`; eight at a time where a whole
    /// word is empty or full (coverage is 0 or 255).
    private static func countNonZero(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) -> Int {
        var total = 0, i = 0
        while i + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset + i, as: UInt64.self)
            if word == .max {
                total += 8
            } else if word != 0 {
                for k in 0..<8 where bytes[offset + i + k] != 0 { total += 1 }
            }
            i += 8
        }
        while i < count {
            if bytes[offset + i] != 0 { total += 1 }
            i += 1
        }
        return total
    }

    /// Appends one shape's outline to the current path, in the surface's pixels: its geometry
    /// in its local frame under its transform, and sets its fill rule. The path stays in
    /// device space afterwards, so paint, shading and strokes are set up in pixels.
    /// `origin` is the canvas point at the surface's (0, 0), for surfaces that cover only part
    /// of (or extend past) the canvas; whole-pixel offsets keep the pixel grid. A text's
    /// outline comes from `outlines` at a whole-pixel origin (the same fixed-point edges on
    /// every such surface), and is laid out anew at any other (a shadow's offset).
    /// - Returns: `false`, appending nothing, when the transform is singular or not finite
    ///   (such a shape covers nothing, and Cairo would put the context into an error state).
    static func appendShapePath(_ shape: Shape, _ cr: OpaquePointer, origin: (x: Double, y: Double) = (0, 0),
                                outlines: TextOutlines) -> Bool {
        let t = shape.transform
        guard isDrawable(t) else { return false }
        if case let .text(string, font) = shape.geometry, origin.x.rounded() == origin.x, origin.y.rounded() == origin.y {
            outlines.append(string, font, t, cr, origin: origin)
        } else {
            var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d, x0: t.tx - origin.x, y0: t.ty - origin.y)
            cairo_save(cr)
            cairo_set_matrix(cr, &matrix)
            appendPath(shape.geometry, cr, outlines: outlines)
            cairo_restore(cr)
        }
        cairo_set_fill_rule(cr, shape.fillRule == .evenOdd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING)
        return true
    }

    /// Whether a shape under `t` can cover anything: `t` finite and not singular (Cairo would
    /// put the context into an error state otherwise).
    static func isDrawable(_ t: AffineTransform) -> Bool {
        let determinant = t.a * t.d - t.b * t.c
        return determinant != 0 && determinant.isFinite && t.tx.isFinite && t.ty.isFinite
    }

    /// Fills `shape` and strokes its outline, both in `color`: the shape's coverage, which the
    /// instance raster and amodal masks (under `CAIRO_ANTIALIAS_NONE`) and cast shadows are
    /// drawn from.
    /// A sprite's coverage is its texels with alpha ≥ one half (`paintSpriteCoverage`).
    static func fillCoverage(_ shape: Shape, color: Color, _ cr: OpaquePointer, origin: (x: Double, y: Double) = (0, 0),
                             outlines: TextOutlines) throws {
        cairo_new_path(cr)
        guard appendShapePath(shape, cr, origin: origin, outlines: outlines) else { return }
        cairo_set_source_rgba(cr, color.red, color.green, color.blue, color.alpha)
        if case let .sprite(bitmap, width, height) = shape.geometry {
            try paintSpriteCoverage(bitmap, width: width, height: height, transform: shape.transform, cr, origin: origin)
        } else {
            cover(shape, cr, origin: origin)
        }
        strokeOutline(shape.outline, cr)
        cairo_new_path(cr)
    }

    /// Strokes the current path (kept) with `outline` (see `Outline.setStrokeStyle`) in the
    /// current source.
    static func strokeOutline(_ outline: Outline?, _ cr: OpaquePointer) {
        guard let outline, outline.setStrokeStyle(cr) else { return }
        cairo_stroke_preserve(cr)
    }

    /// Paints the current path (kept) with the current source the way `shape` covers the
    /// canvas: a fill, or for stroked geometry a stroke `strokeWidth` wide in the shape's
    /// local frame (the CTM is set to its transform for the stroke only; the source stays
    /// locked to the space it was set in), butt caps, round joins. Under
    /// `CAIRO_ANTIALIAS_NONE` a stroke's outline is rasterised by the same pixel-centre rule
    /// as a fill.
    static func cover(_ shape: Shape, _ cr: OpaquePointer, origin: (x: Double, y: Double) = (0, 0)) {
        guard setStrokeStyle(shape, cr, origin: origin) else {
            cairo_fill_preserve(cr)
            return
        }
        cairo_stroke_preserve(cr)
        cairo_restore(cr)
    }

    /// The device-space box of what `cover` paints for the current path.
    static func coverExtents(_ shape: Shape, _ cr: OpaquePointer) -> DeviceBox {
        var box = DeviceBox(x0: 0, y0: 0, x1: 0, y1: 0)
        guard setStrokeStyle(shape, cr, origin: (0, 0)) else {
            cairo_fill_extents(cr, &box.x0, &box.y0, &box.x1, &box.y1)
            return box
        }
        cairo_stroke_extents(cr, &box.x0, &box.y0, &box.x1, &box.y1)
        // Stroke extents come in user space (the shape's frame): map them to the device.
        let corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)].map { corner in
            var (x, y) = corner
            cairo_user_to_device(cr, &x, &y)
            return (x, y)
        }
        cairo_restore(cr)
        return DeviceBox(x0: corners.map(\.0).min()!, y0: corners.map(\.1).min()!,
                         x1: corners.map(\.0).max()!, y1: corners.map(\.1).max()!)
    }

    /// For stroked geometry: saves the context, sets the shape's transform and stroke style
    /// and returns `true` (the caller restores); otherwise does nothing and returns `false`.
    private static func setStrokeStyle(_ shape: Shape, _ cr: OpaquePointer, origin: (x: Double, y: Double)) -> Bool {
        guard let width = shape.geometry.strokeWidth else { return false }
        let t = shape.transform
        var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d, x0: t.tx - origin.x, y0: t.ty - origin.y)
        cairo_save(cr)
        cairo_set_matrix(cr, &matrix)
        cairo_set_line_width(cr, width)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        return true
    }

    /// Appends `geometry` under the current CTM; a text (here only on a surface off the canvas
    /// pixel grid) is laid out by `outlines`, which counts it.
    private static func appendPath(_ geometry: Geometry, _ cr: OpaquePointer, outlines: TextOutlines) {
        switch geometry {
        case let .rectangle(w, h):
            cairo_rectangle(cr, -w / 2, -h / 2, w, h)
        case let .roundedRectangle(w, h, radius):
            let r = min(radius, w / 2, h / 2)
            let (x0, y0, x1, y1) = (-w / 2, -h / 2, w / 2, h / 2)
            cairo_new_sub_path(cr)
            cairo_arc(cr, x1 - r, y0 + r, r, -.pi / 2, 0)
            cairo_arc(cr, x1 - r, y1 - r, r, 0, .pi / 2)
            cairo_arc(cr, x0 + r, y1 - r, r, .pi / 2, .pi)
            cairo_arc(cr, x0 + r, y0 + r, r, .pi, 3 * .pi / 2)
            cairo_close_path(cr)
        case let .star(points, outer, inner):
            guard points >= 2 else { return }
            for k in 0..<(2 * points) {
                let angle = -Double.pi / 2 + Double.pi * Double(k) / Double(points)
                let r = k % 2 == 0 ? outer : inner
                if k == 0 { cairo_move_to(cr, r * cos(angle), r * sin(angle)) } else { cairo_line_to(cr, r * cos(angle), r * sin(angle)) }
            }
            cairo_close_path(cr)
        case let .path(elements), let .strokedPath(elements, _):
            for element in elements {
                switch element {
                case let .move(p): cairo_move_to(cr, p.x, p.y)
                case let .line(p): cairo_line_to(cr, p.x, p.y)
                case let .curve(c1, c2, p): cairo_curve_to(cr, c1.x, c1.y, c2.x, c2.y, p.x, p.y)
                case .close: cairo_close_path(cr)
                }
            }
        case let .arc(r, start, end, _):
            cairo_new_sub_path(cr)
            cairo_arc(cr, 0, 0, r, start * .pi / 180, end * .pi / 180)
        case let .circle(r):
            cairo_new_sub_path(cr)
            cairo_arc(cr, 0, 0, r, 0, 2 * .pi)
            cairo_close_path(cr)
        case let .ellipse(rx, ry):
            guard rx != 0, ry != 0 else { return }
            cairo_save(cr)
            cairo_scale(cr, rx, ry)
            cairo_new_sub_path(cr)
            cairo_arc(cr, 0, 0, 1, 0, 2 * .pi)
            cairo_close_path(cr)
            cairo_restore(cr)
        case let .regularPolygon(sides, r):
            guard sides >= 3 else { return }
            for k in 0..<sides {
                let angle = -Double.pi / 2 + 2 * Double.pi * Double(k) / Double(sides)
                let (x, y) = (r * cos(angle), r * sin(angle))
                if k == 0 { cairo_move_to(cr, x, y) } else { cairo_line_to(cr, x, y) }
            }
            cairo_close_path(cr)
        case let .polygon(points):
            guard let first = points.first else { return }
            cairo_move_to(cr, first.x, first.y)
            for p in points.dropFirst() { cairo_line_to(cr, p.x, p.y) }
            cairo_close_path(cr)
        case let .text(string, font):
            outlines.layOut(string, font, cr)
        case let .sprite(_, w, h):
            cairo_rectangle(cr, -w / 2, -h / 2, w, h)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
