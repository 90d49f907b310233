/// A binary mask as COCO run-length encoding.
///
/// The mask is read in column-major order — down each column, columns left to right — and
/// `counts` holds the lengths of alternating runs of 0s and 1s, starting with a run of 0s
/// that may be empty. The size is `[height, width]`, as in COCO's `{"size": [h, w]}`.
/// Runs are emitted exactly as pycocotools `maskApi.c` `rleEncode` does, so equal masks have
/// equal counts (no empty runs except a leading one; a 0×0 mask has counts `[0]`).
///
/// Source: COCO data format (cocodataset.org/#format-data), pycocotools `maskApi.c`.
public struct RLE: Hashable, Sendable {
    /// Mask height in pixels (rows).
    public let height: Int
    /// Mask width in pixels (columns).
    public let width: Int
    /// Run lengths in column-major order, zeros first, alternating.
    public let counts: [UInt32]

    /// Creates an RLE from run lengths, checking that they cover the mask exactly.
    ///
    /// - Throws: ``RLEError/countsSumMismatch(sum:expected:)`` when the runs do not add up to
    ///   `height × width`.
    public init(height: Int, width: Int, counts: [UInt32]) throws(RLEError) {
        precondition(height >= 0 && width >= 0, "mask size is not negative")
        let sum = counts.reduce(0) { $0 + Int($1) }
        guard sum == height * width else {
            throw .countsSumMismatch(sum: sum, expected: height * width)
        }
        self.init(unchecked: height, width: width, counts: counts)
    }

    init(unchecked height: Int, width: Int, counts: [UInt32]) {
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// COCO `size`: `[height, width]`.
    public var size: [Int] { [height, width] }

    /// Number of 1 pixels, equal to pycocotools `area` (the sum of the odd-indexed runs).
    ///
    /// - Complexity: O(number of runs).
    public var area: Int {
        var total = 0
        var i = 1
        while i < counts.count {
            total += Int(counts[i])
            i += 2
        }
        return total
    }

    /// The tight box of the 1 pixels, or `nil` for an empty mask.
    ///
    /// Computed from the runs as pycocotools `maskApi.c` `rleToBbox` does.
    /// - Complexity: O(number of runs).
    public var bbox: PixelBox? {
        guard height > 0 else { return nil }
        var minX = width, minY = height, maxX = 0, maxY = 0
        var hasOnes = false
        var position = 0
        var j = 0
        while j + 1 < counts.count {
            let first = position + Int(counts[j])  // first pixel of the run of 1s
            position = first + Int(counts[j + 1])
            j += 2
            guard position > first else { continue }
            let last = position - 1
            hasOnes = true
            minX = min(minX, first / height)
            maxX = max(maxX, last / height)
            if first / height < last / height {  // the run wraps to a later column: every row
                minY = 0
                maxY = height - 1
            } else {
                minY = min(minY, first % height)
                maxY = max(maxY, last % height)
            }
        }
        guard hasOnes else { return nil }
        return PixelBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    /// The COCO `bbox` `[x, y, w, h]`, equal to pycocotools `toBbox`: `[0, 0, 0, 0]` when empty.
    public var cocoBBox: [Int] { bbox?.cocoBBox ?? [0, 0, 0, 0] }
}

/// Why a run-length encoding could not be read.
public enum RLEError: Error, Hashable, Sendable {
    /// A byte of a compressed counts string outside `"0"..."o"` (48...111).
    case invalidCharacter(offset: Int, byte: UInt8)
    /// The compressed counts string ended inside a count (its last group has the 0x20 bit).
    case unterminatedCount(offset: Int)
    /// Count number `index` decoded as negative or larger than `UInt32.max`.
    case countOutOfRange(index: Int, value: Int)
    /// The runs do not cover the mask exactly.
    case countsSumMismatch(sum: Int, expected: Int)
}
