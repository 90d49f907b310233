internal import CCairo
public import SceneModel

/// What rendering one scene produces: the antialiased picture and the instance raster.
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

    private static func withContext(_ surface: ImageSurface, _ body: (OpaquePointer) -> Void) throws {
        let cr = cairo_create(surface.surface)!
        defer { cairo_destroy(cr) }
        body(cr)
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cairo(String(cString: cairo_status_to_string(status)))
        }
    }

    private static func paintBackground(_ paint: Paint, width: Int, height: Int, _ cr: OpaquePointer) {
        setSource(paint, cr)
        cairo_paint(cr)
    }

    /// Fills one shape: its path in its local frame under its transform, with its fill rule.
    /// Shapes whose transform is singular or not finite cover nothing and are skipped, since
    /// Cairo would put the whole context into an error state.
    private static func fill(_ shape: Shape, paint: Paint, _ cr: OpaquePointer) {
        let t = shape.transform
        let determinant = t.a * t.d - t.b * t.c
        guard determinant != 0, determinant.isFinite, t.tx.isFinite, t.ty.isFinite else { return }
        var matrix = cairo_matrix_t(xx: t.a, yx: t.b, xy: t.c, yy: t.d, x0: t.tx, y0: t.ty)
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
