public import Foundation
public import Rendering
public import SceneScript

/// Everything a render run needs besides the scene program.
public struct RenderOptions: Sendable {
    /// The run's size: images 0 ..< count, of which `shard` or `indices` may pick some. It
    /// also sets the digits of file names (``OutputLayout``), so a subset's files are named
    /// as the whole run's are.
    public var count: Int
    /// The run's seed; image i's generator derives from (seed, i) only.
    public var seed: UInt64
    /// The output folder.
    public var output: URL
    /// Worker threads (≥ 1). Never changes a byte of output.
    public var jobs: Int
    /// PNG encoder settings for masks, and for images when `imageFormat` is `.png`.
    public var png: PNG.Settings
    /// The file format of `images/` (`--image-format`); masks are always PNG.
    public var imageFormat: ImageFormat
    /// JPEG quality, 1…100 (`--jpeg-quality`), used when `imageFormat` is `.jpeg`.
    public var jpegQuality: Int
    /// Replace the dataset already in `output`.
    public var overwrite: Bool
    /// Continue the interrupted run in `output` (see `DatasetRenderer.run`).
    public var resume: Bool
    /// Which visible instances get an annotation.
    public var visibility: VisibilityFilter
    /// How each annotation's `segmentation` is written.
    public var segmentation: SegmentationFormat
    /// Render only this slice of `0 ..< count` (see `Shard`); `nil` renders all.
    public var shard: Shard?
    /// What happens to an image whose every sampling attempt its requirements rejected.
    public var onExhausted: ExhaustedPolicy
    /// Render only these images of `0 ..< count` (`--indices`); `nil` renders all (or the
    /// shard's slice). Excludes `shard`. Part of the run's identity: it is in the manifest.
    public var indices: ImageIndices?
    /// How the images are divided into splits (`--split`), one instances file each. Part of
    /// the run's identity: it is in the manifest.
    public var split: SplitPlan
    /// Frames and rate when the run makes clips (the script's `clip`, or `--frames`/`--fps`),
    /// `nil` for still images. With clips, `count`, `shard` and `indices` count clips, and
    /// frame *f* of clip *c* is item `c · frames + f` of the pipeline (``images``).
    public var clip: ClipSettings?
    /// Re-weights which sampled images the run keeps (`--focus FILE`, see ``FocusFile``);
    /// `nil` keeps the scene's own distribution. Part of the run's identity: the manifest
    /// records the file as `options.focus`.
    public var focus: FocusSampler?

    public init(count: Int, seed: UInt64, output: URL, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                png: PNG.Settings = .init(), imageFormat: ImageFormat = .png, jpegQuality: Int = 90, overwrite: Bool = false, resume: Bool = false,
                visibility: VisibilityFilter = .init(), segmentation: SegmentationFormat = .rle, shard: Shard? = nil,
                onExhausted: ExhaustedPolicy = .fail, indices: ImageIndices? = nil, split: SplitPlan = .single,
                clip: ClipSettings? = nil) {
        self.clip = clip
        self.count = count
        self.seed = seed
        self.output = output
        self.jobs = jobs
        self.png = png
        self.imageFormat = imageFormat
        self.jpegQuality = jpegQuality
        self.overwrite = overwrite
        self.resume = resume
        self.visibility = visibility
        self.shard = shard
        self.segmentation = segmentation
        self.onExhausted = onExhausted
        self.indices = indices
        self.split = split
    }

    /// The image indices this run renders: `indices`, the shard's slice, or all of `0 ..< count`.
    public var images: ImageIndices {
        let samples = indices ?? ImageIndices(shard?.range(of: count) ?? 0..<count)
        guard let frames = clip?.frames else { return samples }
        // Whole clips: a shard or an index set never splits one.
        return ImageIndices(ranges: samples.ranges.map { $0.lowerBound * frames ..< $0.upperBound * frames })
    }

    /// Images the whole run makes: `count`, or `count × frames` for clips.
    public var itemCount: Int { count * (clip?.frames ?? 1) }

    /// The most images one run may render (split larger datasets into runs with `--seed`).
    public static let maximumCount = 100_000_000

