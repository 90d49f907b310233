internal import CCairo
import SceneModel

/// The antialiased RGB picture, in drawing order: the background (paint, then photograph); then, per instance, its cast
/// shadow, and its shapes (fill in their paint, light shading, outline, all at the shape's
/// opacity; a sprite's fill is its image, unshaded). Masks are drawn elsewhere, from `fillCoverage` alone, so nothing here can reach
/// a label.
extension SceneRenderer {
    /// Draws `scene.instances[range]`, and first the background when the range starts at 0
    /// (a later range continues a picture that has the ones before it: a ``Backdrop``).
    /// - Parameter textures: the picture's textures, drawn once each and reused (by default a
    ///   cache keeping up to four canvases of texture pixels). A texture's pixels depend on
    ///   their canvas position only, so a backdrop and the frames over it may use different caches.
    /// - Parameter outlines: where text outlines are laid out once and taken from.
    static func drawPicture(_ scene: Scene, instances range: Range<Int>, _ cr: OpaquePointer,
                            textures: TextureCache? = nil, outlines: TextOutlines) throws {
        let textures = textures ?? TextureCache(budget: 4 * scene.width * scene.height)
        let canvas = DeviceBox(x0: 0, y0: 0, x1: Double(scene.width), y1: Double(scene.height))
        if range.lowerBound == 0 {
            try setSource(scene.background, frame: .identity, over: canvas, textures: textures, cr)
            cairo_paint(cr)
            if let photo = scene.backgroundImage {
                try paintBackgroundImage(photo, canvasWidth: scene.width, canvasHeight: scene.height, cr)
            }
        }
        for instance in scene.instances[range] {
            if let light = scene.light, let shadow = light.shadow {
                try ShadowRenderer.draw(instance, shadow: shadow, direction: light.direction,
                                        canvasWidth: scene.width, canvasHeight: scene.height, cr, outlines: outlines)
            }
            let shading = scene.light.flatMap { light in
                deviceBounds(instance.shapes.filter(\.isShaded), includingOutlines: false, cr, outlines: outlines)
                    .flatMap { Shading(light: light, bounds: $0) }
            }
            for shape in instance.shapes {
                try draw(shape, shading: shape.isShaded ? shading : nil, canvas: canvas, textures: textures, cr,
                         outlines: outlines)
            }
        }
    }

    /// Draws one shape into the picture: fill, shading, outline; through a group painted with
    /// `cairo_paint_with_alpha` when the shape is translucent.
    private static func draw(_ shape: Shape, shading: Shading?, canvas: DeviceBox, textures: TextureCache,
                             _ cr: OpaquePointer, outlines: TextOutlines) throws {
        guard shape.opacity > 0 else { return }
        cairo_new_path(cr)
        guard appendShapePath(shape, cr, outlines: outlines) else { return }
        let isTranslucent = shape.opacity < 1
        if isTranslucent { cairo_push_group(cr) }
        if case let .sprite(bitmap, width, height) = shape.geometry {
            // The image brings its own paint and light: neither the shape's paint nor shading.
            try setSpriteSource(bitmap, width: width, height: height, transform: shape.transform, cr)
            cairo_fill_preserve(cr)
        } else {
            if let shading, case let .solid(color) = shape.paint {
                shading.paint(color, cr) { cover(shape, cr) }
            } else {
                // Only a gradient or texture needs the box it paints; for a solid paint the
                // measure is skipped (for a glyph path Cairo 1.16 tessellates the whole path).
                let extents = if case .solid = shape.paint { canvas } else { coverExtents(shape, cr).intersection(canvas) }
                if let shading {
                    try shading.paint(over: extents, cr, source: {
                        try setSource(shape.paint, frame: shape.transform, over: extents, textures: textures, $0)
                    }) {
                        cover(shape, cr)
                    }
                } else {
                    try setSource(shape.paint, frame: shape.transform, over: extents, textures: textures, cr)
                    cover(shape, cr)
                }
            }
        }
        if let outline = shape.outline {
            let c = outline.color
            cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
            strokeOutline(outline, cr)
        }
        cairo_new_path(cr)
        if isTranslucent {
            cairo_pop_group_to_source(cr)
            cairo_paint_with_alpha(cr, shape.opacity)
        }
    }

