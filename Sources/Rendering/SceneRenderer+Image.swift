internal import CCairo
import SceneModel

/// Images: sprites (an image over the `width` × `height` rectangle centred on the shape's
/// origin; the picture samples it bilinearly, masks take the texel under each pixel centre)
/// and the background photograph (picture only).
extension SceneRenderer {
    /// Paints, with the current source, the pixels of the context's surface whose centre maps
    /// into a sprite texel with alpha ≥ 128 (one half): the sprite's coverage.
    ///
    /// Pixel (i, j) of the surface has its centre at canvas point
    /// c = (i + 0.5 + origin.x, j + 0.5 + origin.y). The inverse of `transform` maps c to the
    /// local point (x, y), and the texel coordinates are u = (x + width/2) · W / width,
    /// v = (y + height/2) · H / height for a W × H bitmap. The pixel is covered when
    /// 0 ≤ u < W, 0 ≤ v < H and texel (⌊u⌋, ⌊v⌋) has alpha ≥ 128 — nearest-texel sampling, no
    /// interpolation, so the result is exact and independent of Cairo's filters. The pixels
    /// are painted through an A8 mask of 0/255 (`cairo_mask_surface`), which under any
    /// antialias setting sets exactly those pixels. Only the pixels inside the current clip
    /// (the surface, unless clipped) are computed.
    /// - Throws: `RenderError` when the mask surface cannot be created.
    /// - Complexity: one inverse mapping per pixel of the sprite's box on the surface.
    static func paintSpriteCoverage(_ bitmap: Bitmap, width: Double, height: Double, transform: AffineTransform,
                                    _ cr: OpaquePointer, origin: (x: Double, y: Double)) throws {
        guard width > 0, height > 0, let inverse = transform.inverted else { return }
        var clip = DeviceBox(x0: 0, y0: 0, x1: 0, y1: 0)
        cairo_clip_extents(cr, &clip.x0, &clip.y0, &clip.x1, &clip.y1)
        let corners = [Point(-width / 2, -height / 2), Point(width / 2, -height / 2),
                       Point(width / 2, height / 2), Point(-width / 2, height / 2)].map(transform.apply)
        let box = DeviceBox(x0: corners.map(\.x).min()! - origin.x, y0: corners.map(\.y).min()! - origin.y,
                            x1: corners.map(\.x).max()! - origin.x, y1: corners.map(\.y).max()! - origin.y)
            .intersection(clip)
        guard !box.isEmpty else { return }
        let (x0, y0) = (Int(box.x0.rounded(.down)), Int(box.y0.rounded(.down)))
        let mask = try ImageSurface(width: Int(box.x1.rounded(.up)) - x0, height: Int(box.y1.rounded(.up)) - y0,
                                    format: CAIRO_FORMAT_A8)
        let (scaleU, scaleV) = (Double(bitmap.width) / width, Double(bitmap.height) / height)
        mask.withMutablePixelBytes { bytes in
            for j in 0..<mask.height {
                for i in 0..<mask.width {
                    let local = inverse.apply(Point(Double(x0 + i) + 0.5 + origin.x, Double(y0 + j) + 0.5 + origin.y))
                    let (u, v) = ((local.x + width / 2) * scaleU, (local.y + height / 2) * scaleV)
                    guard u >= 0, v >= 0, u < Double(bitmap.width), v < Double(bitmap.height) else { continue }
                    if bitmap.alpha(x: Int(u), y: Int(v)) >= 128 { bytes[j * mask.stride + i] = 255 }
                }
            }
        }
        cairo_mask_surface(cr, mask.surface, Double(x0), Double(y0))
    }

    /// Sets the sprite's image as the source for filling its rectangle in device space
    /// (canvas pixels): device space maps through the inverse of `transform` to the local
    /// frame, then to texels; `CAIRO_FILTER_BILINEAR`.
    /// - Throws: `RenderError` when the image surface cannot be created.
    static func setSpriteSource(_ bitmap: Bitmap, width: Double, height: Double, transform: AffineTransform,
                                _ cr: OpaquePointer) throws {
        guard width > 0, height > 0, let inverse = transform.inverted else { return }
        let texelFromLocal = AffineTransform(a: Double(bitmap.width) / width, b: 0, c: 0, d: Double(bitmap.height) / height,
                                             tx: Double(bitmap.width) / 2, ty: Double(bitmap.height) / 2)
        try setImageSource(bitmap, texelFromDevice: texelFromLocal.concatenating(inverse), filter: CAIRO_FILTER_BILINEAR, cr)
    }

    /// Draws `photo` over the whole canvas, scaled by s = max(canvas width / W,
    /// canvas height / H) for a W × H image so that it covers the canvas, centred (the excess
    /// is cropped equally from both sides), with `CAIRO_FILTER_GOOD` (bilinear when
    /// enlarging, box-filtered when shrinking) and alpha blended over what is already there.
    /// - Throws: `RenderError` when the image surface cannot be created.
    static func paintBackgroundImage(_ photo: Bitmap, canvasWidth: Int, canvasHeight: Int, _ cr: OpaquePointer) throws {
        let (w, h) = (Double(photo.width), Double(photo.height))
        let s = max(Double(canvasWidth) / w, Double(canvasHeight) / h)
        // device = s · texel + offset  ⇔  texel = (device − offset) / s.
        let (offsetX, offsetY) = ((Double(canvasWidth) - s * w) / 2, (Double(canvasHeight) - s * h) / 2)
        try setImageSource(photo, texelFromDevice: AffineTransform(a: 1 / s, b: 0, c: 0, d: 1 / s, tx: -offsetX / s, ty: -offsetY / s),
                           filter: CAIRO_FILTER_GOOD, cr)
        cairo_paint(cr)
    }

    /// Makes `bitmap` the source: a premultiplied ARGB32 copy as a surface pattern with
    /// `texelFromDevice` as its matrix, the given filter and `CAIRO_EXTEND_PAD` (edges show the
    /// edge texels).
    private static func setImageSource(_ bitmap: Bitmap, texelFromDevice m: AffineTransform, filter: cairo_filter_t,
                                       _ cr: OpaquePointer) throws {
        let image = try ImageSurface(width: bitmap.width, height: bitmap.height, format: CAIRO_FORMAT_ARGB32)
        image.withMutablePixelBytes { bytes in
            for y in 0..<bitmap.height {
                let row = bytes.baseAddress!.advanced(by: y * image.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<bitmap.width {
                    let p = 4 * (y * bitmap.width + x)
                    let a = UInt32(bitmap.rgba[p + 3])
                    // Premultiplied, rounded: c · a / 255.
                    func premultiplied(_ c: UInt8) -> UInt32 { (UInt32(c) * a + 127) / 255 }
                    row[x] = a << 24 | premultiplied(bitmap.rgba[p]) << 16 | premultiplied(bitmap.rgba[p + 1]) << 8
                        | premultiplied(bitmap.rgba[p + 2])
                }
            }
        }
        let pattern = cairo_pattern_create_for_surface(image.surface)!
        defer { cairo_pattern_destroy(pattern) }
        var matrix = cairo_matrix_t(xx: m.a, yx: m.b, xy: m.c, yy: m.d, x0: m.tx, y0: m.ty)
        cairo_pattern_set_matrix(pattern, &matrix)
        cairo_pattern_set_filter(pattern, filter)
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_set_source(cr, pattern)
    }
}
