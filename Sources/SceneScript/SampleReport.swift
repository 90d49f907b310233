import SceneModel

/// One requirement of a program — a `require` statement, or one stratum of a `quota` — as
/// the acceptance report names it.
public struct RequirementInfo: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `require COND`: checked every time the statement runs.
        case require
        /// `require[p] COND`: enforced with probability `p`, decided by the image's generator;
        /// `nil` when `p` is an expression computed while sampling.
        case soft(probability: Double?)
        /// The condition of quota stratum `name`, enforced on the images of that stratum.
        case quota(stratum: String, share: Double)
    }

    /// `path:line:col` of the condition.
    public var location: String
    /// The condition as written.
    public var text: String
    public var kind: Kind
    /// Whether the condition asks about the rendered picture (visible pixels, occlusion, …)
    /// and so is checked after the instance raster of the attempt is drawn.
    public var isRendered: Bool
    /// Whether the condition looks at every frame of a clip (`count_frames`, `longest_run`, …),
    /// and so is decided once per clip attempt, when its last frame is sampled.
    public var isOverClip: Bool = false
}

/// How often one requirement was checked and how often it held.
public struct RequirementCount: Sendable, Hashable {
    public var checked: Int
    public var held: Int

    public init(checked: Int = 0, held: Int = 0) {
        self.checked = checked
        self.held = held
    }

    public static func + (a: RequirementCount, b: RequirementCount) -> RequirementCount {
        RequirementCount(checked: a.checked + b.checked, held: a.held + b.held)
    }
}

/// What sampling one image took: a pure function of (program, seed, index), like the image.
public struct SampleReport: Sendable, Hashable {
    /// Attempts drawn: the accepted one is the last; when every attempt was rejected, the
    /// program's `attempts`.
    public var attempts: Int
    /// One count per entry of ``SceneProgram/requirements``, in that order, over all of this
    /// image's attempts.
    public var checks: [RequirementCount]
    /// The quota stratum the image was assigned to (its name), or `nil` without a `quota`.
    public var stratum: String?

    public init(attempts: Int, checks: [RequirementCount], stratum: String? = nil) {
        self.attempts = attempts
        self.checks = checks
        self.stratum = stratum
    }
}

/// One sampled image: the scene, what sampling it took, and the rendered facts measured for
/// its requirements (so that the pipeline can reuse the instance raster instead of drawing it
/// again), if any were measured.
public struct Sample {
    public var scene: SceneModel.Scene
    public var report: SampleReport
    public var facts: (any RenderedFacts)?
}

/// Every attempt of an image was rejected by its requirements.
///
/// `error` is the located diagnostic (which requirement rejected how often, the seed and the
/// index); `report` is what sampling took, for the acceptance report of a run that skips
/// such images (`--on-exhausted skip`).
public struct ExhaustedAttempts: Error, Sendable, CustomStringConvertible {
    public var error: ScriptError
    public var report: SampleReport
    public var description: String { error.rendered() }
}
