import Dataset
import Foundation
import SceneScript
import Testing

/// Quota strata, a requirement on the index, one on a sampled value and a soft one: images
/// 3, 8, 13, … are never accepted; the others take a random number of attempts, and some
/// of them run out too.
private let acceptanceScene = """
canvas 48 x 32
classes disc
attempts 3
background #203040
quota {
  few 0.3: image_index >= 0
  many 0.7: image_index >= 0
}
require image_index % 5 != 3
let r = uniform(0, 1)
object disc at (uniform(8, 40), uniform(8, 24)) { circle(uniform(3, 8), fill: #e0a020) }
require r < 0.6
require[0.5] r < 0.3
"""

@Suite struct AcceptanceReportTests {
    @Test func histogramBucketsDoubleInWidth() {
        #expect((0..<6).map(AcceptanceReport.attemptRange(ofBucket:)) == [1...1, 2...2, 3...4, 5...8, 9...16, 17...32])
    }

    /// The manifest's `acceptance` against counts made here: from each image's own sample
    /// report (drawn again through the public sampling API, not through the record log), from
    /// the index (which images can never be accepted, which stratum each image is in), and
    /// from the written annotations.
    @Test func theManifestsNumbersAreTheOnesCountedIndependently() throws {
        let count = 40, seed: UInt64 = 11
        let folder = try temporaryFolder()
        let summary = try renderExhausting(into: folder, count: count, seed: seed, jobs: 2, scene: acceptanceScene)
        let manifest = try jsonObject(folder.appendingPathComponent("manifest.json"))
        let acceptance = manifest["acceptance"] as! [String: Any]

        let program = try compile(acceptanceScene)
        var reports: [SampleReport] = []
        var exhausted: [Int] = []
        for index in 0..<count {
            do {
                reports.append(try program.sample(seed: seed, index: index) { _ in
                    Issue.record("nothing here asks about the rendered picture")
                    throw CancellationError()
                }.report)
            } catch let error as ExhaustedAttempts {
                reports.append(error.report)
                exhausted.append(index)
            }
        }
        // Images % 5 == 3 are left out, and some others.
        #expect(Set(exhausted).isSuperset(of: (0..<count).filter { $0 % 5 == 3 }))
        #expect(exhausted.count < count / 2)
        let written = count - exhausted.count
        let attempts = reports.map(\.attempts).reduce(0, +)
        #expect(acceptance["images"] as? Int == written)
        #expect(acceptance["skipped"] as? Int == exhausted.count)
        #expect(acceptance["attempts"] as? Int == attempts)
        #expect(abs((acceptance["acceptance_rate"] as! NSNumber).doubleValue - Double(written) / Double(attempts)) < 1e-12)
        // Every written image is in annotations/instances_<split>.json, one disc each.
        let coco = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
        #expect((coco["images"] as! [Any]).count == written && (coco["annotations"] as! [Any]).count == written)

        let perImage = acceptance["attempts_per_image"] as! [String: Any]
        #expect(abs((perImage["mean"] as! NSNumber).doubleValue - Double(attempts) / Double(count)) < 1e-12)
        #expect(perImage["max"] as? Int == 3)
        let histogram = (perImage["histogram"] as! [[String: Any]]).map { [$0["from"] as! Int, $0["to"] as! Int, $0["images"] as! Int] }
        #expect(histogram == [[1, 1, reports.filter { $0.attempts == 1 }.count], [2, 2, reports.filter { $0.attempts == 2 }.count],
                              [3, 4, reports.filter { $0.attempts == 3 }.count]])

        let requirements = acceptance["requirements"] as! [[String: Any]]
        #expect(requirements.map { $0["location"] as! String } == ["test.scene:6:12", "test.scene:7:13", "test.scene:9:9", "test.scene:12:9", "test.scene:13:14"])
        #expect(requirements.map { $0["kind"] as! String } == ["quota", "quota", "require", "require", "soft"])
        #expect(requirements.map { $0["rendered"] as! Bool } == [false, false, false, false, false])
        #expect(requirements[1]["stratum"] as? String == "many" && (requirements[1]["share"] as? NSNumber)?.doubleValue == 0.7)
        #expect((requirements[4]["probability"] as? NSNumber)?.doubleValue == 0.5)
        for (i, requirement) in requirements.enumerated() {
            let checked = reports.map { $0.checks[i].checked }.reduce(0, +), held = reports.map { $0.checks[i].held }.reduce(0, +)
            #expect(requirement["checked"] as? Int == checked && requirement["held"] as? Int == held, "requirement \(i)")
            // Foundation's JSON reader may round the last digit.
            #expect(abs((requirement["acceptance_rate"] as! NSNumber).doubleValue - Double(held) / Double(checked)) < 1e-12)
        }
        // The index requirement (after the quotas, which always hold) sees every attempt; it
        // rejects every attempt of images % 5 == 3 and no other.
        let never = (0..<count).filter { $0 % 5 == 3 }
        #expect(requirements[2]["checked"] as? Int == attempts)
        #expect(requirements[2]["held"] as? Int == attempts - 3 * never.count)
        // Each stratum's condition is checked on every attempt of its images only.
        let strata = acceptance["strata"] as! [[String: Any]]
        #expect(strata.map { $0["name"] as! String } == ["few", "many"])
        for (s, stratum) in strata.enumerated() {
            let members = (0..<count).filter { program.stratum(of: $0) == s }
            #expect(stratum["images"] as? Int == members.filter { !exhausted.contains($0) }.count)
            #expect(stratum["skipped"] as? Int == members.filter { exhausted.contains($0) }.count)
            #expect(requirements[s]["checked"] as? Int == members.map { reports[$0].attempts }.reduce(0, +))
        }
        let skipped = acceptance["skipped_images"] as! [[String: Any]]
        #expect(skipped.map { $0["index"] as! Int } == exhausted)
        for image in skipped {
            let index = image["index"] as! Int
            // The requirement that rejected most, the first on a tie.
            let rejections = reports[index].checks.map { $0.checked - $0.held }
            let worst = rejections.firstIndex(of: rejections.max()!)!
            #expect(image["attempts"] as? Int == 3)
            #expect((image["requirement"] as? [String: Any])?["location"] as? String == requirements[worst]["location"] as? String)
            if index % 5 == 3 { #expect(worst == 2) }
        }
        // The run's summary is the same report.
        #expect(summary.acceptance?.images == written && summary.acceptance?.attempts == attempts)
        #expect(summary.acceptance?.requirements.map(\.count) == (0..<5).map { i in
            reports.map { $0.checks[i] }.reduce(RequirementCount(), +)
        })
    }

    /// Every image is in the report also without requirements: one attempt each.
    @Test func aSceneWithoutRequirementsReportsOneAttemptPerImage() throws {
        let folder = try temporaryFolder()
        let summary = try renderExhausting(into: folder, count: 3, scene: "canvas 16 x 16\nclasses disc\nobject disc at (8, 8) { circle(4) }\n")
        let acceptance = try jsonObject(folder.appendingPathComponent("manifest.json"))["acceptance"] as! [String: Any]
        #expect(acceptance["images"] as? Int == 3 && acceptance["attempts"] as? Int == 3)
        #expect((acceptance["requirements"] as! [Any]).isEmpty && (acceptance["skipped_images"] as! [Any]).isEmpty)
        #expect(summary.acceptance?.acceptanceRate == 1)
    }
}
