import Annotation
import Dataset
import DatasetReading
import Foundation

/// What the video exports share: the clip of each frame, from the image's `video_id` and
/// `frame_id` (docs/FORMATS.md, *Video*), and the frames of one clip arriving together.
private func clipFrame(_ item: ExportItem, format: String) throws -> (video: Int, frame: Int) {
    guard let video = item.image.videoID, let frame = item.image.frameID, video >= 1, frame >= 0 else {
        throw DatasetError.invalidDataset("image \(item.image.id) (\(item.image.fileName)) has no video_id and frame_id: --format \(format) exports datasets of clips (a scene with 'clip frames: N, fps: F', or render --frames N --fps F)")
    }
    return (video, frame)
}

/// A clip's folder name: its 0-based index, 6 digits (more past a million clips).
private func clipName(_ video: Int) -> String {
    let s = String(video - 1)
    return String(repeating: "0", count: max(0, 6 - s.count)) + s
}

/// MOTChallenge ground truth, one sequence per clip, as the MOT16/17/20 benchmarks and
/// `motmetrics` / TrackEval read it (docs/FORMATS.md, *Video*):
///
/// ```
/// CCCCCC/seqinfo.ini        [Sequence] name, imDir, frameRate, seqLength, imWidth, imHeight, imExt
/// CCCCCC/img1/FFFFFF.png    the clip's frames, 1-based (hard-linked, copied across file systems)
/// CCCCCC/gt/gt.txt          frame,id,bb_left,bb_top,bb_width,bb_height,conf,class,visibility
/// ```
///
/// One line per track placed in the frame inside the canvas, as MOT17/MOT20 annotate every
/// person in view, occluded ones included: the frame's annotations and its
/// `unannotated_tracks` (hidden, or left out by the visibility filter). Frame 1-based, id =
/// `track_id`, the **amodal** box (MOT's full-extent box; ours clipped to the canvas), conf 1
/// (MOT's "consider" flag: every line counts in evaluation), class = the COCO `category_id`,
/// visibility = `visible_fraction` (0 for a hidden object). Lines are in frame order, then
/// track id.
struct MOTWriter: ExportWriter {
    private var folder: ExportFolder!
    private let fps: Double
    private var clip: Int?
    private var lines: FileHandle?
    private var frameCount = 0
    private var size = (width: 0, height: 0)
    private var imageExtension = ".png"
    private let manifest: DatasetManifest

    init(manifest: DatasetManifest) {
        self.manifest = manifest
        fps = manifest.clip?.fps ?? 0
    }

