import Dataset
@testable import DatasetExport
import Foundation
import Rendering
import Testing

/// `tessera export --format voc` (VOCWriter) on rendered datasets: a scene labeled by hand,
/// the 254-object limit of the 8-bit object PNG and its 16-bit way out, and the class limit.
@Suite struct VOCWriterTests {
    private func export(_ dataset: URL, options: ExportOptions = .init()) throws -> URL {
        let out = dataset.deletingLastPathComponent().appendingPathComponent("voc")
        try DatasetExporter.export(dataset, format: .voc, to: out, overwrite: false, options: options)
        return out
    }

    /// The palette indices of a palette PNG: its RGB decoding mapped back through the VOC
    /// colour map (whose 256 colours are distinct), after checking the file is colour type 3
    /// with that map as its PLTE.
    private func paletteIndices(_ url: URL) throws -> [Int] {
        let header = try pngHeader(url)
        #expect(header.colorType == 3 && header.bitDepth == 8 && header.palette == vocColorMap)
        var index: [Int: Int] = [:]
        for i in 0..<256 { index[Int(vocColorMap[3 * i]) << 16 | Int(vocColorMap[3 * i + 1]) << 8 | Int(vocColorMap[3 * i + 2])] = i }
        let png = try decodePNG(url)
        return stride(from: 0, to: png.samples.count, by: 3).map {
            index[Int(png.samples[$0]) << 16 | Int(png.samples[$0 + 1]) << 8 | Int(png.samples[$0 + 2])]!
        }
    }