    /// Sets `paint` as the source for drawing in device space (canvas pixels).
    /// - Parameters:
    ///   - frame: maps the paint's frame (gradient points, texture layout) to canvas pixels:
    ///     a shape's transform, or the identity for the background.
    ///   - box: the canvas region that will be painted; textures are computed only there.
    ///   - textures: where a texture is taken from when it was drawn before, and kept.
    /// - Throws: `RenderError.cairo` if a texture surface cannot be created.
    static func setSource(_ paint: Paint, frame: AffineTransform, over box: DeviceBox, textures: TextureCache,
                          _ cr: OpaquePointer) throws {
        switch paint {
        case let .solid(c):
            cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
        case let .linearGradient(start, end, stops):
            setGradient(cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!, stops, frame: frame, cr)
        case let .radialGradient(center, radius, stops):
            setGradient(cairo_pattern_create_radial(center.x, center.y, 0, center.x, center.y, max(0, radius))!,
                        stops, frame: frame, cr)
        case let .texture(texture):
            guard let source = try textures.surface(texture, frame: frame,
                                                    x0: Int(box.x0.rounded(.down)), y0: Int(box.y0.rounded(.down)),
                                                    x1: Int(box.x1.rounded(.up)), y1: Int(box.y1.rounded(.up))) else {
                cairo_set_source_rgba(cr, 0, 0, 0, 0)
                return
            }
            // The pattern holds its own reference to the surface.
            cairo_set_source_surface(cr, source.surface.surface, Double(source.x), Double(source.y))
        }
    }

    /// Adds `stops` to `pattern`, maps device space to the paint's frame (the pattern matrix
    /// is the inverse of `frame`), makes it the source and releases our reference.
    private static func setGradient(_ pattern: OpaquePointer, _ stops: [ColorStop], frame: AffineTransform, _ cr: OpaquePointer) {
        defer { cairo_pattern_destroy(pattern) }
        for stop in stops {
            let c = stop.color
            cairo_pattern_add_color_stop_rgba(pattern, stop.offset, c.red, c.green, c.blue, c.alpha)
        }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        guard let inverse = frame.inverted else { return }
        var matrix = cairo_matrix_t(xx: inverse.a, yx: inverse.b, xy: inverse.c, yy: inverse.d, x0: inverse.tx, y0: inverse.ty)
        cairo_pattern_set_matrix(pattern, &matrix)
        cairo_set_source(cr, pattern)
    }

    /// The device-space box (canvas pixels) of `shapes`' fills, and of their outline strokes
    /// when `includingOutlines`, from `cairo_fill_extents` / `cairo_stroke_extents`.
    /// - Returns: `nil` when no shape covers anything.
    static func deviceBounds(_ shapes: [Shape], includingOutlines: Bool, _ cr: OpaquePointer,
                             outlines: TextOutlines) -> DeviceBox? {
        var union: DeviceBox?
        for shape in shapes {
            cairo_new_path(cr)
            guard appendShapePath(shape, cr, outlines: outlines) else { continue }
            var box = coverExtents(shape, cr)
            if includingOutlines, let outline = shape.outline, outline.setStrokeStyle(cr) {
                var stroke = DeviceBox(x0: 0, y0: 0, x1: 0, y1: 0)
                cairo_stroke_extents(cr, &stroke.x0, &stroke.y0, &stroke.x1, &stroke.y1)
                box = box.union(stroke)
            }
            guard !box.isEmpty else { continue }
            union = union.map { $0.union(box) } ?? box
        }
        cairo_new_path(cr)
        return union
    }
}

/// An axis-aligned box in device space (canvas pixels, y down): [x0, x1) × [y0, y1).
struct DeviceBox: Equatable {
    var x0: Double, y0: Double, x1: Double, y1: Double

    var isEmpty: Bool { !(x1 > x0 && y1 > y0) }

    func union(_ other: DeviceBox) -> DeviceBox {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return DeviceBox(x0: min(x0, other.x0), y0: min(y0, other.y0), x1: max(x1, other.x1), y1: max(y1, other.y1))
    }

    func intersection(_ other: DeviceBox) -> DeviceBox {
        DeviceBox(x0: max(x0, other.x0), y0: max(y0, other.y0), x1: min(x1, other.x1), y1: min(y1, other.y1))
    }

    func offsetBy(_ dx: Double, _ dy: Double) -> DeviceBox {
        DeviceBox(x0: x0 + dx, y0: y0 + dy, x1: x1 + dx, y1: y1 + dy)
    }

    func insetBy(_ d: Double) -> DeviceBox {
        DeviceBox(x0: x0 + d, y0: y0 + d, x1: x1 - d, y1: y1 - d)
    }
}
