import Annotation

/// An instance mask kept as its runs of 1 pixels, for overlap on run lengths without
/// decoding the mask.
///
/// Linear pixel indices are column-major (`x * height + y`), as in COCO RLE.
struct RunLengthMask: Sendable {
    let height: Int
    let width: Int
    /// `[start, end)` of each run of 1s, flattened: start0, end0, start1, end1, …
    let runs: [Int32]
    /// Pixels set.
    let area: Int
    /// The tight box of the 1 pixels (pycocotools `rleToBbox`), `nil` when empty.
    let box: PixelBox?

    init(_ rle: RLE) {
        var runs: [Int32] = []
        runs.reserveCapacity(rle.counts.count)
        var position = 0
        var area = 0
        var j = 0
        while j < rle.counts.count {
            position += Int(rle.counts[j])
            if j + 1 < rle.counts.count, rle.counts[j + 1] > 0 {
                let end = position + Int(rle.counts[j + 1])
                runs.append(Int32(position))
                runs.append(Int32(end))
                area += end - position
                position = end
            }
            j += 2
        }
        self.height = rle.height
        self.width = rle.width
        self.runs = runs
        self.area = area
        self.box = rle.bbox
    }

    /// Pixels set in both masks: a merge of the two sorted run lists.
    /// - Complexity: O(runs of `self` + runs of `other`).
    func intersection(with other: RunLengthMask) -> Int {
        var count = 0
        var i = 0, j = 0
        let a = runs, b = other.runs
        while i < a.count, j < b.count {
            let start = max(a[i], b[j])
            let end = min(a[i + 1], b[j + 1])
            if end > start { count += Int(end - start) }
            if a[i + 1] < b[j + 1] { i += 2 } else { j += 2 }
        }
        return count
    }

    /// pycocotools `maskApi.c` `rleIou` of a detection (`self`) and a ground truth: the
    /// intersection over the union, or over the detection's area when `isCrowd`; 0 when
    /// the boxes do not overlap or nothing is shared; -1 when the canvas sizes differ.
    func iou(withGroundTruth gt: RunLengthMask, isCrowd: Bool) -> Double {
        guard height == gt.height, width == gt.width else { return -1 }
        guard let d = box, let g = gt.box, d.minX <= g.maxX, g.minX <= d.maxX, d.minY <= g.maxY, g.minY <= d.maxY else {
            return 0
        }
        let shared = intersection(with: gt)
        guard shared > 0 else { return 0 }
        let union = isCrowd ? area : area + gt.area - shared
        return Double(shared) / Double(union)
    }
}

/// pycocotools `maskApi.c` `bbIou` of a detection box and a ground-truth box, both
/// `[x, y, w, h]` in pixels: intersection over union, or over the detection's area when
/// `isCrowd`; 0 without overlap.
func boxIoU(_ d: [Double], _ g: [Double], isCrowd: Bool) -> Double {
    let w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
    if w <= 0 { return 0 }
    let h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
    if h <= 0 { return 0 }
    let i = w * h
    let da = d[2] * d[3]
    let u = isCrowd ? da : da + g[2] * g[3] - i
    return i / u
}