    /// The frame as an 8-bit file when the dataset's is 16-bit.
    func preparation() -> @Sendable (ExportItem) throws -> Data? {
        { [manifest] item in try item.eightBitImage(manifest) }
    }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
    }

    mutating func write(_ item: ExportItem, _ image: Data?) throws {
        let (video, frame) = try clipFrame(item, format: "mot")
        if video != clip {
            try finishClip()
            clip = video
            let url = folder.url("\(clipName(video))/gt/gt.txt")
            try folder.createFolder(url.deletingLastPathComponent())
            guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
                throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno)))
            }
            (lines, frameCount, size) = (handle, 0, (item.image.width, item.image.height))
        }
        frameCount = max(frameCount, frame + 1)
        imageExtension = "." + item.imageURL.pathExtension
        let number = String(frame + 1)
        try folder.placeImage(item, converted: image, at: "\(clipName(video))/img1/\(String(repeating: "0", count: max(0, 6 - number.count)) + number)\(imageExtension)")
        var rows: [(track: Int, text: String)] = []
        func row(_ track: Int, _ box: [Int], _ category: Int, _ visibility: Double) {
            rows.append((track, "\(frame + 1),\(track),\(box.map(String.init).joined(separator: ",")),1,\(category),\(formatted(visibility))\n"))
        }
        for annotation in item.annotations {
            guard let track = annotation.trackID else {
                throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(item.image.id) has no track_id")
            }
            let amodal = annotation.amodalBBox ?? annotation.bbox
            guard case let box = amodal.compactMap({ Int(exactly: $0) }), box.count == 4, amodal.count == 4 else {
                throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(item.image.id): amodal_bbox \(amodal) is not [x, y, w, h] in whole pixels")
            }
            row(track, box, annotation.categoryID, annotation.visibleFraction ?? 1)
        }
        for hidden in item.image.unannotatedTracks ?? [] {
            guard hidden.amodalBBox.count == 4 else {
                throw DatasetError.invalidDataset("image \(item.image.id): unannotated track \(hidden.trackID) has amodal_bbox \(hidden.amodalBBox), not [x, y, w, h]")
            }
            row(hidden.trackID, hidden.amodalBBox, hidden.categoryID, hidden.visibleFraction)
        }
        let tracks = rows.map(\.track)
        guard Set(tracks).count == tracks.count else {
            throw DatasetError.invalidDataset("image \(item.image.id): a track is listed twice among its annotations and unannotated_tracks")
        }
        lines?.write(Data(rows.sorted { $0.track < $1.track }.map(\.text).joined().utf8))
    }

    mutating func finish() throws { try finishClip() }

    /// Closes the clip's `gt.txt` and writes its `seqinfo.ini`.
    private mutating func finishClip() throws {
        guard let clip, let lines else { return }
        try lines.close()
        let name = clipName(clip)
        let info = "[Sequence]\nname=\(name)\nimDir=img1\nframeRate=\(formatted(fps))\nseqLength=\(frameCount)\n"
            + "imWidth=\(size.width)\nimHeight=\(size.height)\nimExt=\(imageExtension)\n"
        try folder.write(Array(info.utf8), to: "\(name)/seqinfo.ini")
        self.lines = nil
    }

    /// A number as Swift's shortest round-trip text, whole numbers without `.0`.
    private func formatted(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// YouTube-VIS (Yang et al., *Video Instance Segmentation*, ICCV 2019; the layout of its
/// 2019/2021 releases), as its `ytvos` API and pycocotools-based loaders read it:
///
/// ```
/// JPEGImages/CCCCCC/FFFFFF.png   the frames (hard-linked; the folder name is the format's)
/// <split>.json                    {"info", "categories", "videos", "annotations"}
/// ```
///
/// `videos`: `id` (the clip's `video_id`), `width`, `height`, `length`, `file_names` (relative
/// to `JPEGImages/`, in frame order). `annotations`: one per track of a clip with at least one
/// visible frame, in order of clip, then track id: `id`, `video_id`, `category_id`, `iscrowd`
/// 0, `track_id`, and per frame (`null` where the track has no annotation) `segmentations`
/// (COCO compressed RLE of the visible mask), `bboxes`, `areas`, plus the occlusion facts
/// `visible_fractions`, `in_frame_fractions`, `amodal_areas` and `occluders` (each frame's
/// list of `{"mask_id", "pixels"}`). A clip is assembled in memory (its tracks × frames), then
/// streamed out.
struct YouTubeVISWriter: ExportWriter {
    /// One track of the clip being assembled: its annotation per frame.
    private struct Track {
        var categoryID: Int
        var frames: [JSONValue?]
    }

    private var folder: ExportFolder!
    private var categories: [COCOFile.Category] = []
    private var clip: Int?
    private var clipSize = (width: 0, height: 0)
    private var fileNames: [String] = []
    private var tracks: [Int: Track] = [:]
    /// The open JSON file of each split, streamed a clip at a time; `videos` and `annotations`
    /// are spilled to two files per split and joined at the end.
    private var annotationsOut: [String: FileHandle] = [:]
    private var videosOut: [String: FileHandle] = [:]
    private var hasEntries: [String: (videos: Bool, annotations: Bool)] = [:]
    private var split = ""
    private var splits: [String] = []
    private var nextAnnotationID = 1
    private let manifest: DatasetManifest

    init(manifest: DatasetManifest) { self.manifest = manifest }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
        self.categories = categories
        self.splits = splits
        for split in splits {
            annotationsOut[split] = try open(".\(split).annotations.spill")
            videosOut[split] = try open(".\(split).videos.spill")
            hasEntries[split] = (false, false)
        }
    }

    private func open(_ path: String) throws -> FileHandle {
        let url = folder.url(path)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
        return handle
    }

    /// Each annotation's facts, its visible mask re-encoded as RLE from the instance mask:
    /// exact whatever the dataset's `--segmentation`; and the frame as an 8-bit file when
    /// the dataset's is 16-bit.
    func preparation() -> @Sendable (ExportItem) throws -> (facts: [JSONValue], image: Data?) {
        { [manifest] item in
            let mask = item.annotations.isEmpty ? nil : try item.instanceMask()
            let facts = try item.annotations.map { annotation in
                guard annotation.trackID != nil, let id = annotation.instanceID, let mask else {
                    throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(item.image.id) has no track_id or mask_id")
                }
                let rle = RLE(encoding: UInt16(id), in: mask.raster.pixels, width: mask.raster.width, height: mask.raster.height,
                              within: mask.box(of: id))
                return JSONValue.object([
                    JSONMember("segmentation", .object([JSONMember("size", .array(rle.size.map { .int($0) })),
                                                        JSONMember("counts", .string(rle.compressedCounts))])),
                    JSONMember("bbox", .array(annotation.bbox.map { .double($0) })),
                    JSONMember("area", .int(annotation.area)),
                    JSONMember("visible_fraction", annotation.visibleFraction.map { .double($0) } ?? .null),
                    JSONMember("in_frame_fraction", annotation.inFrameFraction.map { .double($0) } ?? .null),
                    JSONMember("amodal_area", annotation.amodalArea.map { .int($0) } ?? .null),
                    JSONMember("occluders", .array((annotation.occluders ?? []).map {
                        .object([JSONMember("mask_id", .int($0.instanceID)), JSONMember("pixels", .int($0.pixels))])
                    })),
                ])
            }
            return (facts, try item.eightBitImage(manifest))
        }
    }

    mutating func write(_ item: ExportItem, _ prepared: (facts: [JSONValue], image: Data?)) throws {
        let (video, frame) = try clipFrame(item, format: "youtube-vis")
        if video != clip || item.split != split {
            try finishClip()
            (clip, split, clipSize, fileNames, tracks) = (video, item.split, (item.image.width, item.image.height), [], [:])
        }
        guard frame == fileNames.count else {
            throw DatasetError.invalidDataset("image \(item.image.id) is frame \(frame) of clip \(video), expected frame \(fileNames.count): a clip's frames must all be in the dataset, in order")
        }
        fileNames.append(item.image.fileName)
        try folder.placeImage(item, converted: prepared.image, at: "JPEGImages/\(item.image.fileName)")
        for (annotation, facts) in zip(item.annotations, prepared.facts) {
            // The preparation has checked that every annotation has a track_id.
            let trackID = annotation.trackID ?? 0
            var track = tracks[trackID] ?? Track(categoryID: annotation.categoryID, frames: [])
            guard track.categoryID == annotation.categoryID else {
                throw DatasetError.invalidDataset("annotation \(annotation.id): track \(trackID) of clip \(video) changes its category")
            }
            track.frames += [JSONValue?](repeating: nil, count: frame - track.frames.count)
            guard track.frames.count == frame else {
                throw DatasetError.invalidDataset("annotation \(annotation.id): track \(trackID) is annotated twice in image \(item.image.id)")
            }
            track.frames.append(facts)
            tracks[trackID] = track
        }
    }

    mutating func finish() throws {
        try finishClip()
        for split in splits {
            try annotationsOut[split]!.close()
            try videosOut[split]!.close()
            var bytes: [UInt8] = []
            JSONValue.object([JSONMember("description", .string("Tessera dataset exported as YouTube-VIS"))]).appendJSON(to: &bytes)
            var head = Array("{\"info\":".utf8) + bytes + Array(",\"categories\":".utf8)
            JSONValue.array(categories.map {
                .object([JSONMember("id", .int($0.id)), JSONMember("name", .string($0.name)),
                         JSONMember("supercategory", .string($0.supercategory ?? ""))])
            }).appendJSON(to: &head)
            head += Array(",\"videos\":[".utf8)
            var whole = Data(head)
            whole.append(try Data(contentsOf: folder.url(".\(split).videos.spill")))
            whole.append(Data("],\"annotations\":[".utf8))
            whole.append(try Data(contentsOf: folder.url(".\(split).annotations.spill")))
            whole.append(Data("]}\n".utf8))
            try folder.write([UInt8](whole), to: "\(split).json")
            try? FileManager.default.removeItem(at: folder.url(".\(split).videos.spill"))
            try? FileManager.default.removeItem(at: folder.url(".\(split).annotations.spill"))
        }
    }

    /// Writes the finished clip's `videos` entry and its tracks' annotations.
    private mutating func finishClip() throws {
        guard let clip else { return }
        let length = fileNames.count
        var video: [UInt8] = hasEntries[split]!.videos ? [UInt8(ascii: ",")] : []
        JSONValue.object([
            JSONMember("id", .int(clip)), JSONMember("width", .int(clipSize.width)), JSONMember("height", .int(clipSize.height)),
            JSONMember("length", .int(length)), JSONMember("file_names", .array(fileNames.map { .string($0) })),
        ]).appendJSON(to: &video)
        videosOut[split]!.write(Data(video))
        hasEntries[split]!.videos = true
        for trackID in tracks.keys.sorted() {
            let track = tracks[trackID]!
            let frames = track.frames + [JSONValue?](repeating: nil, count: length - track.frames.count)
            func series(_ key: String) -> JSONValue {
                .array(frames.map { frame in
                    guard case let .object(members)? = frame else { return .null }
                    return members.first { $0.key == key }!.value
                })
            }
            var bytes: [UInt8] = hasEntries[split]!.annotations ? [UInt8(ascii: ",")] : []
            JSONValue.object([
                JSONMember("id", .int(nextAnnotationID)), JSONMember("video_id", .int(clip)),
                JSONMember("category_id", .int(track.categoryID)), JSONMember("iscrowd", .int(0)),
                JSONMember("track_id", .int(trackID)), JSONMember("width", .int(clipSize.width)),
                JSONMember("height", .int(clipSize.height)), JSONMember("length", .int(1)),
                JSONMember("segmentations", series("segmentation")), JSONMember("bboxes", series("bbox")),
                JSONMember("areas", series("area")), JSONMember("visible_fractions", series("visible_fraction")),
                JSONMember("in_frame_fractions", series("in_frame_fraction")), JSONMember("amodal_areas", series("amodal_area")),
                JSONMember("occluders", series("occluders")),
            ]).appendJSON(to: &bytes)
            annotationsOut[split]!.write(Data(bytes))
            hasEntries[split]!.annotations = true
            nextAnnotationID += 1
        }
        self.clip = nil
    }
}
