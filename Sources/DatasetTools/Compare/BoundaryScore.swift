/// The boundary F-measure of a predicted mask against a ground-truth mask, as DAVIS defines it
/// (Perazzi et al., "A Benchmark Dataset and Evaluation Methodology for Video Object
/// Segmentation", CVPR 2016, the contour accuracy 𝓕): boundary precision P is the share of
/// the prediction's boundary pixels that lie within `tolerance` of the ground truth's
/// boundary, recall R the share of the ground truth's boundary pixels within `tolerance` of
/// the prediction's, and F = 2PR / (P + R) (0 when P + R = 0).
///
/// - Boundary of a mask: its pixels with at least one of the 4 edge neighbours (left, right,
///   up, down) outside the mask. A neighbour past the image's edge counts as inside (the
///   frame cuts an object; it is not the object's contour), so a mask filling the frame has
///   no boundary.
/// - Within the tolerance: at Euclidean distance ≤ `tolerance` between pixel centres, i.e.
///   inside a disk of that radius (DAVIS dilates with `skimage.morphology.disk`).
/// - Empty boundaries: both empty, F = 1; one empty, F = 0.
///
/// Computed exactly on the pixels of the two RLE masks, decoded only in the union of their
/// boxes widened by the tolerance.
struct BoundaryScore: Sendable, Equatable {
    /// Boundary pixels of the prediction and of the ground truth.
    var predictedBoundary: Int
    var groundTruthBoundary: Int
    /// Prediction boundary pixels within the tolerance of the ground truth's; and the other way.
    var predictedMatched: Int
    var groundTruthMatched: Int

    var precision: Double { predictedBoundary == 0 ? 1 : Double(predictedMatched) / Double(predictedBoundary) }
    var recall: Double { groundTruthBoundary == 0 ? 1 : Double(groundTruthMatched) / Double(groundTruthBoundary) }

