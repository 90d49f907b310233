import Annotation
@testable import DatasetReading
import Foundation
import Testing

/// `JSONScanner` against `JSONDecoder`: the same records from the same text, numbers to the
/// bit; syntax errors refused; and the reader on a reformatted instances file.
@Suite struct JSONScannerTests {
    private func scanned<T: JSONScannable & Decodable & Equatable>(_ type: T.Type, _ text: String) throws -> (scanned: T, decoded: T) {
        let scanned = try JSONScanner.scan(T.self, from: ArraySlice(text.utf8))
        return (scanned, try JSONDecoder().decode(T.self, from: Data(text.utf8)))
    }

    @Test(arguments: [
        #"{"id":3,"image_id":1,"category_id":2,"segmentation":[[0.5,1e-3,12.25,-0.0,1.7976931348623157e308,5e-324]],"area":7,"bbox":[1,2,3.5,4E2],"iscrowd":0}"#,
        #"{"id":3,"image_id":1,"category_id":2,"segmentation":{"size":[4,5],"counts":"a\"b\\c\u00e9\ud83d\ude00"},"area":7,"bbox":[0,0,1,1],"iscrowd":0,"mask_id":1,"amodal_bbox":[0,0,2,2],"visible_fraction":0.30000000000000004,"in_frame_fraction":0.1,"occluders":[{"mask_id":2,"pixels":9}],"z_order":1,"attributes":{"z":[1,2.5,null,true],"a":"猫","n":19.0,"big":123456789012345678901234567890},"track_id":null,"extra":{"k":[{}]}}"#,
        #" { "id" : 1 , "image_id":1, "category_id":1, "segmentation":[], "area":0, "bbox":[0.1,0.2,0.3,0.7], "iscrowd":1, "visible_fraction":0.123456789012345678901234567890 } "#,
    ])
    func annotationsReadAsJSONDecoderReadsThem(text: String) throws {
        let (scanned, decoded) = try scanned(COCOFile.Annotation.self, text)
        #expect(scanned == decoded)
    }

    /// Random doubles in their shortest text, and in long or exponent spellings, read to the bit.
    @Test func numbersAreCorrectlyRounded() throws {
        var generator = SystemRandomNumberGenerator()
        var texts: [String] = ["0", "-0", "1e22", "1e23", "9007199254740993", "0.1", "2.2250738585072011e-308",
                               "123456789012345678", "4.35", "1.00000000000000011102230246251565404236316680908203125"]
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next() >> 2)
            texts += ["\(value)", String(format: "%.17e", value), String(format: "%.3f", Double(Int.random(in: -99999...99999)) / 7)]
        }
        let text = "{\"id\":1,\"file_name\":\"x\",\"width\":1,\"height\":1,\"unannotated_tracks\":[" + texts.map {
            "{\"track_id\":1,\"category_id\":1,\"amodal_bbox\":[],\"amodal_area\":1,\"visible_fraction\":\($0),\"in_frame_fraction\":0}"
        }.joined(separator: ",") + "]}"
        let (scanned, decoded) = try scanned(COCOFile.Image.self, text)
        let pairs = zip(scanned.unannotatedTracks ?? [], decoded.unannotatedTracks ?? [])
        #expect(pairs.allSatisfy { $0.visibleFraction.bitPattern == $1.visibleFraction.bitPattern })
        #expect(scanned.unannotatedTracks?.count == texts.count)
    }

    @Test(arguments: [
        (#"{"id":1,"name":"a",}"#, "not JSON"), (#"{"id":01,"name":"a"}"#, "not JSON"), (#"{"id":1,"name":"a"} x"#, "not JSON"),
        (#"{"id":1,"name":"a\q"}"#, "not JSON"), (#"{"id":1.5,"name":"a"}"#, "Category: .id has the wrong type"),
        (#"{"id":1,"name":2}"#, "Category: .name has the wrong type"), (#"{"id":1}"#, #"Category lacks "name""#),
        (#"{"id":-,"name":"a"}"#, "not JSON"), (#"{"id":1,"name":"a"#, "not JSON"), (#"[1]"#, "Category has the wrong type"),
    ])
    func faultsAreNamed(text: String, reason: String) {
        #expect(throws: JSONScanError.self) { try JSONScanner.scan(COCOFile.Category.self, from: ArraySlice(text.utf8)) }
        do { _ = try JSONScanner.scan(COCOFile.Category.self, from: ArraySlice(text.utf8)) } catch {
            #expect(error.reason(record: "Category") == reason)
        }
    }

    @Test func nestedFaultsNameTheirPath() {
        let text = #"{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2],[3,"4"]],"area":1,"bbox":[],"iscrowd":0}"#
        do { _ = try JSONScanner.scan(COCOFile.Annotation.self, from: ArraySlice(text.utf8)) } catch {
            #expect(error.reason(record: "Annotation") == "Annotation: .segmentation[1][1] has the wrong type")
        }
    }

    /// A user's pretty-printed copy of a rendered instances file reads the same as the file,
    /// and a fault in it names the line it is on.
    @Test func reformattedInstancesFileReadsTheSame() throws {
        let out = try temporaryFolder().appendingPathComponent("dataset")
        let result = try runTessera(["render", "scenes/occlusion_pairs.scene", "--count", "4", "--seed", "2", "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        func everything(_ folder: URL) throws -> ([COCOFile.Image], [COCOFile.Annotation], [COCOFile.Category]) {
            let reader = try DatasetReader(folder)
            var images: [COCOFile.Image] = [], annotations: [COCOFile.Annotation] = []
            try reader.forEachImage { image, group in images.append(image); annotations += group; return true }
            return (images, annotations, try reader.categories())
        }
        let original = try everything(out)
        let file = out.appendingPathComponent("annotations/instances_default.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
        // Members in another order, indented: not Tessera's line layout.
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: file)
        let reformatted = try everything(out)
        #expect(original.0 == reformatted.0 && original.2 == reformatted.2 && !original.1.isEmpty)
        // JSONSerialization prints doubles in its own way: compare the rest exactly.
        #expect(original.1.map(\.id) == reformatted.1.map(\.id) && original.1.map(\.segmentation) == reformatted.1.map(\.segmentation))

        try Data("{\"images\": [\n  {\"id\": 1,\n   \"file_name\": \"a.png\",\n   \"width\": 4,\n   \"height\": \"4\"}\n]}".utf8).write(to: file)
        #expect(throws: DatasetReadError.malformed(path: file.path, line: 5, reason: "Image: .height has the wrong type")) {
            try DatasetReader(out).images(split: "default").next()
        }
        try Data("{\"info\": {\"a\": [\"]\"]}, \"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}".utf8).write(to: file)
        let cut = try DatasetReader(out).images(split: "default")
        #expect(try cut.next()?.fileName == "a.png")
        #expect(throws: DatasetReadError.malformed(path: file.path, line: 1, reason: "the array is cut short")) { try cut.next() }
        try Data(#"{"info": {}, "images": []}"#.utf8).write(to: file)
        #expect(try DatasetReader(out).images(split: "default").next() == nil)
        #expect(throws: DatasetReadError.malformed(path: file.path, line: 1, reason: #"has no "annotations" array"#)) {
            try DatasetReader(out).annotations(split: "default")
        }
    }
}