    /// Checks the options, naming the offending flag.
    /// - Throws: `DatasetError.usage`.
    public func validate() throws {
        guard (0...Self.maximumCount).contains(count) else {
            throw DatasetError.usage("--count must be 0…\(Self.maximumCount), got \(count)")
        }
        guard !(resume && overwrite) else {
            throw DatasetError.usage("--resume and --overwrite exclude each other: --resume continues the run in the folder, --overwrite replaces it")
        }
        try shard?.validate(source: "--shard")
        if let indices {
            guard shard == nil else {
                throw DatasetError.usage("--indices and --shard exclude each other: --indices names the images to render, --shard a slice of them all; split an index set by giving each job its own --indices")
            }
            guard !indices.isEmpty else { throw DatasetError.usage("--indices: the list of images is empty") }
            guard indices.span.upperBound <= count else {
                let held = count == 0 ? "no images" : "images 0…\(count - 1)"
                throw DatasetError.usage("--indices: image \(indices.span.upperBound - 1) is not in the run (--count \(count) holds \(held)); --count is the size of the whole run the indices are taken from: pass the full run's --count")
            }
        }
        if let clip {
            guard ClipSettings.frameLimit.contains(clip.frames) else {
                throw DatasetError.usage("--frames must be \(ClipSettings.frameLimit.lowerBound)…\(ClipSettings.frameLimit.upperBound), got \(clip.frames)")
            }
            guard clip.fps.isFinite, clip.fps > 0, clip.fps <= ClipSettings.rateLimit else {
                throw DatasetError.usage("--fps must be greater than 0 and at most \(Int(ClipSettings.rateLimit)), got \(clip.fps)")
            }
            guard count * clip.frames <= Self.maximumCount else {
                throw DatasetError.usage("--count \(count) clips of \(clip.frames) frames make \(count * clip.frames) images; a run may make at most \(Self.maximumCount) (split it into runs with --seed)")
            }
        }
        if let focus, clip != nil {
            throw DatasetError.usage("--focus \(focus.path): this run makes clips; a focus re-weights still images only")
        }
        guard jobs >= 1 else { throw DatasetError.usage("--jobs must be at least 1, got \(jobs)") }
        guard (0...9).contains(png.level) else { throw DatasetError.usage("--png-level must be 0…9, got \(png.level)") }
        guard JPEG.qualities.contains(jpegQuality) else {
            throw DatasetError.usage("--jpeg-quality must be \(JPEG.qualities.lowerBound)…\(JPEG.qualities.upperBound), got \(jpegQuality)")
        }
        guard visibility.minimumPixels >= 1 else {
            throw DatasetError.usage("--min-visible-pixels must be at least 1, got \(visibility.minimumPixels)")
        }
        guard visibility.minimumFraction.isFinite, (0...1).contains(visibility.minimumFraction) else {
            throw DatasetError.usage("--min-visible-fraction must be in 0…1, got \(visibility.minimumFraction)")
        }
    }
}

/// Which instances get an annotation. An instance left out keeps its pixels in the
/// instance and semantic masks (they show what the image shows); only its COCO record is
/// omitted.
public struct VisibilityFilter: Sendable, Equatable {
    /// Least visible pixels (≥ 1: an instance with no visible pixel never gets an annotation).
    public var minimumPixels: Int
    /// Least `visible_fraction` (`area / amodal_area`), 0…1.
    public var minimumFraction: Double

    public init(minimumPixels: Int = 1, minimumFraction: Double = 0) {
        self.minimumPixels = minimumPixels
        self.minimumFraction = minimumFraction
    }
}

/// The file format of the RGB images (`--image-format`).
public enum ImageFormat: String, Sendable, CaseIterable {
    /// 8-bit RGB PNG, lossless (`PNG.encode`).
    case png
    /// Baseline 8-bit JPEG at `RenderOptions.jpegQuality` (`JPEG.encode`); lossy, so pixel
    /// values differ slightly from the PNG of the same image, but masks and labels do not.
    case jpeg

    /// The file name extension: `png` or `jpg`.
    public var fileExtension: String { self == .png ? "png" : "jpg" }
}

