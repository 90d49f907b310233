internal import CCairo
public import SceneModel

/// What rendering one scene produces: the antialiased picture and the instance raster.
/// One instance's whole shape as if nothing hid it: pixel-centre coverage on the canvas
/// pixel grid, over a window that may extend past the canvas.
public struct AmodalMask: Sendable, Equatable {
    /// How far past each canvas edge the window may reach, in pixels. Coverage beyond it is
    /// not measured (it only matters for `in_frame_fraction` of enormous objects).
    public static let margin = 4096
    /// The canvas pixel at the window's (0, 0); negative when the window starts left of or
    /// above the canvas.
    public let originX: Int
    public let originY: Int
    public let width: Int
    public let height: Int
    /// Row-major, `width * height`: `true` where the instance covers the pixel centre.
    public let pixels: [Bool]
}

public struct RenderedScene {
    /// The antialiased RGB image (Cairo's default antialiasing).
    public let image: ImageSurface
    /// Front-most instance id per pixel, row-major without padding: pixel (x, y) at
    /// `y * width + x`; 0 where no instance covers the pixel centre. Ids are `Instance.id`,
    /// labeled and unlabeled alike.
    public let instanceIDs: [UInt16]
    public let width: Int
    public let height: Int
}

/// Draws a `Scene` with Cairo.
///
/// The picture and the instance raster come from the same paths, transforms and fill
/// rules, in the same order. The raster is drawn with `CAIRO_ANTIALIAS_NONE`, under which
/// Cairo (pixman) sets a pixel exactly when the path covers its centre (i + 0.5, j + 0.5):
/// the pixel-centre rule of the label contract.
public enum SceneRenderer {
    /// Renders `scene`.
    /// - Throws: `RenderError` when the canvas is out of range, the scene has more than
    ///   65535 instances, or Cairo reports an error.
    /// - Complexity: two fills per shape, plus one pass over the raster.
    public static func render(_ scene: Scene) throws -> RenderedScene {
        guard scene.instances.count <= Int(UInt16.max) else {
            throw RenderError.tooManyInstances(scene.instances.count)
        }
        let image = try ImageSurface(width: scene.width, height: scene.height)
        let raster = try ImageSurface(width: scene.width, height: scene.height)
        try withContext(image) { cr in
            paintBackground(scene.background, width: scene.width, height: scene.height, cr)
            for instance in scene.instances {
                for shape in instance.shapes { fill(shape, paint: shape.paint, cr) }
            }
        }
        try withContext(raster) { cr in
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
            for instance in scene.instances {
                // The id as an exact 8-bit colour: Cairo maps c/255 back to the byte c.
                let id = Color(
                    red: Double(instance.id & 0xFF) / 255, green: Double(instance.id >> 8) / 255, blue: 0)
                for shape in instance.shapes { fill(shape, paint: .solid(id), cr) }
            }
        }
        let ids = raster.withPixelBytes { bytes in
            var ids = [UInt16](repeating: 0, count: scene.width * scene.height)
            ids.withUnsafeMutableBufferPointer { out in
                for y in 0..<scene.height {
                    let row = bytes.baseAddress!.advanced(by: y * raster.stride).assumingMemoryBound(to: UInt32.self)
                    let base = y * scene.width
                    for x in 0..<scene.width {
                        let word = row[x]
                        out[base + x] = UInt16(truncatingIfNeeded: (word >> 16) & 0xFF | (word & 0xFF00))
                    }
                }
            }
            return ids
        }
        return RenderedScene(image: image, instanceIDs: ids, width: scene.width, height: scene.height)
    }

    /// The amodal mask of every instance: the pixels whose centre the instance covers,
    /// ignoring all other instances, on the canvas pixel grid extended past the canvas edges
    /// so that truncation can be measured (same non-antialiased fill as the raster).
    /// - Returns: one mask per instance, in `scene.instances` order.
    /// - Throws: `RenderError.cairo` if Cairo fails.
    /// - Complexity: one fill per shape on a surface the size of the instance's bounds
    ///   (clamped to `AmodalMask.margin` pixels past each canvas edge).
    public static func amodalMasks(_ scene: Scene) throws -> [AmodalMask] {
        try scene.instances.map { try amodalMask($0, width: scene.width, height: scene.height) }
    }

