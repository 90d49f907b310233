public import Foundation
import SceneScript
import Annotation
import DatasetReading

/// How a run's images are divided into splits (`--split train=0.8,val=0.1,test=0.1`): one
/// COCO instances file per split, `annotations/instances_<split>.json`.
///
/// The rule (docs/FORMATS.md, *Splits*): the run's indices `0 ..< count` are put in a fixed
/// pseudo-random order (``IndexPermutation``, keyed by a constant and `count` alone), and
/// the images are dealt to the splits in that order by the earliest-deadline schedule of
/// `quota` (`QuotaSchedule`), so every split holds within one image of `share × count`. An
/// image's split depends on its index and `count` only: never on the seed, the scene,
/// `--jobs`, `--shard`, `--indices` or `--resume`. The permutation keeps splits independent
/// of the index pattern that `quota` strata follow (both use the same schedule, so without it
/// a 50/50 quota and a 50/50 split would put one stratum in each split).
public struct SplitPlan: Sendable, Equatable, CustomStringConvertible {
    /// Split names, in the order given.
    public let names: [String]
    /// Shares, positive, adding up to 1.
    public let shares: [Double]

    /// No `--split`: every image in ``DatasetFiles/defaultSplit``.
    public static let single = SplitPlan(uncheckedNames: [DatasetFiles.defaultSplit], shares: [1])

    private init(uncheckedNames names: [String], shares: [Double]) {
        self.names = names
        self.shares = shares
    }

    /// Parses `NAME=SHARE,…`: names of letters, digits, `_` and `-`, each once; shares
    /// positive decimal numbers adding up to 1 (within 1e-6, e.g. `0.7,0.2,0.1`).
    /// - Throws: `DatasetError.usage` naming `--split` and what is wrong.
    public init(parsing text: String) throws {
        var names: [String] = [], shares: [Double] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DatasetError.usage("--split: '\(item)' is not NAME=SHARE (e.g. --split train=0.8,val=0.1,test=0.1)")
            }
            let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }) else {
                throw DatasetError.usage("--split: split name '\(name)' must be letters, digits, '_' or '-'")
            }
            // Case-insensitive, so that the instances files cannot collide on a file system that ignores case.
            guard !names.contains(where: { $0.lowercased() == name.lowercased() }) else {
                throw DatasetError.usage("--split: split '\(name)' is named twice (names are compared ignoring case: they name files)")
            }
            guard let share = Double(parts[1].trimmingCharacters(in: .whitespaces)), share.isFinite, share > 0, share <= 1 else {
                throw DatasetError.usage("--split: the share of '\(name)' must be a number in (0, 1], got '\(parts[1])'")
            }
            names.append(name)
            shares.append(share)
        }
        let total = shares.reduce(0, +)
        guard abs(total - 1) <= 1e-6 else {
            throw DatasetError.usage("--split: the shares add up to \(total), not 1")
        }
        self.init(uncheckedNames: names, shares: shares)
    }

    /// `train=0.8,val=0.2`, as `--split` takes it.
    public var description: String {
        zip(names, shares).map { "\($0)=\(JSONValue.double($1).jsonText)" }.joined(separator: ",")
    }

    /// The manifest's `options.split`: `[{"name": …, "share": …}, …]`.
    var json: JSONValue {
        .array(zip(names, shares).map { .object([JSONMember("name", .string($0)), JSONMember("share", .double($1))]) })
    }

    /// The split of each image of a run of `count` images; for a run of `count` clips of
    /// `framesPerClip` frames, the split of each clip, which every frame of it shares (frame
    /// *f* of clip *c*, image `c · framesPerClip + f`, goes where a still image `c` of a run of
    /// `count` images would go), so that no clip straddles two splits.
    public func assignment(count: Int, framesPerClip: Int = 1) -> SplitAssignment {
        SplitAssignment(plan: self, count: count, framesPerClip: framesPerClip)
    }
}

/// Image index → split position in a ``SplitPlan``, for a run of `count` images (or of
/// `count` clips, each `framesPerClip` images, dealt to the splits whole).
public struct SplitAssignment: Sendable {
    public let plan: SplitPlan
    /// Images per dealt unit: 1 for still images, the frames of a clip for clips.
    public let framesPerClip: Int
    /// The run's size in images: `0 ..< count`.
    public var count: Int { permutation.count * framesPerClip }
    private let permutation: IndexPermutation
    private let schedule: QuotaSchedule?

    init(plan: SplitPlan, count: Int, framesPerClip: Int = 1) {
        precondition(framesPerClip >= 1)
        self.plan = plan
        self.framesPerClip = framesPerClip
        permutation = IndexPermutation(count: count)
        schedule = plan.names.count > 1 ? QuotaSchedule(names: plan.names, shares: plan.shares) : nil
    }

    /// The position in `plan.names` of image `index`'s split (its clip's, for clips).
    /// - Complexity: O(`QuotaSchedule.checkpointSpacing` · splits) after the first call near
    ///   `index`.
    public func split(of index: Int) -> Int {
        guard let schedule else { return 0 }
        return schedule.stratum(of: permutation.position(of: index / framesPerClip))
    }

    /// The name of image `index`'s split.
    public func splitName(of index: Int) -> String { plan.names[split(of: index)] }
}

/// A fixed bijection of `0 ..< count` onto itself that looks random: a four-round Feistel
/// network over the smallest even number of bits that holds `count`, with SplitMix64 as the
/// round function, walked until it lands inside the range (cycle walking, fewer than four
/// steps on average). Keyed by a constant and `count`, so it never changes for a run.
struct IndexPermutation: Sendable {
    let count: Int
    private let halfBits: Int

    init(count: Int) {
        self.count = count
        var bits = 2
        while bits < 62, (1 << bits) < count { bits += 2 }
        halfBits = bits / 2
    }

    func position(of index: Int) -> Int {
        precondition(index >= 0 && index < count)
        var x = UInt64(index)
        repeat { x = step(x) } while x >= UInt64(count)
        return Int(x)
    }

    private func step(_ value: UInt64) -> UInt64 {
        let mask = (UInt64(1) << UInt64(halfBits)) - 1
        var left = value >> UInt64(halfBits), right = value & mask
        for round in UInt64(0)..<4 {
            let f = Self.mix(right ^ (round << 56) ^ (UInt64(count) << 8) ^ 0x7E55_E8A5_511D) & mask
            (left, right) = (right, left ^ f)
        }
        return (left << UInt64(halfBits)) | right
    }

    /// SplitMix64's finaliser.
    private static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
