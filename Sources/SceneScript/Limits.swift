/// Hard limits per image; exceeding one is a runtime error at the offending statement.
enum Limits {
    /// Bytes of one scene or template file (4 MiB).
    static let sourceBytes = 4 << 20
    static let repeatCount = 100_000
    /// Evaluation steps per image, over all of its attempts together; and of a clip's attempts
    /// once its first is done (``SceneProgram/planClip(seed:clip:settings:measuring:)``).
    static let evaluationSteps = 10_000_000
    /// Samples an image may draw until its `require`s hold, unless `attempts N` says otherwise.
    static let defaultAttempts = 100
    /// The largest `attempts N`.
    static let attempts = 10_000
    /// Frames a clip's attempts may sample in all while its attempt is chosen (each frame a
    /// sample, its instance raster drawn for a rendered requirement): as many as the attempts an
    /// image may take, so a clip whose requirement never holds costs what such an image does,
    /// not attempts × frames (up to 10⁸).
    static let clipFrameSamples = 10_000
    static let instances = 65_535
    static let templateDepth = 32
    static let shapesPerInstance = 100_000
    /// Path segments (``SceneModel/Geometry/segmentCount``) of all the shapes of one image (of
    /// one attempt): drawing time grows with them, and one list of points reused by a loop of
    /// polygons costs one evaluation step per shape but every point in each drawing pass.
    static let segmentsPerImage = 1_000_000
    /// Pixels of the work windows of all the instances of one image (of one attempt): each
    /// instance's box (its shapes' bounding discs, seen through the camera) clipped to the
    /// canvas extended by ``SceneModel/Scene/amodalMargin`` on every side. Per-instance work
    /// (raster, picture, amodal mask) is bounded by its window, so this bounds an image's
    /// drawing by instances × canvas area: 65 535 canvas-sized instances on a 16384² canvas
    /// would be 3.5 · 10¹³ pixels.
    static let windowPixels = 1 << 30
    /// Characters (Unicode scalars) in a String made by `+`: doubling a string in a loop must
    /// not exhaust memory.
    static let stringLength = 100_000
    /// Elements in a List made by `+`.
    static let listLength = 100_000
    /// The largest `poisson` mean; each draw costs about λ evaluation steps.
    static let poissonLambda = 1_000_000.0
    /// Vertices of one regular polygon or star, points of a polygon or polyline, steps of a path.
    static let sides = 10_000
    /// Magnitude of a `scale` factor, and of the linear scale of any shape's combined transform:
    /// below it an object would shrink to nothing, above it overflow Cairo's coordinates.
    static let scale = 0.001...1000.0
    /// Largest `skew` angle in degrees (90° would flatten the shape).
    static let skewDegrees = 89.0
    /// Largest size or coordinate, in pixels: beyond it Cairo's 24.8 fixed-point path
    /// coordinates could no longer represent the shape exactly.
    static let coordinate = 1_000_000.0
    /// How far from the canvas origin, in canvas pixels, any part of a drawn shape may reach
    /// (its bounding disc under the combined transform). Cairo holds device coordinates in
    /// 24.8 fixed point (±8 388 607 px); beyond that a path wraps, and Cairo's tessellator
    /// stalls on it (a circle of radius 10⁸ px never finished). Half that range leaves room
    /// for outlines and the amodal window's offset.
    static let extent = 4_000_000.0
    /// Characters (Unicode scalars) of one `text` shape, and of a font family name.
    static let textLength = 256
    /// `effect`s per image: each is a pass over every pixel of the picture (a blur several),
    /// so `repeat 100000 { effect blur(50) }` must not stall a render.
    static let effects = 32
}
