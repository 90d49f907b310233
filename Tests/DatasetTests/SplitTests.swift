import Foundation
import Testing
@testable import Dataset
import DatasetReading
import DatasetTools

/// `--split`: the rule that deals images to splits, and the files it writes.
@Suite struct SplitTests {
    private let scene = """
    canvas 24 x 24
    classes dot
    repeat randint(1, 3) { object dot at (uniform(4, 20), uniform(4, 20)) { circle(3) } }
    """

    private func render(_ folder: URL, count: Int, split: String, shard: Shard? = nil, indices: ImageIndices? = nil, jobs: Int = 2) throws {
        let options = RenderOptions(count: count, seed: 4, output: folder, jobs: jobs, shard: shard, indices: indices,
                                    split: try SplitPlan(parsing: split))
        _ = try DatasetRenderer(program: try compile(scene), options: options).run()
    }

    @Test(arguments: [
        ("train=0.8,val=0.1,test=0.1", 1_000), ("a=0.5,b=0.5", 7), ("train=0.7,val=0.3", 10_007), ("x=0.25,y=0.25,z=0.5", 1),
    ])
    func everySplitHoldsItsShareWithinOneImage(text: String, count: Int) throws {
        let plan = try SplitPlan(parsing: text)
        let assignment = plan.assignment(count: count)
        var counts = [Int](repeating: 0, count: plan.names.count)
        for index in 0..<count { counts[assignment.split(of: index)] += 1 }
        for (k, share) in plan.shares.enumerated() {
            #expect(abs(Double(counts[k]) - share * Double(count)) < 1, "\(plan.names[k]): \(counts[k]) of \(count)")
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 17, 64, 1000, 4097])
    func thePermutationIsABijection(count: Int) {
        let permutation = IndexPermutation(count: count)
        #expect(Set((0..<count).map(permutation.position(of:))) == Set(0..<count))
    }

    /// The same schedule deals quota strata by index; without the permutation a 50/50 quota and a
    /// 50/50 split would put each stratum wholly in one split.
    @Test func splitsAreIndependentOfTheIndexPattern() throws {
        let assignment = try SplitPlan(parsing: "train=0.5,val=0.5").assignment(count: 1000)
        let evenInTrain = stride(from: 0, to: 1000, by: 2).filter { assignment.split(of: $0) == 0 }.count
        #expect((200...300).contains(evenInTrain), "\(evenInTrain) of 500 even indices in train")
    }

    @Test(arguments: [
        ("train", "'train' is not NAME=SHARE"), ("train=0.8,val=0.1", "the shares add up to 0.9"),
        ("a=0.5,a=0.5", "split 'a' is named twice"), ("train=0.5,TRAIN=0.5", "split 'TRAIN' is named twice"), ("a b=1", "split name 'a b' must be"),
        ("a=-1,b=2", "the share of 'a' must be a number in (0, 1]"), ("a=nan", "the share of 'a'"), ("", "is not NAME=SHARE"),
    ])
    func badSplitsAreUsageErrorsNamingTheFlag(text: String, message: String) {
        #expect { try SplitPlan(parsing: text) } throws: { error in
            guard case let DatasetError.usage(found) = error else { return false }
            return found.hasPrefix("--split: ") && found.contains(message)
        }
    }

    @Test func eachSplitHasItsInstancesFileAndTheRecordsSayWhich() throws {
        let folder = try temporaryFolder()
        try render(folder, count: 20, split: "train=0.6,val=0.2,test=0.2")
        let reader = try DatasetReader(folder)
        #expect(try reader.splits() == ["train", "val", "test"])
        var seen: [String: [Int]] = [:]
        var annotationIDs: [Int] = []
        try reader.forEachImageWithSplit { split, image, annotations in
            seen[split, default: []].append(image.id - 1)
            #expect(image.fileName == String(format: "%06d.png", image.id - 1))
            annotationIDs += annotations.map(\.id)
            return true
        }
        #expect(seen.mapValues(\.count) == ["train": 12, "val": 4, "test": 4])
        #expect(Set(seen.values.joined()) == Set(0..<20))
        #expect(annotationIDs.sorted() == Array(1...annotationIDs.count), "ids run 1, 2, … over the dataset")
        let assignment = try SplitPlan(parsing: "train=0.6,val=0.2,test=0.2").assignment(count: 20)
        for record in try jsonLines(folder.appendingPathComponent("records.jsonl")) {
            #expect(record["split"] as? String == assignment.splitName(of: record["index"] as! Int))
        }
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func shardsAndIndicesKeepEachImagesSplit() throws {
        let whole = try temporaryFolder()
        try render(whole, count: 12, split: "train=0.5,val=0.25,test=0.25", jobs: 1)
        var shards: [URL] = []
        for k in 0..<3 {
            let folder = try temporaryFolder("shard\(k)")
            try render(folder, count: 12, split: "train=0.5,val=0.25,test=0.25", shard: Shard(index: k, count: 3))
            shards.append(folder)
        }
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        try expectIdentical(whole, merged)

        let chosen = try temporaryFolder("chosen")
        try render(chosen, count: 12, split: "train=0.5,val=0.25,test=0.25", indices: try ImageIndices(parsing: "3-7"))
        let reader = try DatasetReader(chosen), wholeReader = try DatasetReader(whole)
        var wholeSplit: [Int: String] = [:]
        try wholeReader.forEachImageWithSplit { split, image, _ in wholeSplit[image.id] = split; return true }
        try reader.forEachImageWithSplit { split, image, _ in
            #expect(wholeSplit[image.id] == split)
            return true
        }
        #expect(try DatasetValidator.validate(chosen).isValid)
    }

    @Test func anotherSplitIsAnotherRunForResume() throws {
        let folder = try temporaryFolder()
        try render(folder, count: 4, split: "train=0.5,val=0.5")
        #expect { try render(folder, count: 4, split: "train=0.75,val=0.25", indices: nil) } throws: { _ in true }
        let options = RenderOptions(count: 4, seed: 4, output: folder, resume: true, split: try SplitPlan(parsing: "train=0.75,val=0.25"))
        #expect { _ = try DatasetRenderer(program: try compile(scene), options: options).run() } throws: { error in
            "\(error)".contains("split [{\"name\":\"train\",\"share\":0.5}")
        }
    }

    @Test func theValidatorNamesAnImageInTheWrongSplit() throws {
        let folder = try temporaryFolder()
        try render(folder, count: 10, split: "train=0.5,val=0.5")
        // Swap the two files: every image is now in the other split.
        let fm = FileManager.default
        let (train, val) = (folder.appendingPathComponent("annotations/instances_train.json"), folder.appendingPathComponent("annotations/instances_val.json"))
        let swap = folder.appendingPathComponent("swap.json")
        try fm.moveItem(at: train, to: swap)
        try fm.moveItem(at: val, to: train)
        try fm.moveItem(at: swap, to: val)
        let report = try DatasetValidator.validate(folder)
        #expect(report.faults.contains { $0.hasPrefix("annotations/instances_train.json: image id") && $0.contains("belongs to split 'val'") }, "\(report.faults)")
    }
}
