import Annotation
import Foundation
import Rendering
import SceneModel
public import SceneScript

/// Renders a dataset: samples, draws, labels and writes images `0 ..< count` (or a shard's
/// slice of them, or the `indices` chosen) of a scene program into the output folder. Image
/// *i* is the same bytes whichever of these runs made it.
///
/// Images are made on `jobs` threads, at most 8 × jobs ahead of the writer; their records are appended to
/// the run's record log in image order, so the output is byte-identical for every thread
/// count. Each file is written atomically (`AtomicFile`); the instances files and
/// `manifest.json` are assembled from the log at the end. A killed run keeps every image
/// whose records reached the log, and `resume` continues from there.
public struct DatasetRenderer: Sendable {
    public let program: SceneProgram
    public let options: RenderOptions
    public let layout: OutputLayout

    /// The plans of the clips being made; unused for still images.
    private let plans = PerClipCache<ClipPlan>(capacity: 64)
    /// The backdrops of the clips being made (``Rendering/Backdrop``), one per job and one
    /// more: frames in flight belong to about that many clips. Unused for still images.
    private let backdrops = PerClipCache<Backdrop>(capacity: 2)

    public init(program: SceneProgram, options: RenderOptions) {
        self.program = program
        self.options = options
        self.layout = OutputLayout(root: options.output, imageCount: options.count, imageFormat: options.imageFormat,
                                   framesPerClip: options.clip?.frames)
    }

    /// Runs the whole job.
    /// - Parameter progress: called on the calling thread as images complete (see
    ///   ``RenderProgress``).
    /// - Throws: `DatasetError` (usage, script error with position, seed and index, I/O
    ///   naming the path). Files already written stay; no file is ever half-written.
    public func run(progress: (RenderProgress) -> Void = { _ in }) throws -> RenderSummary {
        try options.validate()
        if program.sensor.isGray, options.imageFormat == .jpeg {
            throw DatasetError.usage("--image-format jpeg writes colour JPEGs, and this scene's sensor is grey "
                                     + "(\(program.sensor.bitDepth)-bit); write it as PNG (the default)")
        }
        let start = Date()
        let lock = try layout.lock()
        defer { withExtendedLifetime(lock) {} }
        let images = options.images
        let header = RecordLog.Header(
            manifestHead: try Manifest.head(program: program, options: options), images: images,
            count: options.itemCount, split: options.split, parameters: program.parametersJSON.jsonBytes,
            info: cocoInfo().jsonBytes,
            categories: program.categories.filter(\.isThing).map {
                COCOCategory(id: $0.id, name: $0.name, supercategory: $0.supercategory).jsonBytes
            },
            classes: program.categories.map {
                ClassMap.Entry(id: $0.id, name: $0.name, supercategory: $0.supercategory, isThing: $0.isThing).jsonBytes
            },
            requirements: program.requirements.map { info in
                var bytes: [UInt8] = []
                JSONValue.object(AcceptanceReport.identityJSON(AcceptanceReport.Requirement(info))).appendJSON(to: &bytes)
                return bytes
            })
        let log: RecordLogWriter
        // Positions in `images` (not indices): the first `done` of them are complete.
        var done = 0
        var replacing = false
        if options.resume {
            switch try RunResumption.open(layout: layout, header: header, shard: options.shard) {
            case .complete:
                layout.discardPreviousDataset()
                return RenderSummary(images: images.count, jobs: 0, rendered: 0, annotations: nil, acceptance: nil,
                                     seconds: Date().timeIntervalSince(start), framesPerClip: options.clip?.frames)
            case let .continuing(writer, complete):
                (log, done) = (writer, complete)
            }
        } else {
            // --overwrite sets the old dataset aside; it comes back if this run fails.
            try layout.prepare(overwrite: options.overwrite, settingAside: true)
            replacing = layout.hasPreviousDataset
            do { log = try RecordLogWriter(creating: layout.url(OutputLayout.recordLogFile), header: header) } catch {
                throw replacing ? restoringPrevious(error) : error
            }
        }
        let rendered = images.count - done
        let jobs = jobBudget()
        var state = RenderProgress(done: done)
        progress(state)
        do {
            try ParallelMap.forEachInOrder(done..<images.count, jobs: jobs, window: jobs * 8) { position in
                try self.makeImage(images[position])
            } consume: { records in
                try log.append(records)
                state.done += 1
                state.attempts += records.report.attempts
                if records.image != nil { state.accepted += 1 }
                progress(state)
            }
        } catch {
            if replacing { throw restoringPrevious(error) }
            // A fresh run that finished no image leaves the folder as it found it, so the
            // corrected command can simply run again.
            if !options.resume, state.done == 0 {
                try? layout.removeDatasetFiles()
                layout.removeEmptyFolders()
            } else if case let DatasetError.script(message) = error {
                // The same script fails the same way again, so say what is left and how on.
                throw DatasetError.script(message + "\nnote: '\(layout.root.path)' keeps the \(state.done) image(s) finished before "
                    + "this one, as an unfinished run (no instances file yet); after fixing the "
                    + (options.focus != nil && message.contains("the focus ") ? "focus file" : "script") + ", run the command "
                    + "again with --overwrite")
            }
            throw error
        }
        let assembled: DatasetAssembler.Result
        do {
            try log.close()
            assembled = try DatasetAssembler.finish(log: log.url, layout: layout, shard: options.shard)
        } catch {
            throw replacing ? restoringPrevious(error) : error
        }
        layout.discardPreviousDataset()
        return RenderSummary(images: images.count, jobs: jobs, rendered: rendered, annotations: assembled.annotations,
                             acceptance: assembled.acceptance, seconds: Date().timeIntervalSince(start),
                             framesPerClip: options.clip?.frames)
    }

