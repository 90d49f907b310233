/// How much of an instance is hidden, and by whom, and how much of it lies outside the
/// canvas: the occlusion facts Tessera adds to each COCO annotation.
///
/// All counts are pixels under the pixel-centre rule on one grid: the canvas's, extended
/// past its edges for truncation.
public struct Occlusion: Hashable, Sendable {
    /// The amodal mask clipped to the canvas, COCO RLE (`size` = [height, width]).
    public var amodalSegmentation: RLE
    /// Pixels of the amodal mask inside the canvas.
    public var amodalArea: Int
    /// Tight box of the clipped amodal mask; `nil` when the instance lies wholly outside.
    public var amodalBBox: PixelBox?
    /// `visibleArea / amodalArea` (0 when `amodalArea` is 0).
    public var visibleFraction: Double
    /// `amodalArea` / the instance's pixel count on the extended grid (0 when it covers none).
    public var inFrameFraction: Double
    /// One entry per instance that is front-most over some of this instance's amodal pixels,
    /// in increasing instance id; the pixels add up to `amodalArea - visibleArea`.
    public var occluders: [Occluder]

    /// One occluding instance and how many of the occluded instance's amodal pixels it covers.
    public struct Occluder: Hashable, Sendable {
        public var instanceID: Int
        public var pixels: Int
    }

    /// Measures the occlusion of instance `instanceID`.
    ///
    /// - Parameters:
    ///   - instanceID: The instance measured; its visible pixels are those equal to it in
    ///     `raster`.
    ///   - raster: Front-most instance id per canvas pixel, row-major without padding,
    ///     `width * height`; 0 = background.
    ///   - amodal: The instance's own coverage, row-major over a window of
    ///     `amodalWidth × amodalHeight` pixels whose (0, 0) is canvas pixel
    ///     (`amodalOriginX`, `amodalOriginY`); the window may extend past the canvas.
    ///   - amodalOutside: Pixels the instance covers on the extended grid outside the canvas
    ///     and outside the window, counted by the caller (so that the window can stop at the
    ///     canvas edge); 0 when the window holds all of them.
    /// - Complexity: O(window area).
    public init(
        instanceID: UInt16, raster: UnsafeBufferPointer<UInt16>, width: Int, height: Int,
        amodal: [Bool], amodalOriginX: Int, amodalOriginY: Int, amodalWidth: Int, amodalHeight: Int,
        amodalOutside: Int = 0
    ) {
        precondition(raster.count == width * height && amodal.count == amodalWidth * amodalHeight && amodalOutside >= 0)
        var total = amodalOutside, inside = 0, visible = 0
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        var hidden: [Int: Int] = [:]
        // The instance's visible pixels count as amodal even where its own fill missed them:
        // Cairo clips a path crossing the canvas edge before rasterising, and the rounded
        // clip point can move a pixel-centre sample by 1/256 px. The union keeps
        // visible ⊆ amodal exact (validate checks it).
        func isAmodal(_ wx: Int, _ wy: Int) -> Bool {
            if amodal[wy * amodalWidth + wx] { return true }
            let (x, y) = (wx + amodalOriginX, wy + amodalOriginY)
            return x >= 0 && x < width && y >= 0 && y < height && raster[y * width + x] == instanceID
        }
        for wy in 0..<amodalHeight {
            let y = wy + amodalOriginY
            for wx in 0..<amodalWidth where isAmodal(wx, wy) {
                total += 1
                let x = wx + amodalOriginX
                guard x >= 0, x < width, y >= 0, y < height else { continue }
                inside += 1
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                let front = raster[y * width + x]
                if front == instanceID { visible += 1 } else { hidden[Int(front), default: 0] += 1 }
            }
        }
        let box = inside > 0 ? PixelBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : nil
        amodalArea = inside
        amodalBBox = box
        if let box {
            amodalSegmentation = RLE(width: width, height: height, within: box) { x, y in
                isAmodal(x - amodalOriginX, y - amodalOriginY)
            }
        } else {
            amodalSegmentation = RLE(mask: [Bool](repeating: false, count: width * height), width: width, height: height)
        }
        visibleFraction = inside > 0 ? Double(visible) / Double(inside) : 0
        inFrameFraction = total > 0 ? Double(inside) / Double(total) : 0
        // Sorted so that the output never depends on dictionary order.
        occluders = hidden.keys.sorted().map { Occluder(instanceID: $0, pixels: hidden[$0]!) }
    }

    /// The members written after an annotation's COCO fields, in this order:
    /// `amodal_segmentation`, `amodal_bbox`, `amodal_area`, `visible_fraction`,
    /// `in_frame_fraction`, `occluders` (`[{"mask_id": k, "pixels": n}, …]`).
    public var jsonMembers: [JSONMember] {
        [
            JSONMember("amodal_segmentation", .object([
                JSONMember("size", .array([.int(amodalSegmentation.height), .int(amodalSegmentation.width)])),
                JSONMember("counts", .string(amodalSegmentation.compressedCounts)),
            ])),
            JSONMember("amodal_bbox", .array((amodalBBox?.cocoBBox ?? [0, 0, 0, 0]).map { .int($0) })),
            JSONMember("amodal_area", .int(amodalArea)),
            JSONMember("visible_fraction", .double(visibleFraction)),
            JSONMember("in_frame_fraction", .double(inFrameFraction)),
            JSONMember("occluders", .array(occluders.map {
                .object([JSONMember("mask_id", .int($0.instanceID)), JSONMember("pixels", .int($0.pixels))])
            })),
        ]
    }
}
