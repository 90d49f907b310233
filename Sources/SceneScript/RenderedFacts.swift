/// What a requirement may ask about an attempt once its instance raster is drawn.
///
/// SceneScript never draws: the pipeline measures an attempt's scene and hands the result to
/// ``SceneProgram/sample(seed:index:measuring:)``. Instance ids are `Instance.id` (1-based
/// drawing order, labeled and unlabeled alike). Every count is in pixels under the label
/// contract's pixel-centre rule, so each value equals the field the instances files carries
/// for the same image (`area`, `bbox`, `amodal_area`, `visible_fraction`,
/// `in_frame_fraction`, `occluders`).
public protocol RenderedFacts {
    /// Pixels where instance `id` is the front-most shape (COCO `area`).
    func visiblePixels(of id: Int) throws -> Int
    /// The tight box of the visible mask, in pixels (COCO `bbox`: x = first column,
    /// width = last − first + 1), or `nil` when no pixel is visible.
    func visibleBox(of id: Int) throws -> VisibleBox?
    /// The amodal facts of instance `id` (needs its amodal mask; measured on first use).
    func occlusion(of id: Int) throws -> OcclusionFacts
    /// The number of pixel edges between a visible pixel of `a` and a 4-neighbour visible
    /// pixel of `b`: the length, in pixels, of the boundary the two visible masks share.
    func sharedEdge(between a: Int, and b: Int) throws -> Int
}

/// A visible mask's tight box: `[x, y, width, height]` of COCO, in whole pixels.
public struct VisibleBox: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// The occlusion facts of one instance (see docs/FORMATS.md for each field).
public struct OcclusionFacts: Sendable, Hashable {
    /// Pixels of the amodal mask inside the canvas (`amodal_area`).
    public var amodalArea: Int
    /// `visible / amodalArea` (`visible_fraction`; 0 when `amodalArea` is 0).
    public var visibleFraction: Double
    /// `in_frame_fraction`.
    public var inFrameFraction: Double
    /// `occluders`: for each instance front-most over some amodal pixels of this one, its id
    /// and those pixels, in increasing id. The pixels add up to `amodalArea − visible`.
    public var hiddenBy: [(instance: Int, pixels: Int)]

    public init(amodalArea: Int, visibleFraction: Double, inFrameFraction: Double, hiddenBy: [(instance: Int, pixels: Int)]) {
        self.amodalArea = amodalArea
        self.visibleFraction = visibleFraction
        self.inFrameFraction = inFrameFraction
        self.hiddenBy = hiddenBy
    }

    public static func == (a: OcclusionFacts, b: OcclusionFacts) -> Bool {
        a.amodalArea == b.amodalArea && a.visibleFraction == b.visibleFraction && a.inFrameFraction == b.inFrameFraction
            && a.hiddenBy.map(\.instance) == b.hiddenBy.map(\.instance) && a.hiddenBy.map(\.pixels) == b.hiddenBy.map(\.pixels)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(amodalArea)
        hasher.combine(visibleFraction)
    }
}
