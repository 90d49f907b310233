import SceneModel

/// How a script's samples become clips: `frames` frames per clip at `fps` frames per second.
/// Frame *f* (0-based) of clip *c* is the script evaluated with the streams of sample *c* and
/// one attempt, at `time = f / fps` seconds (docs/LANGUAGE.md, *Clips*).
public struct ClipSettings: Sendable, Hashable {
    /// Frames per clip, in ``frameLimit``.
    public var frames: Int
    /// Frames per second, greater than 0 and at most ``rateLimit``.
    public var fps: Double

    public init(frames: Int, fps: Double) {
        self.frames = frames
        self.fps = fps
    }

    /// The frames a clip may have. A clip is sampled, drawn and written frame by frame, so
    /// memory never grows with it; the bound keeps one clip's planning (which samples every
    /// frame) and its track table small.
    public static let frameLimit = 1...10_000
    /// The highest frame rate, in frames per second.
    public static let rateLimit = 1000.0

    /// The time of frame `frame`, in seconds: `frame / fps`.
    public func time(ofFrame frame: Int) -> Double { Double(frame) / fps }

    /// The parameters of the `clip` statement.
    static let signature = Signature("'clip'", required: ["frames", "fps"])
}

/// The parameters of the `sensor` statement (``SceneModel/Sensor``).
enum SensorStatement {
    static let signature = Signature("'sensor'", required: [], optional: ["channels", "bits"])
}

/// The parameters of the `camera` statement.
enum CameraStatement {
    static let signature = Signature("'camera'", required: [], optional: ["pan", "zoom", "rotate"])
    /// The zoom factors a camera may have.
    static let zoom = 0.01...100.0
}

/// What sampling decided for a whole clip before any frame is drawn: the attempt every frame
/// uses, and the track id of every labeled object that appears in some frame.
public struct ClipPlan: Sendable {
    /// The attempt (0-based) whose streams every frame of the clip uses: the first whose every
    /// frame met every requirement.
    public let attempt: Int
    /// Track id (1, 2, …) by ``SceneModel/Instance/trackKey``, in order of first appearance
    /// over the clip: frame by frame, and within a frame in drawing order.
    public let tracks: [UInt64: Int]
    /// What sampling the clip took (attempts, requirement checks over all frames sampled).
    public let report: SampleReport
    /// How much of the drawing every frame shares (``StaticBackdrop``), or `nil` when the
    /// background itself changes over the clip (or the clip has one frame: nothing to share).
    public let backdropDepth: Int?
}

/// Which part of a clip's drawing stays the same in every frame, decided from the frames
/// themselves: the planner samples every frame anyway, and compares each with the first.
///
/// The backdrop is the canvas, the background paint and photograph, and the longest run of
/// instances at the back of the drawing order that are equal — geometry, transform, paint,
/// outline, opacity, everything the renderer reads — in every frame; the light must be equal
/// too for any instance to count (it shades and casts their shadows). Equal values draw equal
/// pixels, so this is exact where a reading of the script (does this expression use `time`?)
/// could only guess: a moving camera changes every transform, so a panning clip has an empty
/// backdrop, while a still camera leaves its static part shared.
struct StaticBackdrop {
    private var first: SceneModel.Scene?
    /// Instances shared so far, or `nil` once the background differed.
    private(set) var depth: Int?
    private var frames = 0

    /// Takes the next frame of the clip into account.
    /// - Complexity: one comparison of the frame's shared prefix with the first frame's.
    mutating func add(_ scene: SceneModel.Scene) {
        frames += 1
        guard let first else {
            first = scene
            depth = scene.instances.count
            return
        }
        guard let shared = depth else { return }
        guard scene.width == first.width, scene.height == first.height, scene.background == first.background,
              scene.backgroundImage == first.backgroundImage else {
            depth = nil
            return
        }
        guard scene.light == first.light else {
            depth = 0
            return
        }
        var k = 0
        let limit = min(shared, scene.instances.count)
        while k < limit, scene.instances[k] == first.instances[k] { k += 1 }
        depth = k
    }

    /// The shared depth once every frame was added; `nil` for a clip of one frame.
    var result: Int? { frames > 1 ? depth : nil }
}

extension SceneProgram {
    /// The clip settings of the script's `clip` statement, or `nil` for still images.
    public var clip: ClipSettings? { script.clip }
    /// What the camera records: the script's `sensor` statement, or 8-bit RGB.
    public var sensor: Sensor { script.sensor }