    private static func amodalMask(_ instance: Instance, width: Int, height: Int) throws -> AmodalMask {
        var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) = (.infinity, .infinity, -.infinity, -.infinity)
        for shape in instance.shapes {
            let r = shape.geometry.boundingRadius
            for corner in [Point(-r, -r), Point(r, -r), Point(r, r), Point(-r, r)] {
                let p = shape.transform.apply(corner)
                guard p.x.isFinite, p.y.isFinite else { continue }
                bounds = (min(bounds.minX, p.x), min(bounds.minY, p.y), max(bounds.maxX, p.x), max(bounds.maxY, p.y))
            }
        }
        let m = Double(AmodalMask.margin)
        guard bounds.minX <= bounds.maxX, bounds.minY <= bounds.maxY else {
            return AmodalMask(originX: 0, originY: 0, width: 0, height: 0, pixels: [])
        }
        // Clamped on both sides so that far-away or enormous shapes stay representable.
        func clamp(_ v: Double, _ size: Int) -> Int { Int(min(max(v, -m), Double(size) + m)) }
        let x0 = clamp(floor(bounds.minX), width), y0 = clamp(floor(bounds.minY), height)
        let x1 = clamp(ceil(bounds.maxX) + 1, width), y1 = clamp(ceil(bounds.maxY) + 1, height)
        guard x1 > x0, y1 > y0 else {
            return AmodalMask(originX: 0, originY: 0, width: 0, height: 0, pixels: [])
        }
        let surface = try ImageSurface(width: x1 - x0, height: y1 - y0, format: CAIRO_FORMAT_A8)
        try withContext(surface) { cr in
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
            for shape in instance.shapes { fill(shape, paint: .solid(.black), cr, origin: (x0, y0)) }
        }
        let pixels = surface.withPixelBytes { bytes in
            var pixels = [Bool](repeating: false, count: surface.width * surface.height)
            for y in 0..<surface.height {
                for x in 0..<surface.width { pixels[y * surface.width + x] = bytes[y * surface.stride + x] != 0 }
            }
            return pixels
        }
        return AmodalMask(originX: x0, originY: y0, width: surface.width, height: surface.height, pixels: pixels)
    }

    private static func paintBackground(_ paint: Paint, width: Int, height: Int, _ cr: OpaquePointer) {
        setSource(paint, cr)
        cairo_paint(cr)
    }

    /// Fills one shape: its path in its local frame under its transform, with its fill rule.
    /// Shapes whose transform is singular or not finite cover nothing and are skipped, since
    /// Cairo would put the whole context into an error state.
    /// `origin` is the canvas pixel at the surface's (0, 0), for surfaces that cover only part
    /// of (or extend past) the canvas; whole-pixel offsets keep the pixel grid.
    private static func fill(_ shape: Shape, paint: Paint, _ cr: OpaquePointer, origin: (x: Int, y: Int) = (0, 0)) {
        let t = shape.transform
        let determinant = t.a * t.d - t.b * t.c
        guard determinant != 0, determinant.isFinite, t.tx.isFinite, t.ty.isFinite else { return }
        var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d,
                                    x0: t.tx - Double(origin.x), y0: t.ty - Double(origin.y))
        cairo_save(cr)
        cairo_set_matrix(cr, &matrix)
        cairo_new_path(cr)
        appendPath(shape.geometry, cr)
        cairo_set_fill_rule(cr, shape.fillRule == .evenOdd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING)
        setSource(paint, cr)
        cairo_fill(cr)
        cairo_restore(cr)
    }

    private static func appendPath(_ geometry: Geometry, _ cr: OpaquePointer) {
        switch geometry {
        case let .rectangle(w, h):
            cairo_rectangle(cr, -w / 2, -h / 2, w, h)
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
        }
    }

    private static func setSource(_ paint: Paint, _ cr: OpaquePointer) {
        switch paint {
        case let .solid(c):
            cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
        case let .linearGradient(start, end, stops):
            let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
            for stop in stops {
                let c = stop.color
                cairo_pattern_add_color_stop_rgba(pattern, stop.offset, c.red, c.green, c.blue, c.alpha)
            }
            cairo_set_source(cr, pattern)
            cairo_pattern_destroy(pattern)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
