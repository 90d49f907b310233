/// One filled primitive of an instance.
public struct Shape: Hashable, Sendable {
    public var geometry: Geometry
    /// Maps the geometry's local frame to canvas pixels.
    public var transform: AffineTransform
    public var paint: Paint
    public var fillRule: FillRule
    /// A stroke over the fill's outline, or `nil`. The outline is part of the instance's
    /// masks (see ``Outline``).
    public var outline: Outline?
    /// Opacity of the whole shape (fill, shading and outline) in the RGB image, 0…1. Masks
    /// ignore it: a half-transparent shape still owns every pixel whose centre it covers, and
    /// hides what is behind it in the instance raster.
    public var opacity: Double
    /// Whether the scene light shades this shape (`false`: drawn flat in its paint, e.g.
    /// road markings or emissive parts). Shading never affects masks.
    public var isShaded: Bool
    /// Whether this shape is part of its instance's cast shadow. Shadows never affect masks.
    public var castsShadow: Bool

    public init(geometry: Geometry, transform: AffineTransform, paint: Paint, fillRule: FillRule = .nonZero,
                outline: Outline? = nil, opacity: Double = 1, isShaded: Bool = true, castsShadow: Bool = true) {
        self.geometry = geometry
        self.transform = transform
        self.paint = paint
        self.fillRule = fillRule
        self.outline = outline
        self.opacity = opacity
        self.isShaded = isShaded
        self.castsShadow = castsShadow
    }
}

/// A category: a thing class (`classes`), whose instances are annotated one by one, or a
/// stuff class (`stuff`: road, sky), an amorphous region that paints the semantic mask and
/// gets no instance annotation. Things and stuff share one id space, 1, 2, … in declaration
/// order (as COCO panoptic's categories do).
public struct Category: Hashable, Sendable {
    public var id: Int
    /// As declared: any non-empty text without control characters, written to COCO exactly.
    public var name: String
    public var supercategory: String
    /// `true` for a thing class, `false` for a stuff class.
    public var isThing: Bool

    public init(id: Int, name: String, supercategory: String, isThing: Bool = true) {
        self.id = id
        self.name = name
        self.supercategory = supercategory
        self.isThing = isThing
    }
}

/// One placed object: the union of its shapes is one instance.
public struct Instance: Hashable, Sendable {
    /// 1-based rank in drawing order within the image; also the value written in the
    /// instance mask. Later instances are drawn on top of earlier ones.
    public var id: Int
    /// The category id, or `nil` for an unlabeled object (a distractor or occluder that is
    /// drawn and hides what is behind it but is never annotated). An instance of a stuff
    /// category is drawn and hides what is behind it like an unlabeled object, and paints
    /// its category into the semantic mask; it gets no annotation and no instance-mask id.
    public var categoryID: Int?
    /// Drawn in order; all belong to this instance.
    public var shapes: [Shape]
    /// `object … with NAME: VALUE, …`: written in the annotation's `attributes`, in this order.
    public var attributes: [RecordedField]
    /// What makes this instance the same object in every frame of a clip: a hash of the
    /// `object` statement that placed it and its context (loop iterations, template calls).
    /// 0 for an instance not made by a script.
    public var trackKey: UInt64
    /// The instance's track id within its clip (1, 2, … in order of first appearance), or
    /// `nil` for a still image, an unlabeled or a stuff instance.
    public var trackID: Int?

    public init(id: Int, categoryID: Int?, shapes: [Shape], attributes: [RecordedField] = [], trackKey: UInt64 = 0,
                trackID: Int? = nil) {
        self.id = id
        self.categoryID = categoryID
        self.shapes = shapes
        self.attributes = attributes
        self.trackKey = trackKey
        self.trackID = trackID
    }
}

/// A fully sampled scene: plain values, no randomness left. The input of rendering.
public struct Scene: Hashable, Sendable {
    /// How far past each canvas edge, in pixels, an instance's amodal mask is measured
    /// (Rendering's `AmodalMask.margin`): the window of per-instance work is the instance's box
    /// clipped to the canvas extended by this much on every side.
    public static let amodalMargin = 4096