    /// Plans clip `clip`: samples (without drawing) its frames at attempt 0, 1, … until an
    /// attempt meets every requirement in every frame, then numbers the tracks of that attempt.
    /// A pure function of (program, seed, clip, settings).
    ///
    /// - Parameters:
    ///   - settings: frames and rate (the script's, or the command line's).
    ///   - measure: draws what a rendered requirement asks of one frame; called once per frame
    ///     sampled, and only for frames that reach a rendered requirement.
    /// - Throws: ``ExhaustedAttempts`` when no attempt met every requirement in every frame
    ///   (or the attempts sampled ``Limits/clipFrameSamples`` frames, or took
    ///   ``Limits/evaluationSteps`` evaluation steps once the first attempt was done, without one
    ///   that did);
    ///   ``ScriptError`` for a runtime error, with a note naming the seed, clip and frame.
    /// - Complexity: O(frames × attempts) samples, at most ``Limits/clipFrameSamples``; the
    ///   first attempt's evaluation steps (each frame at most ``Limits/evaluationSteps``) plus at
    ///   most ``Limits/evaluationSteps`` and one frame's for the others.
    public func planClip(seed: UInt64, clip: Int, settings: ClipSettings,
                         measuring measure: (SceneModel.Scene) throws -> any RenderedFacts) throws -> ClipPlan {
        var tally = ConstraintTally()
        let stratum = script.quota?.stratum(of: clip)
        let stratumName = stratum.map { script.quota!.names[$0] }
        var sampledFrames = 0
        // Evaluation steps of every frame sampled so far, over all attempts.
        var planningSteps = 0
        for attempt in 0..<script.attempts {
            var tracks: [UInt64: Int] = [:]
            var backdrop = StaticBackdrop()
            var isAccepted = true
            var clipFrame = ClipFrame(index: 0, count: settings.frames)
            for frame in 0..<settings.frames {
                // The first attempt always fits (frames ≤ the budget), so some attempt was
                // rejected when the budget runs out.
                guard sampledFrames < Limits.clipFrameSamples else {
                    throw exhausted(tally, seed: seed, index: clip, stratumName: stratumName, what: "clip", attempts: attempt,
                                    help: "a clip's attempts may sample at most \(Limits.clipFrameSamples) frames in all, here \(attempt) attempts of \(settings.frames) frames; loosen the requirement, or shorten the clip")
                }
                // Past the first attempt, the attempts share one image's evaluation steps: a
                // frame has its own budget, so without this a clip whose requirement never holds
                // could take attempts × frames × that budget.
                guard attempt == 0 || planningSteps < Limits.evaluationSteps else {
                    throw exhausted(tally, seed: seed, index: clip, stratumName: stratumName, what: "clip", attempts: attempt,
                                    help: "a clip's attempts may take at most \(Limits.evaluationSteps) evaluation steps in all once the first is done, here \(attempt) attempts of \(settings.frames) frames took \(planningSteps); loosen the requirement, or make a frame cheaper or the clip shorter")
                }
                sampledFrames += 1
                var steps = 0
                defer { planningSteps += steps }
                clipFrame.index = frame
                let sampled: (SceneModel.Scene, (any RenderedFacts)?)?
                do {
                    sampled = try runAttempt(seed: seed, index: clip, attempt: attempt, time: settings.time(ofFrame: frame),
                                             stratum: stratum, steps: &steps, tally: &tally, clipFrame: &clipFrame, measure: measure)
                } catch let problem as ProblemReport {
                    throw located(problem, seed: seed, index: clip, what: "frame \(frame) of clip")
                }
                guard let (scene, _) = sampled else {
                    isAccepted = false
                    break
                }
                for instance in scene.instances where instance.categoryID.map({ categories[$0 - 1].isThing }) == true {
                    if tracks[instance.trackKey] == nil { tracks[instance.trackKey] = tracks.count + 1 }
                }
                backdrop.add(scene)
            }
            if isAccepted {
                return ClipPlan(attempt: attempt, tracks: tracks,
                                report: SampleReport(attempts: attempt + 1, checks: checks(tally), stratum: stratumName),
                                backdropDepth: backdrop.result)
            }
        }
        throw exhausted(tally, seed: seed, index: clip, stratumName: stratumName, what: "clip")
    }

    /// Samples frame `frame` of clip `clip` at the attempt `plan` chose, each labeled instance
    /// carrying its track id (``SceneModel/Instance/trackID``). Requirements were checked by
    /// ``planClip(seed:clip:settings:measuring:)`` and are not measured again.
    /// - Throws: ``ScriptError`` for a runtime error (naming seed, clip and frame).
    public func sampleFrame(seed: UInt64, clip: Int, frame: Int, settings: ClipSettings, plan: ClipPlan) throws -> Sample {
        var steps = 0
        var tally = ConstraintTally()
        var clipFrame = ClipFrame(index: frame, count: settings.frames, isChecked: false)
        let sampled: (SceneModel.Scene, (any RenderedFacts)?)?
        do {
            sampled = try runAttempt(seed: seed, index: clip, attempt: plan.attempt, time: settings.time(ofFrame: frame),
                                     stratum: script.quota?.stratum(of: clip), steps: &steps, tally: &tally,
                                     clipFrame: &clipFrame, checksDeferred: false) { _ in throw UnmeasuredFacts() }
        } catch let problem as ProblemReport {
            throw located(problem, seed: seed, index: clip, what: "frame \(frame) of clip")
        }
        // The plan sampled this very frame and it met every requirement, so it does again.
        guard var (scene, _) = sampled else { preconditionFailure("frame \(frame) of clip \(clip) was accepted when planned") }
        for k in scene.instances.indices where scene.instances[k].categoryID.map({ categories[$0 - 1].isThing }) == true {
            scene.instances[k].trackID = plan.tracks[scene.instances[k].trackKey]
        }
        return Sample(scene: scene, report: plan.report, facts: nil)
    }
}
