import Dataset
import DatasetTools
import Foundation
import Testing

/// `--resume` of a run that leaves images out (`--on-exhausted skip`).
@Suite struct RunResumptionTests {
    /// The record log of an interrupted run.
    private func log(_ folder: URL) -> URL { folder.appendingPathComponent(".tessera-records.partial") }

    /// A finished run of `count` images turned into an interrupted one, as a kill leaves it:
    /// no annotations/instances_<split>.json or manifest.json, the log cut at `cut` (a function of its text).
    private func interrupted(count: Int, jobs: Int, cut: (String) -> String.Index) throws -> URL {
        let folder = try temporaryFolder("torn")
        try renderExhausting(into: folder, count: count, jobs: jobs, shard: Shard(index: 0, count: 1))
        let fm = FileManager.default
        for name in ["annotations/instances_default.json", "manifest.json"] { try fm.removeItem(at: folder.appendingPathComponent(name)) }
        try fm.moveItem(at: folder.appendingPathComponent("shard.records"), to: log(folder))
        let text = try String(contentsOf: log(folder), encoding: .utf8)
        try Data(text[..<cut(text)].utf8).write(to: log(folder))
        return folder
    }

    @Test func resumingATornSkippingRunGivesTheUninterruptedBytes() throws {
        let whole = try temporaryFolder("whole")
        try renderExhausting(into: whole, count: 12, jobs: 1)
        // Cut inside image 8's records, which is a skipped image (an X line and its report):
        // image 3, skipped, stays done; resume redoes 8 and goes on.
        let torn = try interrupted(count: 12, jobs: 2) { text in
            text.range(of: "R\t", range: text.range(of: "X\t8\n")!.upperBound..<text.endIndex)!.lowerBound
        }
        let summary = try renderExhausting(into: torn, count: 12, jobs: 2, shard: Shard(index: 0, count: 1), resume: true)
        #expect(summary.rendered == 4 && summary.acceptance?.skipped.map(\.index) == [3, 8])
        // The shard's manifest has a `shard` member; compare the rest, then a whole-run resume.
        let tornWhole = try interrupted(count: 12, jobs: 1) { text in
            text.range(of: "E\t3\n")!.upperBound
        }
        let resumed = try renderExhausting(into: tornWhole, count: 12, jobs: 3, resume: true)
        #expect(resumed.rendered == 8)
        try expectIdentical(whole, tornWhole)
        #expect(try DatasetValidator.validate(torn).isValid)
    }

    @Test func resumeWithAnotherPolicyIsRefused() throws {
        let torn = try interrupted(count: 12, jobs: 2) { text in text.range(of: "E\t5\n")!.upperBound }
        #expect {
            try renderExhausting(into: torn, count: 12, shard: Shard(index: 0, count: 1), resume: true, policy: .fail)
        } throws: { error in
            "\(error)".contains("the interrupted run there differs from this one (on_exhausted skip there, fail here)")
        }
    }

    @Test func aLogOfAnotherFormatVersionIsRefusedNamingBoth() throws {
        let torn = try interrupted(count: 6, jobs: 1) { text in text.range(of: "E\t2\n")!.upperBound }
        let text = try String(contentsOf: log(torn), encoding: .utf8)
        try Data(text.replacingOccurrences(of: "tessera-records 4\n", with: "tessera-records 3\n").utf8).write(to: log(torn))
        #expect {
            try renderExhausting(into: torn, count: 6, shard: Shard(index: 0, count: 1), resume: true)
        } throws: { error in
            "\(error)".contains("is a record log of format 3, written by another Tessera version; this one reads format 4")
        }
    }
}
