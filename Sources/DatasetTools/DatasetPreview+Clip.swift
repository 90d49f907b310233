import Annotation
import Dataset
import DatasetReading
public import Foundation
import Rendering

/// Previews of one clip of a dataset of clips (`tessera preview --clip N`): a contact sheet of
/// its frames, and an animated PNG of all of them. Each annotation is coloured by its track
/// and labelled `#TRACK NAME`, so an object keeps its colour and number from frame to frame.
extension DatasetPreview {
    /// Which frames of which clip.
    public struct ClipSelection: Sendable, Equatable {
        /// The clip's index, from 0, as in its folder name (`images/000003/` is clip 3); its
        /// `video_id` is `clip + 1`.
        public var clip: Int
        /// The sheet shows frames 0, step, 2·step, …; nil: ⌈frames / count⌉, so that at most
        /// `--count` frames cover the whole clip.
        public var step: Int?

        public init(clip: Int, step: Int? = nil) {
            self.clip = clip
            self.step = step
        }

        /// Checks the selection.
        /// - Throws: `DatasetError.usage` naming the flag.
        public func validate() throws {
            guard clip >= 0 else { throw DatasetError.usage("--clip must be 0 or more (a clip's index, as in images/CCCCCC/), got \(clip)") }
            if let step, step < 1 { throw DatasetError.usage("--step must be at least 1, got \(step)") }
        }
    }

    /// Draws a contact sheet of frames of one clip (see ``ClipSelection``), in frame order,
    /// and writes it to `output` as a PNG, atomically. Captions read
    /// `clip C · frame F · T s · K inst.`.
    /// - Returns: The number of frames drawn.
    /// - Throws: as ``write(_:to:options:)``, and `DatasetError.usage` when the dataset is not
    ///   one of clips or has no frame of the clip.
    /// - Complexity: one pass over the instances files up to the clip; memory holds the
    ///   annotations of the drawn frames, the sheet and one frame.
    @discardableResult
    public static func writeClipSheet(_ root: URL, clip selection: ClipSelection, to output: URL, options: Options = .init()) throws -> Int {
        try options.validate()
        try selection.validate()
        try requireFolder(root)
        try checkOutput(output, dataset: root, product: "the contact sheet")
        let (reader, settings) = try clipDataset(root, option: "--clip")
        let step = selection.step ?? max(1, (settings.frames + options.count - 1) / options.count)
        let frames = try clipFrames(reader, clip: selection.clip, limit: options.count) { $0 % step == 0 }
        let png = try sheetPNG(frames.images, frames, root: root, layout: try options.layout(imageCount: frames.images.count),
                               caption: { clipCaption($0, selection.clip, frames, fps: settings.fps) },
                               showsLabels: options.showsLabels)
        try AtomicFile.write(png, to: output, creatingFolders: false)
        return frames.images.count
    }

    /// The file formats of an animated preview.
    public enum AnimationFormat: Sendable {
        /// An animated PNG (`AnimatedPNG`): lossless; readers without APNG support show frame 0.
        case apng
        /// A GIF89a (`AnimatedGIF`): every program shows it; colours quantised to the labels'
        /// flat colours and a 6 × 6 × 6 cube (at most 25 off per channel elsewhere).
        case gif