    /// The jobs the run may use (``MemoryBudget``), a clip's backdrop counted with each, and
    /// the backdrops kept for them.
    func jobBudget() -> Int {
        let extra = options.clip == nil ? 0 : Backdrop.bytesPerPixel
        let jobs = MemoryBudget.jobs(requested: options.jobs, pixels: program.width * program.height,
                                     memory: MemoryBudget.available, bytesPerPixel: MemoryBudget.bytesPerPixel + extra)
        backdrops.limit(to: jobs + 1)
        return jobs
    }

    /// After a failed `--overwrite` run: removes what it wrote, puts back the dataset it was
    /// replacing (``OutputLayout/setAsideDatasetFiles()``) and adds a note saying so to `error`.
    private func restoringPrevious(_ error: Error) -> Error {
        do { try layout.restorePreviousDataset() } catch { return error }
        layout.removeEmptyFolders()
        return DatasetError.appendingNote(to: error, "nothing was replaced: the dataset that was in '\(layout.root.path)' is back in place")
    }

    private func cocoInfo() -> COCOInfo {
        COCOInfo(description: "Tessera dataset of scene '\(program.name)'", version: Tessera.version,
                 year: Tessera.releaseYear,
                 extra: [JSONMember("tool", .string("tessera")), JSONMember("scene", .string(program.name)),
                         JSONMember("scene_sha256", .string(Manifest.sceneHash(program.sources))),
                         JSONMember("seed", .uint(options.seed))])
    }

    /// The picture in the run's `imageFormat`: as the scene's sensor records it (RGB, or grey
    /// at 8 or 16 bits; grey is PNG only, checked before the run).
    private func encodeImage(_ rendered: RenderedScene) throws -> Data {
        switch options.imageFormat {
        case .png: return try rendered.gray.map { try PNG.encode($0, settings: options.png) } ?? PNG.encode(rendered.image, settings: options.png)
        case .jpeg: return try JPEG.encode(rendered.image, quality: options.jpegQuality)
        }
    }

    /// Samples, renders, labels and writes image `index`; under ``ExhaustedPolicy/skip``, an
    /// image whose every attempt was rejected gets only its sample report.
    func makeImage(_ index: Int) throws -> RecordLog.ImageRecords {
        let image: RenderedImage
        switch try renderImage(index) {
        case let .skipped(report): return RecordLog.ImageRecords(index: index, image: nil, report: report)
        case let .rendered(rendered): image = rendered
        }
        var files: [FileEntry] = []
        for (path, data) in [(layout.imagePath(index), image.image), (layout.instanceMaskPath(index), image.instanceMask),
                             (layout.semanticMaskPath(index), image.semanticMask)] {
            try AtomicFile.write(data, to: layout.url(path))
            files.append(FileEntry(path: path, data: data))
        }
        return RecordLog.ImageRecords(index: index, image: image.record, annotations: image.annotations,
                                      files: files, report: image.report, values: image.values)
    }

    /// One image made in memory: its encoded files and its records.
    struct RenderedImage: Sendable {
        /// The RGB image in the run's format, the instance mask and the semantic mask (PNG).
        var image: Data, instanceMask: Data, semanticMask: Data
        /// The COCO `images` record's JSON text.
        var record: [UInt8]
        /// The COCO annotations' JSON text, each with the record log's placeholder `id`.
        var annotations: [[UInt8]]
        var report: SampleReport
        /// The `values` object's JSON text (the script's `record`s).
        var values: [UInt8]
    }

