import Dataset
import DatasetTools
import Foundation
import Testing

/// `tessera merge` of shards of a run that left images out (`--on-exhausted skip`).
@Suite struct DatasetMergerTests {
    @Test func shardsOfASkippingRunMergeIntoExactlyTheSingleRun() throws {
        let whole = try temporaryFolder("whole")
        try renderExhausting(into: whole, count: 14, jobs: 2)
        var shards: [URL] = []
        for k in [1, 2, 0] {
            let folder = try temporaryFolder("shard\(k)")
            try renderExhausting(into: folder, count: 14, jobs: k + 1, shard: Shard(index: k, count: 3))
            shards.append(folder)
            // A shard validates on its own, its skipped images (3, 8, 13 in slices 0..<4, 4..<9, 9..<14) included.
            let report = try DatasetValidator.validate(folder)
            #expect(report.isValid, "\(report.faults)")
        }
        let merged = try temporaryFolder("merged")
        let summary = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        #expect(summary.images == 11 && summary.skipped == 3 && summary.shards == 3)
        try expectIdentical(whole, merged)
        #expect(try DatasetValidator.validate(merged).isValid)
    }

    @Test func shardsOfRunsWithAnotherPolicyAreRefused() throws {
        // Images 0..<3 never exhaust, so the fail run finishes; the policy still tells the runs apart.
        let a = try temporaryFolder("a"), b = try temporaryFolder("b")
        try renderExhausting(into: a, count: 6, shard: Shard(index: 0, count: 2), policy: .fail)
        try renderExhausting(into: b, count: 6, shard: Shard(index: 1, count: 2), policy: .skip)
        #expect {
            try DatasetMerger.merge(shards: [a, b], into: try temporaryFolder("out"), overwrite: false)
        } throws: { error in
            "\(error)".contains("shards of different runs cannot be merged: on_exhausted skip in '\(b.path)', fail in '\(a.path)'")
        }
    }
}
