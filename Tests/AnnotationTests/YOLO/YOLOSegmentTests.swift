import Testing

@testable import Annotation

/// A mask drawn as text, one row per line: `#` in the mask.
private func segment(_ rows: [String]) -> YOLOSegment {
    let width = rows[0].count
    let cells = rows.map(Array.init)
    let box = PixelBox(minX: 0, minY: 0, maxX: width - 1, maxY: rows.count - 1)
    return YOLOSegment(parts: PixelPolygon.boundaries(within: box) { x, y in cells[y][x] == "#" })
}

/// The pixels ultralytics truncates the vertices to, as (x, y).
private func truncatedPixels(_ segment: YOLOSegment) -> [[Int]] {
    stride(from: 0, to: segment.coordinates.count, by: 2).map {
        [segment.coordinates[$0] / YOLOSegment.unitsPerPixel, segment.coordinates[$0 + 1] / YOLOSegment.unitsPerPixel]
    }
}

@Suite("YOLO segments: vertices 1/128 pixel inside the outline, parts and holes joined")
struct YOLOSegmentTests {
    @Test func singlePixelIsItsOutlineMovedInward() {
        let s = segment(["...", "...", "...", "..#"])
        #expect(s.coordinates == [2 * 128 + 1, 3 * 128 + 1, 3 * 128 - 1, 3 * 128 + 1, 3 * 128 - 1, 4 * 128 - 1, 2 * 128 + 1, 4 * 128 - 1])
        #expect(Set(truncatedPixels(s)) == [[2, 3]])
        #expect(s.droppedPixels == 0 && s.bridgePixels == 0)
    }

    @Test func onePixelLineCollapsesToItsPixelCentres() {
        let s = segment(["###"])
        #expect(s.coordinates == [1, 1, 383, 1, 383, 127, 1, 127])
        #expect(truncatedPixels(s) == [[0, 0], [2, 0], [2, 0], [0, 0]])
    }

    @Test func lShapeMovesConvexAndConcaveCornersIntoTheMask() {
        let s = segment(["#.", "##"])
        #expect(s.coordinates == [1, 1, 127, 1, 127, 129, 255, 129, 255, 255, 1, 255])
        #expect(truncatedPixels(s) == [[0, 0], [0, 0], [0, 1], [1, 1], [1, 1], [0, 1]])
    }

    @Test func twoPartsAreBridgedOnceThereAndBack() {
        let s = segment(["##.##", "##.##"])
        // 4 vertices of the first part, its bridge vertex again after the second part's 4 + 1.
        #expect(s.vertexCount == 10)
        #expect(s.droppedPixels == 0)
        #expect(s.bridgePixels == 1)
        let pixels = truncatedPixels(s)
        #expect(pixels.allSatisfy { $0[0] != 2 }, "every vertex lands in the mask")
        #expect(Set(pixels).count == 8)
    }

    @Test func aFarSmallPartCostingMoreThanItHoldsIsLeftOut() {
        let s = segment(["##.....#", "##......"])
        #expect(s.droppedPixels == 1)
        #expect(s.vertexCount == 4)
        #expect(Set(truncatedPixels(s)) == [[0, 0], [1, 0], [0, 1], [1, 1]])
    }

    @Test func aHoleIsALoopOfItsOwnBridgedThroughTheMask() {
        let s = segment(["###", "#.#", "###"])
        #expect(s.vertexCount == 10)
        #expect(s.bridgePixels == 0 && s.droppedPixels == 0)
        #expect(!truncatedPixels(s).contains([1, 1]), "no vertex in the hole")
    }

    @Test func boundariesOfARingAreOutlineAndHole() {
        let box = PixelBox(minX: 0, minY: 0, maxX: 2, maxY: 2)
        let parts = PixelPolygon.boundaries(within: box) { x, y in !(x == 1 && y == 1) }
        #expect(parts.count == 1)
        #expect(parts[0].outline.coordinates == [0, 0, 3, 0, 3, 3, 0, 3])
        // The hole's loop keeps the mask on its right: counter-clockwise on screen.
        #expect(parts[0].holes.map(\.coordinates) == [[1, 2, 2, 2, 2, 1, 1, 1]])
        #expect(parts[0].pixelCount == 8)
    }
}

@Suite("YOLO label lines")
struct YOLOLabelTests {
    @Test func detectionLineIsTheNormalisedCentreAndSize() {
        #expect(String(decoding: YOLOLabel.detectionLine(classIndex: 0, bbox: [0, 0, 1, 1], width: 4, height: 4), as: UTF8.self)
                == "0 0.125 0.125 0.25 0.25\n")
        #expect(String(decoding: YOLOLabel.detectionLine(classIndex: 2, bbox: [0, 0, 640, 480], width: 640, height: 480), as: UTF8.self)
                == "2 0.5 0.5 1 1\n")
    }

    @Test func segmentationLineRoundsHalfUpToSixDecimals() {
        let s = segment(["#...", "...."])
        #expect(String(decoding: YOLOLabel.segmentationLine(classIndex: 3, segment: s, width: 4, height: 2), as: UTF8.self)
                == "3 0.001953 0.003906 0.248047 0.003906 0.248047 0.496094 0.001953 0.496094\n")
    }

    @Test func largerImagesGetMoreDecimals() {
        #expect(YOLOLabel.decimals(width: 640, height: 480) == 6)
        #expect(YOLOLabel.decimals(width: 20000, height: 10) == 8)
        var bytes: [UInt8] = []
        YOLOLabel.appendDecimal(1, over: 3, decimals: 8, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "0.33333333")
    }
}