    /// What ``renderImage(_:)`` made of an index.
    enum MadeImage: Sendable {
        case rendered(RenderedImage)
        /// Every attempt was rejected under ``ExhaustedPolicy/skip``: what sampling took.
        case skipped(SampleReport)
    }

    /// Samples, renders and labels image `index` without writing anything.
    /// - Throws: `DatasetError.script` (with position), `.render` naming the index.
    func renderImage(_ index: Int) throws -> MadeImage {
        let sample: Sample
        var backdropDepth: Int?
        do {
            if let clip = options.clip {
                let plan = try plans.value(of: index / clip.frames) {
                    try program.planClip(seed: options.seed, clip: index / clip.frames, settings: clip) { RasterFacts(scene: $0) }
                }
                sample = try program.sampleFrame(seed: options.seed, clip: index / clip.frames, frame: index % clip.frames,
                                                 settings: clip, plan: plan)
                backdropDepth = plan.backdropDepth
            } else {
                sample = try program.sampleMeasured(seed: options.seed, index: index, focus: options.focus)
            }
        } catch let error as ScriptError {
            throw DatasetError.script(error.rendered())
        } catch let error as DatasetError {
            throw error
        } catch let exhausted as ExhaustedAttempts {
            switch options.onExhausted {
            case .fail: throw DatasetError.script(exhausted.error.rendered())
            case .skip: return .skipped(exhausted.report)
            }
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
        let scene = sample.scene
        let rendered: RenderedScene
        let annotations: [COCOAnnotation]
        let labels: ImageLabels
        let imageID = index + 1
        do {
            // Every frame of the clip has this backdrop (the plan compared them), drawn once.
            let backdrop = try backdropDepth.map { depth in
                try backdrops.value(of: index / options.clip!.frames) { try SceneRenderer.backdrop(of: scene, depth: depth) }
            }
            (rendered, labels) = try ImageLabels.render(sample, over: backdrop)
            annotations = try labels.annotations(imageID: imageID, filter: options.visibility, segmentation: options.segmentation)
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
        // A clip's frame says which clip (1-based, as COCO ids are) and which frame (0-based).
        // Tracks present but not annotated (hidden, or filtered out) are listed for the formats
        // that keep them (MOTChallenge ground truth).
        let video: [JSONMember]?
        do {
            video = try options.clip.map { clip in
                let unannotated = try labels.unannotatedTracks(annotated: annotations)
                return [JSONMember("video_id", .int(index / clip.frames + 1)), JSONMember("frame_id", .int(index % clip.frames))]
                    + (unannotated.isEmpty ? [] : [JSONMember("unannotated_tracks", .array(unannotated))])
            }
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
        do {
            let image = COCOImage(id: imageID, fileName: layout.imageFileName(index), width: scene.width, height: scene.height,
                                  extra: video ?? [])
            return .rendered(RenderedImage(
                image: try encodeImage(rendered), instanceMask: try labels.instanceMaskPNG(settings: options.png),
                semanticMask: try labels.semanticMaskPNG(annotations: annotations, settings: options.png),
                record: image.jsonBytes, annotations: annotations.map(\.jsonBytes), report: sample.report,
                values: scene.records.json.jsonBytes))
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
    }
}

/// Values made once per clip and shared by the threads that make its frames: each clip's
/// plan (``SceneScript/SceneProgram/planClip(seed:clip:settings:measuring:)`` samples every
/// frame) and its backdrop (``Rendering/Backdrop``). A value is a pure function of the clip, so
/// which thread makes it, and whether an evicted one is made again, never changes the output.
final class PerClipCache<Value>: @unchecked Sendable {
    /// One clip's value, made under its own lock so that other clips' are made meanwhile.
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var value: Result<Value, any Error>?
    }

    private let lock = NSLock()
    private var entries: [Int: Entry] = [:]
    /// Values kept: frames in flight span a few clips (the pipeline's window), so the oldest
    /// clip's is dropped beyond this; one dropped too early is simply made again.
    private var capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Keeps at most `capacity` clips' values from now on (at least 1).
    func limit(to capacity: Int) { lock.withLock { self.capacity = max(1, capacity) } }

    /// The value of clip `clip`, made by `make` the first time it is asked for.
    /// - Throws: what `make` threw (remembered, so every frame of the clip fails alike).
    func value(of clip: Int, make: () throws -> Value) throws -> Value {
        let entry: Entry = lock.withLock {
            if let known = entries[clip] { return known }
            let fresh = Entry()
            entries[clip] = fresh
            while entries.count > capacity, let oldest = entries.keys.min() { entries[oldest] = nil }
            return fresh
        }
        return try entry.lock.withLock {
            if entry.value == nil { entry.value = Result { try make() } }
            return try entry.value!.get()
        }
    }
}
