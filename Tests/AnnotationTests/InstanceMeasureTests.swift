import Testing

@testable import Annotation

@Suite("Instance statistics")
struct InstanceMeasureTests {
    @Test func areaAndBoxPerInstance() {
        // 6 × 4, three instances; id 2 is in two parts, id 4 is absent.
        let pixels: [UInt16] = [
            0, 1, 1, 0, 0, 2,
            0, 1, 3, 3, 0, 0,
            0, 0, 3, 3, 0, 0,
            2, 0, 0, 0, 0, 0,
        ]
        let measures = measureInstances(pixels: pixels, width: 6, height: 4, maxID: 4)
        #expect(measures == [
            InstanceMeasure(instanceID: 1, area: 3, bbox: PixelBox(minX: 1, minY: 0, maxX: 2, maxY: 1)),
            InstanceMeasure(instanceID: 2, area: 2, bbox: PixelBox(minX: 0, minY: 0, maxX: 5, maxY: 3)),
            InstanceMeasure(instanceID: 3, area: 4, bbox: PixelBox(minX: 2, minY: 1, maxX: 3, maxY: 2)),
        ])
        #expect(measures[1].bbox.cocoBBox == [0, 0, 6, 4])
        #expect(measures[2].bbox.cocoBBox == [2, 1, 2, 2])
    }

    @Test func runsSpanningWholeRowsAndTheLastColumn() {
        let pixels: [UInt16] = [
            5, 5, 5,
            0, 0, 5,
        ]
        let measures = measureInstances(pixels: pixels, width: 3, height: 2, maxID: 5)
        #expect(measures == [
            InstanceMeasure(instanceID: 5, area: 4, bbox: PixelBox(minX: 0, minY: 0, maxX: 2, maxY: 1))
        ])
    }

    @Test func backgroundOnlyAndEmptyRasters() {
        #expect(measureInstances(pixels: [0, 0, 0, 0], width: 2, height: 2, maxID: 3).isEmpty)
        #expect(measureInstances(pixels: [], width: 0, height: 0, maxID: 0).isEmpty)
    }

    @Test func bufferAndArrayAgree() {
        let pixels: [UInt16] = (0..<(7 * 5)).map { UInt16($0 * 7 % 4) }
        let fromArray = measureInstances(pixels: pixels, width: 7, height: 5, maxID: 3)
        let fromBuffer = pixels.withUnsafeBufferPointer {
            measureInstances(pixels: $0, width: 7, height: 5, maxID: 3)
        }
        #expect(fromArray == fromBuffer)
        #expect(fromArray.reduce(0) { $0 + $1.area } == pixels.filter { $0 != 0 }.count)
    }
}
