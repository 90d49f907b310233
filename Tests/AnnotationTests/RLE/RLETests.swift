import Testing

@testable import Annotation

@Suite("RLE")
struct RLETests {
    /// The 3×2 mask
    /// ```
    /// 1 0 1
    /// 1 1 0
    /// ```
    /// read down the columns is 1 1 | 0 1 | 1 0.
    @Test func countsAreColumnMajorStartingWithZeros() {
        let rle = RLE(mask: [true, false, true, true, true, false], width: 3, height: 2)
        #expect(rle.counts == [0, 2, 1, 2, 1])
        #expect(rle.area == 4)
        #expect(rle.bbox == PixelBox(minX: 0, minY: 0, maxX: 2, maxY: 1))
    }

    @Test func emptyAndZeroSizedMasks() throws {
        let empty = RLE(mask: [Bool](repeating: false, count: 6), width: 3, height: 2)
        #expect(empty.counts == [6])
        #expect(empty.bbox == nil)
        #expect(empty.cocoBBox == [0, 0, 0, 0])
        #expect(empty.area == 0)
        let none = RLE(mask: [], width: 0, height: 0)
        #expect(none.counts == [0])
        #expect(none.compressedCounts == "0")
        #expect(try RLE(height: 0, width: 0, compressedCounts: "0") == none)
    }

    @Test func boxClipsTheMask() {
        let pixels: [UInt16] = [
            1, 0, 0, 1,
            0, 1, 1, 0,
        ]
        let clipped = RLE(encoding: 1, in: pixels, width: 4, height: 2,
                          within: PixelBox(minX: 1, minY: 0, maxX: 2, maxY: 1))
        #expect(clipped.decodeMask() == [false, false, false, false, false, true, true, false])
        #expect(clipped.counts == [3, 1, 1, 1, 2])
    }

    /// Counts large enough to need several 5-bit groups, and negative deltas.
    @Test(arguments: [
        [0, 1],
        [31, 32, 33, 1023, 1024, 1025, 5],
        [100_000, 3, 99_990, 7, 1],
        [0, 4_000_000, 2, 1, 4_000_000],
    ] as [[UInt32]])
    func compressedCountsRoundTrip(_ counts: [UInt32]) throws {
        let area = counts.reduce(0) { $0 + Int($1) }
        let rle = try RLE(height: 1, width: area, counts: counts)
        #expect(try RLE(height: 1, width: area, compressedCounts: rle.compressedCounts) == rle)
    }

    @Test func malformedCompressedCountsThrow() {
        #expect(throws: RLEError.invalidCharacter(offset: 1, byte: UInt8(ascii: "p"))) {
            try RLE(height: 2, width: 2, compressedCounts: "0p")
        }
        #expect(throws: RLEError.invalidCharacter(offset: 0, byte: UInt8(ascii: " "))) {
            try RLE(height: 2, width: 2, compressedCounts: " ")
        }
        // "P" is 32 + 0: a continuation group with nothing after it.
        #expect(throws: RLEError.unterminatedCount(offset: 2)) {
            try RLE(height: 2, width: 2, compressedCounts: "4P")
        }
        #expect(throws: RLEError.countsSumMismatch(sum: 3, expected: 4)) {
            try RLE(height: 2, width: 2, compressedCounts: "3")
        }
        // "O" is 31, a last group with the sign bit 0x10: -1, a negative first count.
        #expect(throws: RLEError.countOutOfRange(index: 0, value: -1)) {
            try RLE(height: 2, width: 2, compressedCounts: "O")
        }
    }
}