/// What a run does with an image whose every sampling attempt was rejected by the scene's
/// requirements (``SceneScript/ExhaustedAttempts``). Part of the run's identity: it decides
/// which images a dataset holds.
public enum ExhaustedPolicy: String, Sendable, CaseIterable {
    /// The run stops with the located script error (the images finished before it stay, as an
    /// unfinished run).
    case fail
    /// The image is left out: it has no files and no `images` entry; the other images keep
    /// their ids and file names, and `manifest.json` lists it under `acceptance.skipped_images`.
    case skip
}

/// How an annotation's visible mask is written in `segmentation` (`--segmentation`).
/// `amodal_segmentation` is RLE either way.
public enum SegmentationFormat: String, Sendable, CaseIterable {
    /// COCO compressed RLE, exact for every mask.
    case rle
    /// One polygon per 4-connected part, in pixel-edge coordinates; a mask with a hole stays
    /// RLE (see ``Annotation/PixelPolygon/outlines(within:isSet:)``).
    case polygon
}

/// What a finished run reports.
public struct RenderSummary: Sendable, Equatable {
    /// Images of the run's set (the whole dataset, the shard's slice, or the `indices`).
    public var images: Int
    /// Images made at once: `RenderOptions.jobs`, or fewer when that many images of this
    /// canvas would not fit in memory (``MemoryBudget``). Never changes the output.
    public var jobs: Int = 1
    /// Images rendered by this invocation (fewer than `images` when resumed).
    public var rendered: Int
    /// Annotations in the finished the instances files; `nil` when a resumed run found the
    /// dataset already complete and wrote nothing.
    public var annotations: Int?
    /// What sampling the run's images took (as in `manifest.json`), over the whole range,
    /// also the images a resumed run found done; `nil` when it found the dataset complete.
    public var acceptance: AcceptanceReport?
    public var seconds: Double
    /// Frames per clip for a run of clips (then `images` and `rendered` count frames), else `nil`.
    public var framesPerClip: Int? = nil
}

/// How far a run is, as ``DatasetRenderer/run(progress:)`` reports it.
public struct RenderProgress: Sendable, Equatable {
    /// Images of the run's set that are done (written or left out), including those a
    /// resumed run found done.
    public var done: Int
    /// Images written by this invocation.
    public var accepted = 0
    /// Sampling attempts drawn by this invocation, for the images it finished.
    public var attempts = 0

    public init(done: Int, accepted: Int = 0, attempts: Int = 0) {
        self.done = done
        self.accepted = accepted
        self.attempts = attempts
    }

    /// `accepted / attempts` of this invocation; `nil` before its first image.
    public var acceptanceRate: Double? { attempts > 0 ? Double(accepted) / Double(attempts) : nil }
}

/// How many images of a canvas can be made at once without running out of memory.
public enum MemoryBudget {
    /// Working memory one image needs per canvas pixel, in bytes: the picture and the
    /// instance raster (4 + 4), the id raster and the mask rasters (2 + 2 + 1), and margin
    /// for effects and encoding. Measured: 219 MB peak for one 4096 × 4096 image with noise
    /// (13 bytes per pixel); effects other than noise widen the picture to 12 bytes per pixel.
    public static let bytesPerPixel = 24

    /// `requested`, lowered so that that many images of `pixels` each take at most half of
    /// `memory` bytes (at `bytesPerPixel` each, e.g. more for a clip's frame, which keeps a
    /// backdrop); at least 1.
    public static func jobs(requested: Int, pixels: Int, memory: UInt64, bytesPerPixel: Int = bytesPerPixel) -> Int {
        let perImage = UInt64(max(1, pixels)) * UInt64(bytesPerPixel)
        return max(1, min(requested, Int(min(UInt64(Int.max), memory / 2 / perImage))))
    }

    /// The memory this process may use, in bytes: the machine's physical memory, or a
    /// smaller cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`) limit, as in a container.
    public static var available: UInt64 {
        var limit = ProcessInfo.processInfo.physicalMemory
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0 {
                limit = min(limit, value)
            }
        }
        return limit
    }
}
