import SceneModel
@testable import SceneScript

/// The generators a script's draws get under the stream design (``RandomStreams``), found
/// by the text of the drawing call, so tests can state exactly which value each draw takes.
struct StreamProbe {
    let program: SceneProgram
    let text: String
    let root: UInt64

    init(_ text: String, seed: UInt64, index: Int, attempt: Int = 0, program: SceneProgram? = nil) throws {
        self.text = text
        self.program = try program ?? compile(text)
        root = SceneRandomGenerator.root(seed: seed, index: index, attempt: attempt)
    }

    /// The scalar offset of the `occurrence`-th appearance of `snippet` in the script.
    private func offset(of snippet: String, occurrence: Int) -> Int {
        let scalars = Array(text.unicodeScalars), needle = Array(snippet.unicodeScalars)
        var found = -1
        for start in 0...(scalars.count - needle.count) where Array(scalars[start..<(start + needle.count)]) == needle {
            found += 1
            if found == occurrence { return start }
        }
        preconditionFailure("'\(snippet)' occurs fewer than \(occurrence + 1) times")
    }

    /// The key of the node written exactly as `snippet` (a call), or, with `statement`, of
    /// the longest node starting there (a loop or template-call statement).
    func key(_ snippet: String, occurrence: Int = 0, statement: Bool = false) -> UInt64 {
        let start = offset(of: snippet, occurrence: occurrence)
        let candidates = program.script.streams.keys.filter { $0.key.file == 0 && $0.key.start == start }
        let chosen = statement ? candidates.max { $0.key.end < $1.key.end }
            : candidates.first { $0.key.end - $0.key.start == snippet.unicodeScalars.count }
        return chosen!.value
    }

    /// The generator of the draw of the call `snippet` in `context`.
    func generator(_ snippet: String, occurrence: Int = 0, context: UInt64 = 0) -> SceneRandomGenerator {
        SceneRandomGenerator(root: root, stream: splitMix64(context ^ key(snippet, occurrence: occurrence)))
    }

    /// The context of iteration `i` of the loop (or template call) whose statement starts with `snippet`.
    func context(_ snippet: String, _ i: Int, in outer: UInt64 = 0, occurrence: Int = 0, statement: Bool = true) -> UInt64 {
        RandomStreams.context(outer, key(snippet, occurrence: occurrence, statement: statement), i)
    }
}
