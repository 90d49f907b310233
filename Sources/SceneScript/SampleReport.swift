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
    /// With a ``SampleFocus`` (`render --focus`): how many attempts met every requirement and
    /// so were put to the focus (`checked`), and how many it kept (`held`: 1 for a written
    /// image, 0 for one left out); `nil` without a focus.
    public var focus: RequirementCount?
    /// The accepted attempt's acceptance probability under the focus, 0…1; `nil` without one
    /// or when no attempt was accepted.
    public var focusAcceptance: Double?
    /// What the focus counted in the accepted attempt, per factor and bin (its
    /// ``FocusDecision/bins``); `nil` without a focus or an accepted attempt.
    public var focusBins: [[Int]]?

    public init(attempts: Int, checks: [RequirementCount], stratum: String? = nil, focus: RequirementCount? = nil,
                focusAcceptance: Double? = nil, focusBins: [[Int]]? = nil) {
        self.attempts = attempts
        self.checks = checks
        self.stratum = stratum
        self.focus = focus
        self.focusAcceptance = focusAcceptance
        self.focusBins = focusBins
    }
}

/// Re-weights which sampled images a run keeps (`tessera render --focus FILE`; the pipeline's
/// `Focus` implements it from a focus file).
///
/// After an attempt has met every requirement of the script, it is kept with probability
/// ``acceptance(of:facts:)``; otherwise it is rejected like a failed `require` and the next
/// attempt is drawn. The decision is one draw of the attempt's own focus stream
/// (``SceneProgram/focusStream`` of the attempt's root), never of the script's streams, so
/// every attempt's scene is exactly the scene it is without a focus, and the accepted image
/// is still a pure function of (program, focus, seed, index).
public protocol SampleFocus: Sendable {
    /// Whether ``acceptance(of:facts:)`` asks about the rendered picture (instance facts);
    /// the attempt is then measured (its instance raster drawn) before it is asked.
    var needsRenderedFacts: Bool { get }
    /// How many times the script's `attempts` an image may draw under this focus (≥ 1): the
    /// focus rejects attempts the script would keep, so it gets room for them.
    var attemptFactor: Int { get }
    /// What error messages call the focus, e.g. `the focus focus.json`.
    var name: String { get }
    /// The probability of keeping an attempt whose scene is `scene`, and what it counted.
    /// - Parameter facts: the attempt's rendered facts when ``needsRenderedFacts`` (or when a
    ///   requirement measured them), else `nil`.
    func decide(_ scene: SceneModel.Scene, facts: (any RenderedFacts)?) throws -> FocusDecision
}

/// A ``SampleFocus``'s verdict on one attempt.
public struct FocusDecision: Sendable, Equatable {
    /// The probability of keeping the attempt, 0…1.
    public var acceptance: Double
    /// Per factor of the focus, per bin, what the attempt holds (an image factor: 1 in the
    /// image's bin; an instance factor: its instances per bin), the last entry counting what
    /// falls in no bin. Kept in the image's report for the run's achieved distribution.
    public var bins: [[Int]]

    public init(acceptance: Double, bins: [[Int]]) {
        self.acceptance = acceptance
        self.bins = bins
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
