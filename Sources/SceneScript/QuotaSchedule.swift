import Foundation

/// Assigns images to the strata of a `quota` by index alone (and, through a permutation of
/// the indices, images to the splits of `--split`: `Dataset.SplitPlan`).
///
/// Image *i* goes to a stratum by a fixed sequence — earliest deadline first over the
/// strata whose share is due: before image *i*, stratum *k* has `n_k` of the first *i*
/// images; it may take image *i* only while `n_k < (i + 1) · share_k`, and among those the one
/// whose next image is due soonest, `(n_k + 1) / share_k`, wins (ties: the earlier stratum).
/// So over the first *n* images every stratum holds within one image of `share · n`, for
/// every *n*; and since the sequence depends on the index only, so does every shard split.
///
/// Reaching image *i* replays the sequence from the nearest checkpoint (every
/// ``checkpointSpacing`` images, cached), so finding a stratum costs at most that many steps.
public final class QuotaSchedule: @unchecked Sendable {
    /// Stratum names and shares, in the order of the `quota` statement.
    public let names: [String]
    public let shares: [Double]
    static let checkpointSpacing = 1024

    private let lock = NSLock()
    /// `checkpoints[c]`: the counts per stratum before image `c · checkpointSpacing`.
    private var checkpoints: [[Int]]

    /// - Parameter shares: positive, adding up to 1 (within rounding), one per name.
    public init(names: [String], shares: [Double]) {
        self.names = names
        self.shares = shares
        checkpoints = [[Int](repeating: 0, count: shares.count)]
    }

    /// The stratum (position in the `quota`) of image `index`.
    /// - Complexity: O(``checkpointSpacing`` · strata), plus, the first time an index is
    ///   reached, O(index · strata) to lay the checkpoints before it.
    public func stratum(of index: Int) -> Int {
        precondition(index >= 0)
        let checkpoint = index / Self.checkpointSpacing
        var counts: [Int]
        lock.lock()
        while checkpoints.count <= checkpoint {
            var next = checkpoints[checkpoints.count - 1]
            let start = (checkpoints.count - 1) * Self.checkpointSpacing
            for i in start..<(start + Self.checkpointSpacing) { next[pick(i, counts: next)] += 1 }
            checkpoints.append(next)
        }
        counts = checkpoints[checkpoint]
        lock.unlock()
        for i in (checkpoint * Self.checkpointSpacing)..<index { counts[pick(i, counts: counts)] += 1 }
        return pick(index, counts: counts)
    }

    /// The stratum that takes image `i` given the counts before it.
    private func pick(_ i: Int, counts: [Int]) -> Int {
        var best = -1
        var bestDeadline = Double.infinity
        let due = Double(i + 1)
        for k in shares.indices where Double(counts[k]) < due * shares[k] {
            let deadline = Double(counts[k] + 1) / shares[k]
            if deadline < bestDeadline { (best, bestDeadline) = (k, deadline) }
        }
        // Shares add up to 1 (within rounding), so some stratum is always due; rounding
        // alone could leave none, and then the one furthest behind takes the image.
        if best < 0 {
            best = shares.indices.max { due * shares[$0] - Double(counts[$0]) < due * shares[$1] - Double(counts[$1]) }!
        }
        return best
    }
}
