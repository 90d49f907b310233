import Dataset
import Foundation
import SceneModel
import SceneScript
import Testing

/// The spread of recorded values over `check --samples N`.
@Suite struct RecordedDistributionTests {
    @Test func numbersStringsBooleansAndListsAreSummarized() throws {
        let program = try compile("classes a\nrecord n = 0\nrecord word = \"x\"\nrecord flag = true\nrecord xs = [1, 2]")
        var distribution = RecordedDistribution(program: program)
        for (n, word, flag) in [(0, "b", true), (10, "a", false), (5, "b", true), (3, "b", true)] {
            distribution.add([RecordedField(name: "n", value: .int(n)), RecordedField(name: "word", value: .string(word)),
                              RecordedField(name: "flag", value: .bool(flag)),
                              RecordedField(name: "xs", value: .list([.double(Double(n) / 2), .double(1)]))])
        }
        let fields = distribution.summarized
        #expect(fields.map(\.name) == ["n", "word", "flag", "xs"])
        #expect(distribution.images == 4 && fields.allSatisfy { $0.images == 4 })
        let n = try #require(fields[0].numbers)
        #expect(n.count == 4 && n.minimum == 0 && n.maximum == 10 && n.mean == 4.5 && n.isIntegral)
        // Bins of width 1.25: 0 → 0, 3 → 2, 5 → 4, 10 → the last (it includes the maximum).
        #expect(n.bins == [1, 0, 1, 0, 1, 0, 0, 1])
        #expect(fields[1].counts == [.init(value: "a", count: 1), .init(value: "b", count: 3)])
        #expect(fields[2].counts == [.init(value: "false", count: 1), .init(value: "true", count: 3)])
        let xs = try #require(fields[3].numbers)
        #expect(xs.count == 8 && xs.minimum == 0 && xs.maximum == 5 && !xs.isIntegral)
    }

    @Test func oneValueIsOneBin() throws {
        var distribution = RecordedDistribution(program: try compile("classes a\nrecord n = 2"))
        distribution.add([RecordedField(name: "n", value: .int(2))])
        distribution.add([RecordedField(name: "n", value: .int(2))])
        #expect(distribution.summarized[0].numbers?.bins == [2])
    }

    @Test func theEstimateAddsEveryAcceptedImagesRecords() throws {
        let program = try compile(exhaustingScene + "\nrecord k = image_index")
        var distribution = RecordedDistribution(program: program)
        let report = try AcceptanceReport.estimate(program: program, seed: 5, samples: 10, jobs: 2, records: &distribution)
        #expect(report.images == 8 && distribution.images == 8)
        let k = try #require(distribution.summarized[0].numbers)
        #expect(k.count == 8 && k.minimum == 0 && k.maximum == 9 && k.mean == Double(0 + 1 + 2 + 4 + 5 + 6 + 7 + 9) / 8)
    }

    @Test func checkPrintsTheSpreadOfEachRecordedValue() throws {
        let scene = try writeParameterScene()
        let result = try runTessera(["check", scene.path, "--samples", "40", "--set", "weather=fog"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "recorded values over 40 accepted image(s) (lists count each element):"))
        #expect(lines[start + 1].hasPrefix("  speed: ") && lines[start + 1].contains(" number(s) in 40 image(s): min 2"))
        #expect(lines[(start + 2)...(start + 9)].allSatisfy { $0.hasPrefix("    [") && $0.contains(", ") })
        #expect(lines[start + 2].hasPrefix("    [2") && lines[start + 8].contains(") ") && lines[start + 9].contains("] "))
        #expect(lines.contains("  hour: 40 number(s) in 40 image(s): min 12, mean 12, max 12"))
        #expect(lines.contains("  weather: fog 40"))
        #expect(lines.contains { $0.hasPrefix("  tint: #") })
        #expect(lines.contains { $0.hasPrefix("  spot: 80 number(s) in 40 image(s): min ") })
        // The histogram counts add up to the numbers.
        let counts = lines[(start + 2)...(start + 9)].map { Int($0.split(separator: " ").last!)! }
        let total = Int(lines[start + 1].split(separator: " ")[1])!
        #expect(counts.reduce(0, +) == total)
    }
}
