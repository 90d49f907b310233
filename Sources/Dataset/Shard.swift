import Foundation

/// One of `count` contiguous slices of a run's image index range, for spreading a dataset
/// over a cluster: shard `index` of `count` renders images
/// `imageCount · index / count ..< imageCount · (index + 1) / count` (integer division), so
/// the slices cover `0 ..< imageCount` exactly once, in order.
///
/// Shards are numbered from 0, like a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based, below `count`.
    public var index: Int
    /// At least 1.
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The most shards a run may be split into.
    public static let maximumCount = 1_000_000

    /// `K/N`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }

    /// The image indices of this shard.
    public func range(of imageCount: Int) -> Range<Int> {
        imageCount * index / count ..< imageCount * (index + 1) / count
    }

    /// Parses `K/N` (as given to `--shard`).
    /// - Throws: `DatasetError.usage` naming `--shard`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw DatasetError.usage("--shard must be K/N with whole numbers, shard K of N counted from 0 (e.g. 0/4), got '\(text)'")
        }
        self.init(index: k, count: n)
        try validate(source: "--shard")
    }

    /// Checks `0 ≤ index < count ≤ maximumCount`, naming where the values came from.
    func validate(source: String) throws {
        guard (1...Self.maximumCount).contains(count) else {
            throw DatasetError.usage("\(source): the shard count must be 1…\(Self.maximumCount), got \(count)")
        }
        guard (0..<count).contains(index) else {
            throw DatasetError.usage("\(source): shard index must be 0…\(count - 1) (shards count from 0), got \(index)")
        }
    }

    /// The shard a cluster scheduler assigned to this process, if any:
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` (0 when unset) of
    ///   `SLURM_ARRAY_TASK_COUNT`;
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` of `shardCount`, else of
    ///   `TESSERA_SHARD_COUNT` (a Job does not tell its pods how many completions it has).
    ///
    /// - Returns: the shard and a phrase naming the variables it came from, or `nil` when
    ///   none of them is set.
    /// - Throws: `DatasetError.usage` when a variable is malformed or the count is missing.
    public static func fromEnvironment(_ environment: [String: String], shardCount: Int?) throws -> (shard: Shard, source: String)? {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw DatasetError.usage("\(name) must be a whole number, got '\(text)'")
            }
            return value
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            guard let count = try integer("SLURM_ARRAY_TASK_COUNT") else {
                throw DatasetError.usage("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let source = "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT"
            let shard = Shard(index: task - (try integer("SLURM_ARRAY_TASK_MIN") ?? 0), count: count)
            try shard.validate(source: source)
            return (shard, source)
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            let source: String
            let count: Int
            if let shardCount {
                (count, source) = (shardCount, "JOB_COMPLETION_INDEX and --shard-count")
            } else if let fromEnvironment = try integer("TESSERA_SHARD_COUNT") {
                (count, source) = (fromEnvironment, "JOB_COMPLETION_INDEX and TESSERA_SHARD_COUNT")
            } else {
                throw DatasetError.usage("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N or set TESSERA_SHARD_COUNT (the Job's completions)")
            }
            let shard = Shard(index: index, count: count)
            try shard.validate(source: source)
            return (shard, source)
        }
        return nil
    }
}
