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
    /// - Complexity: O(window area + runs of one occluder along a row).
    public init(
        instanceID: UInt16, raster: UnsafeBufferPointer<UInt16>, width: Int, height: Int,
        amodal: [Bool], amodalOriginX: Int, amodalOriginY: Int, amodalWidth: Int, amodalHeight: Int,
        amodalOutside: Int = 0
    ) {
        precondition(raster.count == width * height && amodal.count == amodalWidth * amodalHeight && amodalOutside >= 0)
        var total = amodalOutside, inside = 0, visible = 0
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        var hidden: [Int: Int] = [:]
        // Hidden pixels are counted in runs of one occluder along a row and added to
        // `hidden` when the occluder changes: one hash per run, not per pixel.
        var run: (occluder: UInt16, pixels: Int) = (0, 0)
        // The instance's visible pixels count as amodal even where its own fill missed them:
        // Cairo clips a path crossing the canvas edge before rasterising, and the rounded
        // clip point can move a pixel-centre sample by 1/256 px. The union keeps
        // visible ⊆ amodal exact (validate checks it). It is kept over the window's canvas part
        // for the RLE.
        var union = [Bool](repeating: false, count: amodal.count)
        // The columns of the window inside the canvas.
        let (inFirst, inEnd) = (min(max(0, -amodalOriginX), amodalWidth), max(0, min(amodalWidth, width - amodalOriginX)))
        amodal.withUnsafeBufferPointer { amodal in
            union.withUnsafeMutableBufferPointer { union in
                for wy in 0..<amodalHeight {
                    let y = wy + amodalOriginY
                    let row = wy * amodalWidth
                    guard y >= 0, y < height, inFirst < inEnd else {
                        for i in row..<row + amodalWidth where amodal[i] { total += 1 }
                        continue
                    }
                    for i in row..<row + inFirst where amodal[i] { total += 1 }
                    for i in row + inEnd..<row + amodalWidth where amodal[i] { total += 1 }
                    let front = raster.baseAddress! + y * width
                    var first = Int.max, last = Int.min, count = 0
                    for wx in inFirst..<inEnd {
                        let id = front[wx + amodalOriginX]
                        guard amodal[row + wx] || id == instanceID else { continue }
                        union[row + wx] = true
                        if first == Int.max { first = wx }
                        last = wx
                        count += 1
                        if id == instanceID {
                            visible += 1
                        } else if id == run.occluder {
                            run.pixels += 1
                        } else {
                            if run.pixels > 0 { hidden[Int(run.occluder), default: 0] += run.pixels }
                            run = (id, 1)
                        }
                    }
                    guard count > 0 else { continue }
                    total += count
                    inside += count
                    minX = min(minX, first + amodalOriginX); maxX = max(maxX, last + amodalOriginX)
                    minY = min(minY, y); maxY = y
                }
            }
        }
        if run.pixels > 0 { hidden[Int(run.occluder), default: 0] += run.pixels }
        let box = inside > 0 ? PixelBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : nil
        amodalArea = inside
        amodalBBox = box
        if let box {
            amodalSegmentation = union.withUnsafeBufferPointer {
                RLE(width: width, height: height, within: box, window: $0,
                    windowOriginX: amodalOriginX, windowOriginY: amodalOriginY, windowWidth: amodalWidth)
            }
        } else {
            // Nothing inside the canvas: one run of 0s.
            amodalSegmentation = RLE(unchecked: height, width: width, counts: [UInt32(width * height)])
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