    /// Canvas size in pixels.
    public var width: Int
    public var height: Int
    /// All categories the script declares, in id order (ids 1, 2, …).
    public var categories: [Category]
    /// Painted over the whole canvas first, unlit; coordinates (gradient points, texture
    /// scale) in canvas pixels. Any ``Paint`` works: a colour, a gradient or a texture.
    public var background: Paint
    /// In drawing order (back to front); `instances[k].id == k + 1`.
    public var instances: [Instance]
    /// The light that shades the instances and casts their shadows, or `nil` for flat,
    /// unshadowed drawing in the shapes' own paint.
    public var light: Light?
    /// Applied in order to the finished RGB image (never to masks).
    public var effects: [Effect]
    /// A photograph drawn over `background`, scaled to cover the canvas and centre-cropped
    /// (see `docs/RENDERING.md`), or `nil`. Unlit, and never in a mask.
    public var backgroundImage: Bitmap?
    /// The values the script recorded (`record NAME`), in the order of the `record`
    /// statements in the program; a value never recorded in this image is absent.
    public var records: [RecordedField]
    /// What the camera records: RGB at 8 bits (the default) or one grey channel at 8 or 16
    /// bits (the script's `sensor` statement).
    public var sensor: Sensor = .rgb8

    public init(width: Int, height: Int, categories: [Category], background: Paint, instances: [Instance],
                light: Light? = nil, effects: [Effect] = [], backgroundImage: Bitmap? = nil, records: [RecordedField] = []) {
        self.records = records
        self.width = width
        self.height = height
        self.categories = categories
        self.background = background
        self.instances = instances
        self.light = light
        self.effects = effects
        self.backgroundImage = backgroundImage
    }
}

/// The samples a camera records per pixel: their number (`channels`, 1 = grey, 3 = RGB) and
/// bits per sample (`bitDepth`, 8 or 16; 16 only for grey). The picture is drawn and its
/// effects run on values in 0…1; the sensor decides how they are written: value v becomes
/// round(v · (2^bitDepth − 1)), and a grey sensor sees the luma 0.299 R + 0.587 G + 0.114 B
/// (ITU-R BT.601) of the drawn colours.
public struct Sensor: Hashable, Sendable {
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// 8 or 16 bits per sample.
    public var bitDepth: Int

    public init(channels: Int, bitDepth: Int) {
        precondition(Sensor.isSupported(channels: channels, bitDepth: bitDepth), "unsupported sensor")
        self.channels = channels
        self.bitDepth = bitDepth
    }

    /// 8-bit RGB: what every scene without a `sensor` statement writes.
    public static let rgb8 = Sensor(channels: 3, bitDepth: 8)

    public var isGray: Bool { channels == 1 }

    /// Grey at 8 or 16 bits, or RGB at 8 bits.
    public static func isSupported(channels: Int, bitDepth: Int) -> Bool {
        (channels == 1 && (bitDepth == 8 || bitDepth == 16)) || (channels == 3 && bitDepth == 8)
    }
}

extension Shape {
    /// The radius, in canvas pixels, of a disc about the transform's origin (`tx`, `ty`) that
    /// holds the shape on the canvas: ``Geometry/boundingRadius`` stretched by the transform's
    /// largest singular value, plus five outline widths (its mitred reach). For text an
    /// estimate, as ``Geometry/boundingRadius`` is.
    public var boundingDiscRadius: Double {
        let t = transform
        let sum = t.a * t.a + t.b * t.b + t.c * t.c + t.d * t.d, determinant = t.a * t.d - t.b * t.c
        let stretch = ((sum + max(0, sum * sum - 4 * determinant * determinant).squareRoot()) / 2).squareRoot()
        let reach = self.outline.map { $0.width.isFinite && $0.width > 0 ? $0.width * 5 : 0 } ?? 0
        return geometry.boundingRadius * stretch + reach
    }
}

extension Instance {
    /// The pixels of this instance's work window on a `width × height` canvas: the box of its
    /// shapes' bounding discs (``Shape/boundingDiscRadius``), in whole pixels, clipped to the
    /// canvas extended by ``Scene/amodalMargin`` on every side. Drawing the instance (picture,
    /// raster) and its amodal mask touch no pixel outside it, so an image's work is bounded by
    /// the sum of its instances' windows.
    /// - Complexity: O(shapes), plus the points of polygons and paths.
    public func windowPixels(width: Int, height: Int) -> Int {
        var box: (x0: Double, y0: Double, x1: Double, y1: Double)?
        for shape in shapes {
            let (t, r) = (shape.transform, shape.boundingDiscRadius)
            guard r.isFinite, t.tx.isFinite, t.ty.isFinite else { continue }
            let b = box ?? (t.tx - r, t.ty - r, t.tx + r, t.ty + r)
            box = (min(b.x0, t.tx - r), min(b.y0, t.ty - r), max(b.x1, t.tx + r), max(b.y1, t.ty + r))
        }
        guard let box else { return 0 }
        let margin = Double(Scene.amodalMargin)
        func side(_ low: Double, _ high: Double, _ size: Int) -> Int {
            let (a, b) = (max(low.rounded(.down), -margin), min(high.rounded(.up) + 1, Double(size) + margin))
            return b > a ? Int(b - a) : 0
        }
        return side(box.x0, box.x1, width) * side(box.y0, box.y1, height)
    }
}
