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
    /// - Throws: ``ExhaustedAttempts`` when no attempt met every requirement in every frame;
    ///   ``ScriptError`` for a runtime error, with a note naming the seed, clip and frame.
    /// - Complexity: O(frames × attempts) samples.
    public func planClip(seed: UInt64, clip: Int, settings: ClipSettings,
                         measuring measure: (SceneModel.Scene) throws -> any RenderedFacts) throws -> ClipPlan {
        var tally = ConstraintTally()
        let stratum = script.quota?.stratum(of: clip)
        let stratumName = stratum.map { script.quota!.names[$0] }
        for attempt in 0..<script.attempts {
            var tracks: [UInt64: Int] = [:]
            var isAccepted = true
            var clipFrame = ClipFrame(index: 0, count: settings.frames)
            for frame in 0..<settings.frames {
                var steps = 0
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
            }
            if isAccepted {
                return ClipPlan(attempt: attempt, tracks: tracks,
                                report: SampleReport(attempts: attempt + 1, checks: checks(tally), stratum: stratumName))
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
