internal import CCairo

/// An owned Cairo image surface (`cairo_image_surface_create`), freed in `deinit`.
///
/// Pixels are row-major with `stride` bytes per row; each pixel is a native-endian 32-bit
/// word `0xXXRRGGBB` (`CAIRO_FORMAT_RGB24`), i.e. bytes B, G, R, X on little-endian machines.
public final class ImageSurface {
    let surface: OpaquePointer
    public let width: Int
    public let height: Int
    public let stride: Int

    /// Creates a zero-filled surface: black for RGB24, transparent for A8 (one byte per
    /// pixel, used for masks and shadows) and ARGB32 (premultiplied, used for textures).
    /// - Throws: `RenderError.cairo` if Cairo cannot create it (size out of range, no memory).
    init(width: Int, height: Int, format: cairo_format_t = CAIRO_FORMAT_RGB24) throws {
        guard width > 0, height > 0, width <= 32767, height <= 32767 else {
            throw RenderError.invalidCanvas(width: width, height: height)
        }
        let surface = cairo_image_surface_create(format, Int32(width), Int32(height))!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw RenderError.cairo(String(cString: cairo_status_to_string(status)))
        }
        self.surface = surface
        self.width = width
        self.height = height
        self.stride = Int(cairo_image_surface_get_stride(surface))
    }

    deinit { cairo_surface_destroy(surface) }

    /// Calls `body` with the surface's pixel bytes (`height` rows of `stride` bytes) after
    /// flushing pending drawing (`cairo_surface_flush`).
    public func withPixelBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        return try body(UnsafeRawBufferPointer(start: data, count: stride * height))
    }

    /// Calls `body` with the surface's pixel bytes to change them (`height` rows of `stride`
    /// bytes), then tells Cairo they changed (`cairo_surface_mark_dirty`).
    func withMutablePixelBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        cairo_surface_flush(surface)
        defer { cairo_surface_mark_dirty(surface) }
        let data = cairo_image_surface_get_data(surface)!
        return try body(UnsafeMutableRawBufferPointer(start: data, count: stride * height))
    }

    /// The colour of pixel (x, y) as 8-bit (red, green, blue).
    public func rgb(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        withPixelBytes { bytes in
            let word = bytes.load(fromByteOffset: y * stride + x * 4, as: UInt32.self)
            return (UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word))
        }
    }
}

/// An owned, unbounded Cairo recording surface (`cairo_recording_surface_create` with no
/// extents), freed in `deinit`: a scratch target for measuring paths. Unlike a small image
/// surface it clips nothing — Cairo drops the glyphs of a text path that fall outside a
/// bounded target, so text measured on a 1 × 1 image surface comes out too short.
final class RecordingSurface {
    let surface: OpaquePointer

    /// - Throws: `RenderError.cairo` if Cairo cannot create it.
    init() throws {
        let surface = cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, nil)!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw RenderError.cairo(String(cString: cairo_status_to_string(status)))
        }
        self.surface = surface
    }

    deinit { cairo_surface_destroy(surface) }
}

/// Draws on `surface` through a fresh Cairo context (`cairo_create`), destroyed afterwards.
/// - Throws: what `body` throws, or `RenderError.cairo` when the context ends in an error
///   state.
func withContext(_ surface: ImageSurface, _ body: (OpaquePointer) throws -> Void) throws {
    try withContext(surface: surface.surface, body)
}

/// Measures on `surface` through a fresh Cairo context, as `withContext(_:_:)` does.
func withContext(_ surface: RecordingSurface, _ body: (OpaquePointer) throws -> Void) throws {
    try withContext(surface: surface.surface, body)
}

private func withContext(surface: OpaquePointer, _ body: (OpaquePointer) throws -> Void) throws {
    let cr = cairo_create(surface)!
    defer { cairo_destroy(cr) }
    try body(cr)
    let status = cairo_status(cr)
    guard status == CAIRO_STATUS_SUCCESS else {
        throw RenderError.cairo(String(cString: cairo_status_to_string(status)))
    }
}

/// Errors from rendering.
public enum RenderError: Error, Equatable, CustomStringConvertible {
    case invalidCanvas(width: Int, height: Int)
    case tooManyInstances(Int)
    case cairo(String)
    case png(String)
    case jpeg(String)

    public var description: String {
        switch self {
        case let .invalidCanvas(w, h): return "canvas \(w) x \(h) is out of range (1…32767 pixels per side)"
        case let .tooManyInstances(n): return "\(n) instances in one image; at most 65535 fit a 16-bit instance mask"
        case let .cairo(message): return "cairo: \(message)"
        case let .png(message), let .jpeg(message): return message
        }
    }
}
