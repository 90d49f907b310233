import Foundation
import Testing

@testable import Annotation

@Suite("COCO records")
struct COCORecordTests {
    @Test func infoKeyOrder() {
        let info = COCOInfo(
            description: "street \"v2\"", version: "0.1.0", year: 2025,
            extra: [JSONMember("seed", .uint(7)), JSONMember("scene", .string("street.scene"))])
        #expect(info.jsonText
            == #"{"description":"street \"v2\"","version":"0.1.0","year":2025,"seed":7,"scene":"street.scene"}"#)
        var dated = info
        dated.dateCreated = "2025-01-02"
        dated.extra = []
        #expect(dated.jsonText
            == #"{"description":"street \"v2\"","version":"0.1.0","year":2025,"date_created":"2025-01-02"}"#)
    }

    @Test func imageAndCategory() {
        #expect(COCOImage(id: 3, fileName: "000003.png", width: 512, height: 384).jsonText
            == #"{"id":3,"file_name":"000003.png","width":512,"height":384}"#)
        #expect(COCOCategory(id: 1, name: "circle", supercategory: "shape").jsonText
            == #"{"id":1,"name":"circle","supercategory":"shape"}"#)
    }

    @Test func annotationFromMeasure() throws {
        let pixels: [UInt16] = [
            0, 0, 0, 0,
            0, 2, 2, 0,
            0, 2, 0, 0,
        ]
        let measure = try #require(measureInstances(pixels: pixels, width: 4, height: 3, maxID: 2).first)
        let rle = RLE(encoding: 2, in: pixels, width: 4, height: 3, within: measure.bbox)
        let annotation = COCOAnnotation(
            id: 10, imageID: 3, categoryID: 1, instance: measure, segmentation: .rle(rle),
            extra: [JSONMember("visible_fraction", .double(0.75))])
        #expect(annotation.jsonText
            == #"{"id":10,"image_id":3,"category_id":1,"segmentation":{"size":[3,4],"counts":"421O3"},"area":3,"bbox":[1,1,2,2],"iscrowd":0,"mask_id":2,"visible_fraction":0.75}"#)
    }

    @Test func polygonSegmentationIsAListOfFlatVertexLists() {
        let measure = InstanceMeasure(instanceID: 4, area: 2, bbox: PixelBox(minX: 0, minY: 0, maxX: 1, maxY: 1))
        let annotation = COCOAnnotation(
            id: 1, imageID: 1, categoryID: 2, instance: measure,
            segmentation: .polygons([PixelPolygon(coordinates: [0, 0, 1, 0, 1, 1, 0, 1]),
                                     PixelPolygon(coordinates: [1, 1, 2, 1, 2, 2, 1, 2])]))
        #expect(annotation.jsonText
            == #"{"id":1,"image_id":1,"category_id":2,"segmentation":[[0,0,1,0,1,1,0,1],[1,1,2,1,2,2,1,2]],"area":2,"bbox":[0,0,2,2],"iscrowd":0,"mask_id":4}"#)
    }

    @Test func backslashInCountsIsEscaped() throws {
        // 44 is written as the group 12 | 0x20 = 44, the byte 92 = "\", then 1 = "1"
        // (pycocotools encodes this 1×46 mask as `\12`).
        let rle = try RLE(height: 1, width: 46, counts: [44, 2])
        #expect(rle.compressedCounts == "\\12")
        let text = rle.jsonText
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["counts"] as? String == rle.compressedCounts)
        #expect(parsed["size"] as? [Int] == [1, 46])
    }
}
