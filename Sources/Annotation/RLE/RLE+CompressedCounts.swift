extension RLE {
    /// The COCO compressed counts string, as pycocotools `maskApi.c` `rleToString` writes it.
    ///
    /// Each count, minus the count two places before it when its index is above 2 (maskApi.c's
    /// `i > 2`, kept for compatibility), is written as little-endian 5-bit groups in
    /// two's complement; a group carries 0x20 when more follow, and each byte is the group
    /// plus 48, so the string uses only `"0"..."o"`.
    ///
    /// - Complexity: O(number of runs).
    public var compressedCounts: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 2)
        for i in counts.indices {
            var x = Int(counts[i])
            if i > 2 { x -= Int(counts[i - 2]) }
            var more = true
            while more {
                var c = UInt8(truncatingIfNeeded: x & 0x1f)
                x >>= 5  // arithmetic shift: negative deltas end in x == -1
                more = c & 0x10 != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                bytes.append(c + 48)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a COCO compressed counts string, as pycocotools `maskApi.c` `rleFrString` does,
    /// and checks the result.
    ///
    /// - Parameters:
    ///   - height: Mask height in pixels (COCO `size[0]`).
    ///   - width: Mask width in pixels (COCO `size[1]`).
    ///   - compressedCounts: The `counts` string.
    /// - Throws: ``RLEError`` for a byte outside `"0"..."o"`, a string ending inside a count,
    ///   a count outside `0...UInt32.max`, or runs that do not add up to `height × width`.
    /// - Complexity: O(length of the string).
    public init(height: Int, width: Int, compressedCounts: String) throws(RLEError) {
        var counts: [UInt32] = []
        var x = 0, shift = 0
        for (offset, byte) in compressedCounts.utf8.enumerated() {
            guard byte >= 48 && byte < 48 + 64 else {
                throw .invalidCharacter(offset: offset, byte: byte)
            }
            let c = Int(byte - 48)
            guard shift < 60 else { throw .countOutOfRange(index: counts.count, value: x) }
            x |= (c & 0x1f) << shift
            shift += 5
            guard c & 0x20 == 0 else { continue }
            if c & 0x10 != 0 { x |= -1 << shift }  // sign-extend
            if counts.count > 2 { x += Int(counts[counts.count - 2]) }
            guard let count = UInt32(exactly: x) else {
                throw .countOutOfRange(index: counts.count, value: x)
            }
            counts.append(count)
            x = 0
            shift = 0
        }
        if shift != 0 { throw .unterminatedCount(offset: compressedCounts.utf8.count) }
        try self.init(height: height, width: width, counts: counts)
    }
}
