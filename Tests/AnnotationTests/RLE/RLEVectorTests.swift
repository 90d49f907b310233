import Foundation
import Testing

@testable import Annotation

/// One case of Fixtures/rle_vectors.json, written by Fixtures/make_rle_vectors.py with
/// pycocotools.
struct RLEVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Instance: Decodable, Sendable {
        var id: UInt16
        var counts: String
        var runs: [UInt32]
        var area: Int
        var bbox: [Int]
    }

    var name: String
    var width: Int
    var height: Int
    var pixels: [UInt16]
    var instances: [Instance]

    var testDescription: String { name }

    static func loadAll() throws -> [RLEVector] {
        struct File: Decodable { var cases: [RLEVector] }
        let url = try #require(
            Bundle.module.url(forResource: "rle_vectors", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }

    /// Loaded once; an unreadable fixture yields no cases, which `fixtureLoads` reports.
    static let all: [RLEVector] = (try? loadAll()) ?? []
}

@Suite("RLE known-answer vectors from pycocotools")
struct RLEVectorTests {
    @Test func fixtureLoads() throws {
        let cases = try RLEVector.loadAll()
        #expect(cases.count >= 10)
    }

    @Test(arguments: RLEVector.all)
    func encodeMatchesPycocotools(_ vector: RLEVector) throws {
        for instance in vector.instances {
            let rle = RLE(encoding: instance.id, in: vector.pixels, width: vector.width, height: vector.height)
            #expect(rle.size == [vector.height, vector.width])
            #expect(rle.counts == instance.runs, "id \(instance.id)")
            #expect(rle.compressedCounts == instance.counts, "id \(instance.id)")
            #expect(rle.area == instance.area, "id \(instance.id)")
            #expect(rle.cocoBBox == instance.bbox, "id \(instance.id)")
        }
    }

    @Test(arguments: RLEVector.all)
    func encodingWithinTheBoxEqualsWholeImageEncoding(_ vector: RLEVector) {
        let measures = measureInstances(
            pixels: vector.pixels, width: vector.width, height: vector.height, maxID: 64)
        for measure in measures {
            let boxed = RLE(encoding: measure.instanceID, in: vector.pixels, width: vector.width,
                            height: vector.height, within: measure.bbox)
            let whole = RLE(encoding: measure.instanceID, in: vector.pixels, width: vector.width,
                            height: vector.height)
            #expect(boxed == whole, "id \(measure.instanceID)")
        }
    }

    @Test(arguments: RLEVector.all)
    func measuresMatchPycocotools(_ vector: RLEVector) {
        let measures = measureInstances(
            pixels: vector.pixels, width: vector.width, height: vector.height, maxID: 64)
        let expected = vector.instances.filter { $0.area > 0 }
        #expect(measures.map(\.instanceID) == expected.map(\.id))
        for (measure, instance) in zip(measures, expected) {
            #expect(measure.area == instance.area, "id \(instance.id)")
            #expect(measure.bbox.cocoBBox == instance.bbox, "id \(instance.id)")
        }
    }

    @Test(arguments: RLEVector.all)
    func decodeRoundTrips(_ vector: RLEVector) throws {
        for instance in vector.instances {
            let rle = try RLE(height: vector.height, width: vector.width, compressedCounts: instance.counts)
            #expect(rle.counts == instance.runs, "id \(instance.id)")
            let mask = rle.decodeMask()
            #expect(mask == vector.pixels.map { $0 == instance.id }, "id \(instance.id)")
            #expect(RLE(mask: mask, width: vector.width, height: vector.height) == rle)
        }
    }
}