    @Test func handLabeledSceneGivesTheKnownFiles() throws {
        let dataset = try renderDataset(handLabeledScene, minimumPixels: 5)
        let out = try export(dataset)
        let xml = try String(contentsOf: out.appendingPathComponent("Annotations/000000.xml"), encoding: .utf8)
        let objects = xml.components(separatedBy: "<object>").dropFirst().map { object in
            ["name", "truncated", "occluded", "difficult", "pose", "xmin", "ymin", "xmax", "ymax"].map { tag in
                object.components(separatedBy: "<\(tag)>")[1].components(separatedBy: "</\(tag)>")[0]
            }
        }
        #expect(objects == [
            ["disc", "0", "0", "0", "Unspecified", "6", "8", "15", "13"],
            ["big box", "0", "1", "0", "Unspecified", "27", "19", "34", "26"],
            ["disc", "1", "0", "0", "Unspecified", "38", "4", "40", "7"],
        ])
        #expect(xml.contains("<filename>000000.png</filename>") && xml.contains("<width>40</width>") && xml.contains("<height>30</height>"))

        let classes = try paletteIndices(out.appendingPathComponent("SegmentationClass/000000.png"))
        let semantic = try decodePNG(dataset.appendingPathComponent("masks/semantic/000000.png")).samples.map(Int.init)
        #expect(classes == semantic)
        #expect(classes[7 * 40 + 5] == 1 && classes[18 * 40 + 26] == 2 && classes[29 * 40] == 3 && classes[2 * 40 + 2] == 255)

        let objectsPNG = try paletteIndices(out.appendingPathComponent("SegmentationObject/000000.png"))
        var expected = [Int](repeating: 0, count: 1200)
        for y in 7...12 { for x in 5...14 { expected[y * 40 + x] = 1 } }
        for y in 18...25 { for x in 26...33 where !(y == 18 && (28...31).contains(x)) { expected[y * 40 + x] = 2 } }
        for y in 2...3 { for x in 2...3 { expected[y * 40 + x] = 255 } }
        for y in 3...6 { for x in 37...39 { expected[y * 40 + x] = 3 } }
        #expect(objectsPNG == expected)

        for task in ["Main", "Segmentation"] {
            #expect(try String(contentsOf: out.appendingPathComponent("ImageSets/\(task)/default.txt"), encoding: .utf8) == "000000\n")
        }
        #expect(try String(contentsOf: out.appendingPathComponent("labelmap.txt"), encoding: .utf8)
            == "# label:color_rgb:parts:actions\nbackground:0,0,0::\ndisc:128,0,0::\nbig box:0,128,0::\nfloor:128,128,0::\nignored:224,224,192::\n")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("JPEGImages/000000.png").path))
    }

    /// The void band across a straight border: exactly its width, centred (k + 1 pixels on
    /// the left for an odd width), none at the canvas edge; a corner dilates as a square.
    @Test(arguments: [(1, "...#...."), (2, "...##..."), (3, "..###..."), (4, "..####.."), (5, ".#####..")])
    func voidBandIsItsWidthAcrossABorder(band: Int, expected: String) {
        let row: [UInt16] = [1, 1, 1, 1, 2, 2, 2, 2]
        let result = VOCWriter.borderBand(row + row, width: 8, height: 2, band: band)
        let text = String(result.prefix(8).map { $0 ? "#" : "." })
        #expect(text == expected && Array(result.prefix(8)) == Array(result.suffix(8)))
        // One pixel of instance 1 in a 5×5 field of 0: its border seeds spread as a square.
        var field = [UInt16](repeating: 0, count: 25)
        field[12] = 1
        #expect(VOCWriter.borderBand(field, width: 5, height: 5, band: 3).filter { $0 }.count == 15)
    }

    @Test func moreThan254ObjectsAreRefusedUnlessGray16() throws {
        let dataset = try renderDataset(tiledScene)
        let out = dataset.deletingLastPathComponent().appendingPathComponent("voc")
        #expect {
            try DatasetExporter.export(dataset, format: .voc, to: out, overwrite: false)
        } throws: { error in
            guard case let DatasetError.usage(message) = error else { return false }
            return message.contains("image 1 (000000.png) has 3000 annotations") && message.contains("--voc-overflow gray16")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(left.filter { !$0.hasPrefix(".") }.isEmpty && !left.contains(".tessera-export.partial"))

        let written = try export(dataset, options: ExportOptions(vocOverflow: .gray16))
        let objects = try decodePNG(written.appendingPathComponent("SegmentationObject/000000.png"))
        #expect(objects.channels == 1 && objects.bitDepth == 16)
        // Object k (1-based, drawing order) is the 2 × 2 square at column (k − 1) % 100, row (k − 1) / 100.
        let misplaced = (0..<(60 * 200)).filter { p in
            let (x, y) = (p % 200, p / 200)
            return objects.samples[p] != UInt16(y / 2 * 100 + x / 2 + 1)
        }
        #expect(misplaced.isEmpty, "\(misplaced.count) pixels hold the wrong object, the first at \(misplaced.first.map { ($0 % 200, $0 / 200) }.debugDescription)")
        #expect(objects.samples[(60 * 200)...].allSatisfy { $0 == 0 })   // the floor is background
        let xml = try String(contentsOf: written.appendingPathComponent("Annotations/000000.xml"), encoding: .utf8)
        #expect(xml.components(separatedBy: "<object>").count == 3001)
    }

    @Test func moreThan254ClassesDoNotFitTheClassPNG() throws {
        let names = (1...260).map { "c\($0)" }.joined(separator: ", ")
        let dataset = try renderDataset("canvas 8 x 8\nclasses \(names)\nobject c1 at (4, 4) { rectangle(4, 4, fill: #ffffff) }\n")
        let out = dataset.deletingLastPathComponent().appendingPathComponent("voc")
        #expect {
            try DatasetExporter.export(dataset, format: .voc, to: out, overwrite: false)
        } throws: { error in
            guard case let DatasetError.usage(message) = error else { return false }
            return message.contains("260 categories") && message.contains("at most 254")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func namesThatBreakTheLabelMapAreRefused() throws {
        for (classes, fragment) in [("\"a:b\"", "holds ':'"), ("\"background\", disc", "named 'background'")] {
            let dataset = try renderDataset("canvas 8 x 8\nclasses \(classes)\n", name: classes)
            #expect {
                try export(dataset)
            } throws: { error in
                guard case let DatasetError.usage(message) = error else { return false }
                return message.contains(fragment)
            }
        }
    }

    @Test func xmlEscapesMarkupInNames() throws {
        let dataset = try renderDataset("canvas 8 x 8\nclasses \"R&D <x>\"\nobject \"R&D <x>\" at (4, 4) { rectangle(4, 4, fill: #ffffff) }\n")
        let xml = try String(contentsOf: try export(dataset).appendingPathComponent("Annotations/000000.xml"), encoding: .utf8)
        #expect(xml.contains("<name>R&amp;D &lt;x&gt;</name>"))
    }
}
