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
    }

    private(set) var counts: [SourceRange: Count] = [:]

    mutating func record(_ constraint: SourceRange, held: Bool) {
        counts[constraint, default: Count()].evaluated += 1
        if held { counts[constraint]!.held += 1 }
    }

    /// The constraint that rejected most often (ties: the earliest in the source), with its counts.
    var worst: (constraint: SourceRange, count: Count)? {
        counts.map { (constraint: $0.key, count: $0.value) }.min { a, b in
            let (ra, rb) = (a.count.evaluated - a.count.held, b.count.evaluated - b.count.held)
            return ra != rb ? ra > rb : (a.constraint.file, a.constraint.start) < (b.constraint.file, b.constraint.start)
        }
    }
}