    /// F = 2PR / (P + R); 1 when neither mask has a boundary, 0 when only one has.
    var f: Double {
        if predictedBoundary == 0 && groundTruthBoundary == 0 { return 1 }
        if predictedBoundary == 0 || groundTruthBoundary == 0 { return 0 }
        let p = precision, r = recall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// DAVIS's default tolerance: ⌈0.008 · the image diagonal⌉ pixels (`bound_th = 0.008`),
    /// e.g. 7 px at 640 × 480, 6 px at 640 × 384.
    static func tolerance(height: Int, width: Int) -> Int {
        let diagonal = (Double(height * height + width * width)).squareRoot()
        return max(1, Int((0.008 * diagonal).rounded(.up)))
    }

    /// - Parameters: `predicted`, `groundTruth`: masks of the same canvas; `tolerance` in
    ///   pixels (≥ 0).
    /// - Complexity: O(window pixels + boundary pixels · (2 · tolerance + 1)), the window
    ///   being the union of the two boxes widened by `tolerance + 1`.
    init(predicted: RunLengthMask, groundTruth: RunLengthMask, tolerance: Int) {
        precondition(predicted.height == groundTruth.height && predicted.width == groundTruth.width)
        let H = predicted.height, W = predicted.width
        guard let a = predicted.box ?? groundTruth.box, let b = groundTruth.box ?? predicted.box else {
            self.init(predictedBoundary: 0, groundTruthBoundary: 0, predictedMatched: 0, groundTruthMatched: 0)
            return
        }
        let margin = tolerance + 1
        let x0 = max(0, min(a.minX, b.minX) - margin), x1 = min(W - 1, max(a.maxX, b.maxX) + margin)
        let y0 = max(0, min(a.minY, b.minY) - margin), y1 = min(H - 1, max(a.maxY, b.maxY) + margin)
        let window = Window(x0: x0, y0: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, imageWidth: W, imageHeight: H)
        let pb = window.boundary(of: predicted), gb = window.boundary(of: groundTruth)
        let pPoints = window.points(pb), gPoints = window.points(gb)
        self.init(
            predictedBoundary: pPoints.count, groundTruthBoundary: gPoints.count,
            predictedMatched: window.countNear(pPoints, to: gb, tolerance: tolerance),
            groundTruthMatched: window.countNear(gPoints, to: pb, tolerance: tolerance))
    }

    init(predictedBoundary: Int, groundTruthBoundary: Int, predictedMatched: Int, groundTruthMatched: Int) {
        self.predictedBoundary = predictedBoundary
        self.groundTruthBoundary = groundTruthBoundary
        self.predictedMatched = predictedMatched
        self.groundTruthMatched = groundTruthMatched
    }

    /// A rectangle of the image, column-major like RLE: local index `(x - x0) * height + (y - y0)`.
    private struct Window {
        let x0: Int, y0: Int, width: Int, height: Int, imageWidth: Int, imageHeight: Int

        /// The mask's pixels inside the window.
        func decode(_ mask: RunLengthMask) -> [Bool] {
            var bits = [Bool](repeating: false, count: width * height)
            let H = imageHeight
            var r = 0
            while r < mask.runs.count {
                var p = Int(mask.runs[r]), end = Int(mask.runs[r + 1])
                r += 2
                // Clip the run column by column to the window.
                while p < end {
                    let x = p / H, y = p % H
                    let columnEnd = min(end, (x + 1) * H)
                    if x >= x0 && x < x0 + width {
                        let from = max(y, y0), to = min(columnEnd - x * H, y0 + height)
                        if from < to {
                            let base = (x - x0) * height - y0
                            for yy in from..<to { bits[base + yy] = true }
                        }
                    }
                    p = columnEnd
                    if x >= x0 + width { break }
                }
            }
            return bits
        }

        /// Mask pixels with a 4-neighbour outside the mask; neighbours past the image's edge
        /// count as inside. The window reaches at least one pixel past each box (or to the
        /// image's edge), so a neighbour past the window's edge is either outside the mask or
        /// past the image's.
        func boundary(of mask: RunLengthMask) -> [Bool] {
            let bits = decode(mask)
            var edge = [Bool](repeating: false, count: bits.count)
            for lx in 0..<width {
                for ly in 0..<height where bits[lx * height + ly] {
                    let x = lx + x0, y = ly + y0
                    func outside(_ dx: Int, _ dy: Int) -> Bool {
                        let nx = x + dx, ny = y + dy
                        if nx < 0 || ny < 0 || nx >= imageWidth || ny >= imageHeight { return false }
                        let lnx = nx - x0, lny = ny - y0
                        if lnx < 0 || lny < 0 || lnx >= width || lny >= height { return true }
                        return !bits[lnx * height + lny]
                    }
                    if outside(-1, 0) || outside(1, 0) || outside(0, -1) || outside(0, 1) { edge[lx * height + ly] = true }
                }
            }
            return edge
        }

        func points(_ bits: [Bool]) -> [(x: Int, y: Int)] {
            var points: [(x: Int, y: Int)] = []
            for lx in 0..<width { for ly in 0..<height where bits[lx * height + ly] { points.append((lx, ly)) } }
            return points
        }

        /// How many of `points` have a set pixel of `bits` at distance ≤ `tolerance`: per
        /// column offset dx, a set pixel in rows y ± ⌊√(t² − dx²)⌋ of column x + dx, found with
        /// per-column prefix counts.
        func countNear(_ points: [(x: Int, y: Int)], to bits: [Bool], tolerance: Int) -> Int {
            if points.isEmpty { return 0 }
            var prefix = [Int32](repeating: 0, count: width * (height + 1))
            for lx in 0..<width {
                var sum: Int32 = 0
                for ly in 0..<height {
                    if bits[lx * height + ly] { sum += 1 }
                    prefix[lx * (height + 1) + ly + 1] = sum
                }
            }
            let halfHeights = (0...tolerance).map { dx in integerSquareRoot(tolerance * tolerance - dx * dx) }
            var count = 0
            for (x, y) in points {
                var isNear = false
                for dx in -tolerance...tolerance {
                    let cx = x + dx
                    guard cx >= 0 && cx < width else { continue }
                    let h = halfHeights[abs(dx)]
                    let from = max(0, y - h), to = min(height, y + h + 1)
                    guard from < to else { continue }
                    if prefix[cx * (height + 1) + to] > prefix[cx * (height + 1) + from] { isNear = true; break }
                }
                if isNear { count += 1 }
            }
            return count
        }
    }
}

/// ⌊√n⌋ for n ≥ 0, exactly.
func integerSquareRoot(_ n: Int) -> Int {
    var r = Int(Double(n).squareRoot())
    while r * r > n { r -= 1 }
    while (r + 1) * (r + 1) <= n { r += 1 }
    return r
}
