import Foundation

/// The image indices a run renders, kept as ranges so that memory grows with the number of
/// ranges, never with the number of images: `0 ..< count` for a whole run, a shard's slice,
/// or a set given with `--indices 17,40-59`.
///
/// Invariant: `ranges` is never empty. It is either one range (possibly empty, keeping where
/// it lies, as an empty shard's slice does), or several non-empty ranges, sorted, disjoint
/// and not touching (`1..<3, 3..<5` is stored as `1..<5`). So two sets of the same indices
/// are equal, and ``description`` is canonical.
public struct ImageIndices: Sendable, Hashable, Sequence, CustomStringConvertible {
    /// The ranges, in increasing order (see the invariant above).
    public let ranges: [Range<Int>]
    /// `offsets[k]`: how many indices `ranges[..<k]` hold.
    private let offsets: [Int]
    /// How many indices the set holds.
    public let count: Int

    /// The indices of `range` (which may be empty).
    public init(_ range: Range<Int>) {
        ranges = [range]
        offsets = [0]
        count = range.count
    }

    /// The union of `ranges`, in any order, overlapping or not; empty ranges are dropped
    /// (all of them empty gives the empty set at 0).
    /// - Complexity: O(r log r) for r ranges.
    public init(ranges given: some Sequence<Range<Int>>) {
        var merged: [Range<Int>] = []
        for range in given.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound ..< Swift.max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        if merged.isEmpty { merged = [0..<0] }
        var offsets: [Int] = []
        var total = 0
        for range in merged {
            offsets.append(total)
            total += range.count
        }
        self.ranges = merged
        self.offsets = offsets
        self.count = total
    }

    /// Parses a comma-separated list of indices (`17`) and inclusive ranges (`40-59`),
    /// counted from 0, e.g. `17,40-59`; spaces around items are allowed, the order is free and
    /// overlaps are merged. Every index must be below `RenderOptions.maximumCount`.
    /// - Parameter source: what to name in errors (`--indices`, or the manifest field).
    /// - Throws: `DatasetError.usage` naming `source`: an empty list or item, a negative
    ///   number, a reversed range, something that is not a whole number, a number too large.
    public init(parsing text: String, source: String = "--indices") throws {
        func failure(_ problem: String) -> DatasetError {
            DatasetError.usage("\(source): \(problem); give image indices and ranges counted from 0, e.g. 17,40-59")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw failure("the list of images is empty") }
        var ranges: [Range<Int>] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let part = item.trimmingCharacters(in: .whitespaces)
            guard !part.isEmpty else { throw failure("'\(text)' has an empty item") }
            guard !part.hasPrefix("-") else { throw failure("'\(part)' is negative (indices count from 0)") }
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard bounds.count <= 2 else { throw failure("'\(part)' is not an index or a range FIRST-LAST") }
            var numbers: [Int] = []
            for bound in bounds {
                guard !bound.isEmpty, bound.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw failure(bound.hasPrefix("-") || bound.isEmpty && bounds.count == 2
                        ? "'\(part)' is not a range FIRST-LAST of indices from 0"
                        : "'\(bound)' is not a whole number")
                }
                guard let number = Int(bound), number < RenderOptions.maximumCount else {
                    throw failure("\(bound) is too large (indices are below \(RenderOptions.maximumCount))")
                }
                numbers.append(number)
            }
            let (first, last) = (numbers[0], numbers[numbers.count - 1])
            guard first <= last else { throw failure("the range '\(part)' is reversed; write \(last)-\(first)") }
            ranges.append(first ..< last + 1)
        }
        self.init(ranges: ranges)
    }

    public var isEmpty: Bool { count == 0 }

    /// Whether the set is one range (`0 ..< count` or a shard's slice).
    public var isContiguous: Bool { ranges.count == 1 }

    /// From the smallest index to just past the largest (for an empty set, its one empty range).
    public var span: Range<Int> { ranges[0].lowerBound ..< ranges[ranges.count - 1].upperBound }

    /// - Complexity: O(log r) for r ranges.
    public func contains(_ index: Int) -> Bool {
        let k = lastRange { ranges[$0].lowerBound <= index }
        return k >= 0 && ranges[k].contains(index)
    }

    /// The `position`-th smallest index, counted from 0; `position` must be in `0 ..< count`.
    /// - Complexity: O(log r) for r ranges.
    public subscript(position: Int) -> Int {
        precondition((0..<count).contains(position), "position \(position) outside 0..<\(count)")
        let k = lastRange { offsets[$0] <= position }
        return ranges[k].lowerBound + position - offsets[k]
    }

    /// The last `k` with `isBefore(k)`, for a predicate that holds for a prefix of
    /// `ranges.indices`; −1 if none.
    private func lastRange(_ isBefore: (Int) -> Bool) -> Int {
        var (low, high) = (0, ranges.count)
        while low < high {
            let middle = (low + high) / 2
            if isBefore(middle) { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// The set in `--indices` syntax, canonical: `17,40-59` (one index alone, a longer range
    /// as FIRST-LAST inclusive); empty for the empty set.
    public var description: String {
        ranges.filter { !$0.isEmpty }.map {
            $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound - 1)"
        }.joined(separator: ",")
    }

    public func makeIterator() -> FlattenSequence<[Range<Int>]>.Iterator { ranges.joined().makeIterator() }

    public static func == (a: ImageIndices, b: ImageIndices) -> Bool { a.ranges == b.ranges }
    public func hash(into hasher: inout Hasher) { hasher.combine(ranges) }
}
