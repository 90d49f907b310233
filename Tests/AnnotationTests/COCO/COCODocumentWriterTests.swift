import Foundation
import Testing

@testable import Annotation

@Suite("COCO document writer")
struct COCODocumentWriterTests {
    static let info = COCOInfo(
        description: "tiny", version: "0.1.0", year: 2025, extra: [JSONMember("seed", .int(7))])
    static let categories = [
        COCOCategory(id: 1, name: "circle", supercategory: "shape"),
        COCOCategory(id: 2, name: "square", supercategory: "shape"),
    ]

    /// Two 4×3 images; image 1 has two instances, image 2 none.
    static func annotations() -> [COCOAnnotation] {
        let pixels: [UInt16] = [
            1, 1, 0, 0,
            0, 0, 0, 2,
            0, 0, 0, 2,
        ]
        let measures = measureInstances(pixels: pixels, width: 4, height: 3, maxID: 2)
        return measures.enumerated().map { index, measure in
            COCOAnnotation(
                id: index + 1, imageID: 1, categoryID: Int(measure.instanceID), instance: measure,
                segmentation: .rle(RLE(encoding: measure.instanceID, in: pixels, width: 4, height: 3,
                                       within: measure.bbox)))
        }
    }

    static let golden = """
        {"info":{"description":"tiny","version":"0.1.0","year":2025,"seed":7},
        "licenses":[],
        "images":[
        {"id":1,"file_name":"000001.png","width":4,"height":3},
        {"id":2,"file_name":"000002.png","width":4,"height":3}
        ],
        "annotations":[
        {"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[3,4],"counts":"01206"},"area":2,"bbox":[0,0,2,1],"iscrowd":0,"mask_id":1},
        {"id":2,"image_id":1,"category_id":2,"segmentation":{"size":[3,4],"counts":":2"},"area":2,"bbox":[3,1,1,2],"iscrowd":0,"mask_id":2}
        ],
        "categories":[
        {"id":1,"name":"circle","supercategory":"shape"},
        {"id":2,"name":"square","supercategory":"shape"}
        ]}

        """

    /// Images and annotations appended interleaved, as a pipeline completes them.
    static func write(annotationMemoryLimit: Int, spillDirectory: URL? = nil) throws -> String {
        let sink = MemorySink()
        let writer = try COCODocumentWriter(
            sink: sink, info: info, spillDirectory: spillDirectory,
            annotationMemoryLimit: annotationMemoryLimit)
        try writer.append(COCOImage(id: 1, fileName: "000001.png", width: 4, height: 3))
        let annotations = annotations()
        try writer.append(annotations[0])
        try writer.append(COCOImage(id: 2, fileName: "000002.png", width: 4, height: 3))
        try writer.append(contentsOf: annotations[1...])
        #expect(writer.imageCount == 2)
        #expect(writer.annotationCount == 2)
        try writer.finish(categories: categories)
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    @Test func goldenDocument() throws {
        #expect(try Self.write(annotationMemoryLimit: 1 << 20) == Self.golden)
    }

    @Test func spillingAnnotationsGivesTheSameBytes() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tessera-annotation-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Self.write(annotationMemoryLimit: 1, spillDirectory: directory) == Self.golden)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func documentParses() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.golden.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["info", "licenses", "images", "annotations", "categories"])
        let annotations = try #require(object["annotations"] as? [[String: Any]])
        #expect(annotations.count == 2)
        #expect(annotations[1]["bbox"] as? [Int] == [3, 1, 1, 2])
    }

    @Test func emptyDocument() throws {
        let sink = MemorySink()
        let writer = try COCODocumentWriter(
            sink: sink, info: COCOInfo(description: "", version: "1", year: 2025))
        try writer.finish(categories: [])
        let text = String(decoding: sink.bytes, as: UTF8.self)
        #expect(text == """
            {"info":{"description":"","version":"1","year":2025},
            "licenses":[],
            "images":[],
            "annotations":[],
            "categories":[]}

            """)
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(text.utf8)) }
    }

    @Test func writesToAFile() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tessera-annotation-tests-\(UUID().uuidString).json")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        let writer = try COCODocumentWriter(sink: FileHandleSink(handle), info: Self.info)
        try writer.append(COCOImage(id: 1, fileName: "000001.png", width: 4, height: 3))
        try writer.append(COCOImage(id: 2, fileName: "000002.png", width: 4, height: 3))
        try writer.append(contentsOf: Self.annotations())
        try writer.finish(categories: Self.categories)
        try handle.close()
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == Self.golden)
    }
}