        /// The format a file name asks for: `.gif` a GIF, `.png` or `.apng` an APNG; `nil` otherwise.
        public init?(fileName: String) {
            switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
            case "gif": self = .gif
            case "png", "apng": self = .apng
            default: return nil
            }
        }
    }

    /// Writes every frame of one clip, labels drawn as on the contact sheet, as an animation in
    /// `format` to `output`, atomically: each frame one `tileSize` tile with its caption (an
    /// 8-pixel margin; `tileSize + 16` × `tileSize + 34` pixels), shown `1 / fps` seconds (the
    /// manifest's `clip.fps`; a GIF rounds each frame's start to the hundredth of a second),
    /// looping forever. `showsLabels: false` draws the pictures alone, as on a sheet.
    /// - Returns: The number of frames.
    /// - Throws: as ``writeClipSheet(_:clip:to:options:)``, and `DatasetError.invalidDataset`
    ///   when the clip lacks a frame the manifest's `clip.frames` promises.
    /// - Complexity: memory holds the clip's annotations and one frame; the file is streamed.
    @discardableResult
    public static func writeAnimation(_ root: URL, clip selection: ClipSelection, to output: URL, tileSize: Int = 256,
                                      format: AnimationFormat = .apng, showsLabels: Bool = true) throws -> Int {
        try Options(tileSize: tileSize).validate()
        try selection.validate()
        try requireFolder(root)
        try checkOutput(output, dataset: root, product: "the animation", option: "--animate")
        let (reader, settings) = try clipDataset(root, option: "--animate")
        let frames = try clipFrames(reader, clip: selection.clip, limit: settings.frames) { _ in true }
        let found = frames.images.map { $0.frameID ?? -1 }
        guard found == Array(0..<settings.frames) else {
            let missing = Set(0..<settings.frames).subtracting(found).min() ?? settings.frames
            throw DatasetError.invalidDataset("\(root.path): clip \(selection.clip) has \(found.count) frames, frame \(missing) missing; manifest.json says clips of \(settings.frames)")
        }
        let layout = ContactSheet.Layout(columns: 1, tileSize: tileSize)
        let file = try PartialFile(output)
        do {
            let size = layout.sheetSize(tileCount: 1)
            let apng = format == .apng ? AnimatedPNG(frameCount: frames.images.count, delay: .init(fps: settings.fps), sink: file.write) : nil
            let gif = format == .gif
                ? AnimatedGIF(width: size.width, height: size.height, fps: settings.fps,
                              palette: .init(exact: ContactSheet.flatColors), sink: file.write)
                : nil
            for image in frames.images {
                let sheet = try ContactSheet(tileCount: 1, layout: layout)
                try sheet.draw(try tile(image, frames, root: root, caption: clipCaption(image, selection.clip, frames, fps: settings.fps),
                                        showsLabels: showsLabels), at: 0)
                try apng?.append(png: try PNG.encode(sheet.surface, settings: .init(level: 6, fastFilter: false)))
                try gif?.append(sheet.surface)
            }
            try apng?.finish()
            try gif?.finish()
        } catch {
            file.discard()
            throw error
        }
        try file.commit()
        return frames.images.count
    }

    /// The reader of a dataset of clips and its clip settings.
    /// - Parameter option: the command-line option that asked for a clip, named in the error.
    /// - Throws: `DatasetError.usage` when manifest.json declares no clip.
    private static func clipDataset(_ root: URL, option: String) throws -> (DatasetReader, DatasetManifest.Clip) {
        let reader = try DatasetError.reading { try DatasetReader(root) }
        guard let settings = try DatasetError.reading({ try reader.manifest() }).clip else {
            throw DatasetError.usage("\(option) previews a dataset of clips; \(root.path)/manifest.json declares no clip (its images are stills: preview them without \(option))")
        }
        return (reader, settings)
    }

    /// The frames of clip `clip` whose `frame_id` passes `isWanted`, at most `limit`, in frame
    /// order. A clip's frames lie together in one instances file, so reading stops at the
    /// first image of another clip after them.
    /// - Throws: `DatasetError.usage` when the dataset has no frame of the clip.
    private static func clipFrames(_ reader: DatasetReader, clip: Int, limit: Int, isWanted: @escaping (Int) -> Bool) throws -> Selection {
        var taken = 0, seen = false
        var selection = try DatasetError.reading {
            try Selection(reader) { image in
                guard image.videoID == clip + 1, let frame = image.frameID else { return seen ? .stop : .skip }
                seen = true
                guard isWanted(frame) else { return .skip }
                taken += 1
                return taken >= limit ? .takeAndStop : .take
            }
        }
        guard !selection.images.isEmpty else {
            throw DatasetError.usage("--clip \(clip): \(reader.root.path) has no frame of clip \(clip) (video_id \(clip + 1))")
        }
        selection.images.sort { ($0.frameID ?? 0, $0.id) < ($1.frameID ?? 0, $1.id) }
        return selection
    }

    /// `clip C · frame F · T s · K inst.`, T the frame's time `F / fps` to 2 decimals.
    private static func clipCaption(_ image: COCOFile.Image, _ clip: Int, _ selection: Selection, fps: Double) -> String {
        let frame = image.frameID ?? 0
        return "clip \(clip) · frame \(frame) · \(String(format: "%.2f", Double(frame) / fps)) s · \(selection.annotations[image.id]?.count ?? 0) inst."
    }
}
