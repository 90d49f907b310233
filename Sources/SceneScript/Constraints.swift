/// A `require` whose condition was false: the sample is rejected and drawn again.
struct Rejection: Error {
    /// The condition of the `require` that failed.
    var constraint: SourceRange
}

/// How often each `require` was evaluated and held, over the attempts of one image.
struct ConstraintTally {
    struct Count {
        var evaluated = 0
        var held = 0

        var rejected: Int { evaluated - held }
        /// `held / evaluated`, as a percentage for messages.
        var acceptance: String { formatPercent(Double(held) / Double(evaluated) * 100) }
    }

    private(set) var counts: [SourceRange: Count] = [:]

    mutating func record(_ constraint: SourceRange, held: Bool) {
        counts[constraint, default: Count()].evaluated += 1
        if held { counts[constraint]!.held += 1 }
    }

    /// The constraints that rejected at least once, the one that rejected most often first,
    /// then by position in the source (so the order never depends on hashing).
    var rejecting: [(constraint: SourceRange, count: Count)] {
        counts.filter { $0.value.rejected > 0 }.map { (constraint: $0.key, count: $0.value) }.sorted { a, b in
            a.count.rejected != b.count.rejected ? a.count.rejected > b.count.rejected
                : (a.constraint.file, a.constraint.start) < (b.constraint.file, b.constraint.start)
        }
    }
}
