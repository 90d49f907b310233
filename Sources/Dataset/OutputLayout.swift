public import Foundation
import DatasetReading

/// Where each file of a dataset lives, relative to the output folder:
///
/// ```
/// images/000000.png            RGB image (000000.jpg with `--image-format jpeg`)
/// masks/instance_ids/000000.png  16-bit instance ids, the annotations' `mask_id` (0 = background or unlabeled)
/// masks/semantic/000000.png    category ids (0 = background, 255 = ignore), 8-bit (16-bit past 254 categories)
/// annotations/instances_<split>.json   COCO instances, one file per split
/// classes.json                 the class map: every category, things and stuff, with its colour
/// manifest.json                provenance and per-file hashes
/// shard.records                a shard's record log, for `tessera merge` (shards only)
/// ```
public struct OutputLayout: Sendable {
    public let root: URL
    /// Digits in file stems: 6, or more when the run has a million images or more.
    public let digits: Int
    /// The format of the RGB images, which sets their file extension.
    public let imageFormat: ImageFormat

    public static let manifestFile = DatasetFiles.manifest
    /// The class map (`ClassMap`).
    public static let classesFile = DatasetFiles.classes
    /// One line per written image: its attempts, recorded values and parameters (see `RecordsFile`).
    public static let recordsFile = DatasetFiles.records
    /// The record log while a run is in progress (see `RecordLog`).
    static let recordLogFile = ".tessera-records.partial"
    /// Marks a folder a `tessera merge` is writing, until it has finished (see `MergeMarker`).
    static let mergeMarkerFile = ".tessera-merge"
    /// A finished shard's record log, which `tessera merge` reads.
    public static let shardRecordsFile = DatasetFiles.shardRecords
    /// The folders that hold per-image files.
    public static let imageFolders = DatasetFiles.imageFolders
    /// Where an `--overwrite` render keeps the dataset it replaces until it has finished, so
    /// a run that fails can put it back (see ``setAsideDatasetFiles()``).
    static let previousDatasetFolder = ".tessera-previous"

    /// Frames per clip for a run of clips, else `nil`. Frame *f* of clip *c* is image
    /// `c · framesPerClip + f`, filed as `CCCCCC/FFFFFF` (clip folder, then frame; 6 digits
    /// each, more for the clips of a run with a million clips or more).
    public let framesPerClip: Int?

    /// - Parameter imageCount: the run's images, or its clips when `framesPerClip` is given.
    public init(root: URL, imageCount: Int, imageFormat: ImageFormat = .png, framesPerClip: Int? = nil) {
        self.root = root
        self.digits = max(6, String(max(0, imageCount - 1)).count)
        self.imageFormat = imageFormat
        self.framesPerClip = framesPerClip
    }

    func stem(_ index: Int) -> String {
        func padded(_ n: Int, _ digits: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        guard let frames = framesPerClip else { return padded(index, digits) }
        return padded(index / frames, digits) + "/" + padded(index % frames, 6)
    }

    /// The COCO `file_name` of image `index`: relative to `images/`.
    public func imageFileName(_ index: Int) -> String { "\(stem(index)).\(imageFormat.fileExtension)" }
    public func imagePath(_ index: Int) -> String { DatasetFiles.image(imageFileName(index)) }
    public func instanceMaskPath(_ index: Int) -> String { "\(DatasetFiles.instanceMasksFolder)/\(stem(index)).png" }
    public func semanticMaskPath(_ index: Int) -> String { "\(DatasetFiles.semanticMasksFolder)/\(stem(index)).png" }

    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether `name` is a per-image file name Tessera writes: digits, then `.png` or `.jpg`.
    public static func isNumberedImageFile(_ name: String) -> Bool {
        let stem = name.dropLast(4)
        let isImageFile = ImageFormat.allCases.contains { name.hasSuffix("." + $0.fileExtension) }
        return isImageFile && !stem.isEmpty && stem.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Whether `path` names a file in one of the image folders, without leaving them
    /// (no `..`, not absolute): the only per-image paths a record log may hold.
    static func isImageFilePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return imageFolders.contains { path.hasPrefix($0 + "/") }
            && !parts.contains("..") && !parts.contains(".") && !parts.contains("")
    }

    /// Takes the output folder's write lock (`flock` on `.tessera.lock`, created with the
    /// folder if missing), so two processes never write one dataset at once. Held until the
    /// returned lock is released.
    /// - Throws: `DatasetError.usage` when another process holds it; `DatasetError.io`.
    func lock() throws -> OutputLock {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw DatasetError.io(path: root.path, reason: "exists and is not a folder")
        }
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: root.path, reason: AtomicFile.reason(error))
        }
        let path = url(".tessera.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DatasetError.io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw DatasetError.usage("another tessera process is writing into '\(root.path)'; wait for it or choose another --out")
        }
        return OutputLock(descriptor: descriptor, path: path)
    }

    /// Prepares the output folder: creates it, or, when it already holds anything but
    /// dot-files, requires `overwrite` and then removes the dataset entries in it (other
    /// files are left alone). `overwrite` replaces only what a Tessera run wrote: a file at
    /// one of Tessera's output paths that no run in the folder accounts for
    /// (``firstForeignFile()``) is refused before anything moves.
    /// - Throws: `DatasetError.outputNotEmpty`, `DatasetError.usage` naming a foreign file, or
    ///   `DatasetError.io` naming the path.
    /// - Parameters:
    ///   - resumable: whether the refusal may suggest `--resume` (render, not merge).
    ///   - settingAside: move the dataset files into ``previousDatasetFolder`` instead of
    ///     removing them (``setAsideDatasetFiles()``).
    func prepare(overwrite: Bool, resumable: Bool = true, settingAside: Bool = false) throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw DatasetError.io(path: root.path, reason: "exists and is not a folder")
            }
            let entries: [String]
            do { entries = try fm.contentsOfDirectory(atPath: root.path) } catch {
                throw DatasetError.io(path: root.path, reason: AtomicFile.reason(error))
            }
            // A dataset set aside by an --overwrite run that was cut short counts as content.
            if entries.contains(where: { !$0.hasPrefix(".") || $0 == Self.previousDatasetFolder }) {
                guard overwrite else { throw DatasetError.outputNotEmpty(path: root.path, resumable: resumable) }
                if let foreign = firstForeignFile() {
                    throw DatasetError.usage("--overwrite replaces only what a Tessera run wrote, and '\(url(foreign).path)' is "
                        + "not a file of a Tessera run (no manifest.json or record log in '\(root.path)' lists it); nothing was "
                        + "removed\nhelp: move your own files out of '\(root.path)', or choose another --out")
                }
                if settingAside { try setAsideDatasetFiles() } else { try removeDatasetFiles() }
            }
        }
        try createFolders()
    }

    /// Removes the image folders where they are empty (deepest first), so a folder a failed
    /// job created counts as empty again.
    func removeEmptyFolders() {
        for folder in Self.imageFolders {
            for clip in Self.clipFolders(in: url(folder)) {
                let path = url(folder + "/" + clip).path
                if (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true {
                    try? FileManager.default.removeItem(atPath: path)
                }
            }
        }
        for folder in Self.imageFolders + ["masks", DatasetFiles.annotationsFolder] {
            let path = url(folder).path
            if (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Whether the output folder is missing or holds nothing but dot-files (a dataset set
    /// aside in ``previousDatasetFolder`` is not nothing).
    var isEmpty: Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return true }
        return entries.allSatisfy { $0.hasPrefix(".") && $0 != Self.previousDatasetFolder }
    }

    /// Creates the output folder and its image folders where missing.
    func createFolders() throws {
        for folder in Self.imageFolders + [DatasetFiles.annotationsFolder] {
            do { try FileManager.default.createDirectory(at: url(folder), withIntermediateDirectories: true) } catch {
                throw DatasetError.io(path: url(folder).path, reason: AtomicFile.reason(error))
            }
        }
    }

    /// The files a Tessera run writes, by path relative to the output folder:
    /// `annotations/instances_*.json`, `records.jsonl`, `manifest.json`, `shard.records`, the record log, numbered PNGs and
    /// JPEGs in the image folders, and hidden partial or spill files (`isScratch`: a half
    /// written file, never worth keeping). Regular files only: a user's folder that happens
    /// to bear a dataset file's name is not one.
    private func datasetFiles() -> [(path: String, isScratch: Bool)] {
        let fm = FileManager.default
        var files: [(path: String, isScratch: Bool)] = []
        let clipFolders = Self.imageFolders.flatMap { folder in Self.clipFolders(in: url(folder)).map { folder + "/" + $0 } }
        for folder in [""] + Self.imageFolders + clipFolders + [DatasetFiles.annotationsFolder] {
            let folderURL = folder.isEmpty ? root : url(folder)
            guard let names = try? fm.contentsOfDirectory(atPath: folderURL.path) else { continue }
            for name in names.sorted() {
                let path = folder.isEmpty ? name : folder + "/" + name
                let isOwned: Bool, isScratch: Bool
                if name == Self.recordLogFile && folder.isEmpty {
                    (isOwned, isScratch) = (true, false)
                } else if name.hasPrefix(".") && (name.hasSuffix(".partial") || name.hasSuffix(".spill")) {
                    (isOwned, isScratch) = (true, true)
                } else if folder == DatasetFiles.annotationsFolder {
                    (isOwned, isScratch) = (DatasetFiles.split(ofAnnotationsFile: name) != nil, false)
                } else if !folder.isEmpty {
                    (isOwned, isScratch) = (Self.isNumberedImageFile(name), false)
                } else {
                    (isOwned, isScratch) = ([Self.recordsFile, Self.classesFile, Self.manifestFile, Self.shardRecordsFile].contains(name), false)
                }
                guard isOwned, (try? fm.attributesOfItem(atPath: url(path).path)[.type]) as? FileAttributeType == .typeRegular
                else { continue }
                files.append((path, isScratch))
            }
        }
        return files
    }

    /// The first file at one of Tessera's output paths (``datasetFiles()``, hidden partial
    /// files aside) that no Tessera run in the folder wrote, or `nil`. A run's files are what its
    /// `manifest.json` lists, and the manifest itself; for a run without a manifest yet (killed,
    /// or a shard), its record log (`.tessera-records.partial` or `shard.records`), the files of
    /// every image its header names (written or in flight), its splits' instances files,
    /// `records.jsonl` and `classes.json`. A dataset set aside in ``previousDatasetFolder``
    /// accounts for the same paths, so a move cut short is still joined up.
    func firstForeignFile() -> String? {
        let candidates = datasetFiles().filter { !$0.isScratch }.map(\.path)
        var unaccounted = Set(candidates)
        for folder in [root, url(Self.previousDatasetFolder)] where !unaccounted.isEmpty {
            Self.removeFiles(ofRunIn: folder, from: &unaccounted)
        }
        return candidates.first { unaccounted.contains($0) }
    }

    /// Removes from `paths` (relative to the output folder) the files of the Tessera run
    /// whose manifest or record log is in `folder` (see ``firstForeignFile()``).
    private static func removeFiles(ofRunIn folder: URL, from paths: inout Set<String>) {
        if let data = try? Data(contentsOf: folder.appendingPathComponent(manifestFile)),
           Manifest.head(in: data)?["tool"] as? String == "tessera", let files = Manifest.files(in: data) {
            paths.remove(manifestFile)
            for file in files { if let path = file["path"] as? String { paths.remove(path) } }
        }
        for logFile in [recordLogFile, shardRecordsFile] {
            guard let header = try? RecordLogReader(url: folder.appendingPathComponent(logFile)).header else { continue }
            let head = (try? JSONSerialization.jsonObject(with: Data(header.manifestHead))) as? [String: Any]
            let format = ((head?["options"] as? [String: Any])?["image_format"] as? String).flatMap(ImageFormat.init(rawValue:))
            let frames = header.framesPerClip
            let run = OutputLayout(root: folder, imageCount: frames.map { header.count / $0 } ?? header.count,
                                   imageFormat: format ?? .png, framesPerClip: frames)
            paths.remove(logFile)
            paths.subtract(header.split.names.map(DatasetFiles.annotations(split:)) + [recordsFile, classesFile])
            paths = paths.filter { path in run.imageIndex(ofFile: path).map { !header.images.contains($0) } ?? true }
        }
    }

    /// The index of the image whose file (picture, instance or semantic mask) this layout puts
    /// at `path`, relative to the output folder; `nil` when no image's file is there.
    func imageIndex(ofFile path: String) -> Int? {
        guard let folder = Self.imageFolders.first(where: { path.hasPrefix($0 + "/") }),
              let dot = path.lastIndex(of: ".") else { return nil }
        let numbers = path[path.index(path.startIndex, offsetBy: folder.count + 1)..<dot].split(separator: "/").map { Int($0) }
        let index: Int
        switch (framesPerClip, numbers.count) {
        case (nil, 1):
            guard let n = numbers[0] else { return nil }
            index = n
        case let (frames?, 2):
            guard let clip = numbers[0], let frame = numbers[1], clip >= 0, frame >= 0, frame < frames,
                  clip <= (Int.max - frame) / frames else { return nil }
            index = clip * frames + frame
        default: return nil
        }
        guard index >= 0, [imagePath(index), instanceMaskPath(index), semanticMaskPath(index)].contains(path) else { return nil }
        return index
    }

    /// The clip folders (names of digits only) directly in `folder`, sorted.
    public static func clipFolders(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { name in
            !name.isEmpty && name.allSatisfy { $0.isASCII && $0.isNumber }
                && (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.type]) as? FileAttributeType == .typeDirectory
        }.sorted()
    }

    /// Removes the files a Tessera run writes (see `datasetFiles`) and nothing else, so a
    /// user's own files in the output folder survive `--overwrite`.
    func removeDatasetFiles() throws {
        for file in datasetFiles() {
            do { try FileManager.default.removeItem(at: url(file.path)) } catch {
                throw DatasetError.io(path: url(file.path).path, reason: AtomicFile.reason(error))
            }
        }
    }

    /// The file in ``previousDatasetFolder`` that says every file of the set-aside dataset is
    /// in it. Without it the folder is a move that was cut short, in either direction.
    private static let previousCompleteMarker = ".complete"

    /// Moves the dataset files into ``previousDatasetFolder`` at the same relative paths
    /// (scratch files are removed), so that a replacing run that fails can put the dataset
    /// back (``restorePreviousDataset()``) and one that finishes drops it
    /// (``discardPreviousDataset()``). A marker file written last says the move is whole.
    ///
    /// When that folder is already there, an earlier replacing run was cut short:
    /// - marker missing (a move was killed half-way, setting aside or putting back): every
    ///   dataset file in the output folder belongs to that one dataset, so the move is
    ///   finished into the folder;
    /// - marker present and no `manifest.json` here: the files here are the killed run's
    ///   unfinished ones and are removed; the whole dataset stays aside;
    /// - marker present and a `manifest.json` here: a run finished after it (and was killed
    ///   before dropping the old one), so the old one is dropped and this one set aside.
    /// - Throws: `DatasetError.io`; a move that fails part-way is undone first.
    func setAsideDatasetFiles() throws {
        let fm = FileManager.default
        let previous = url(Self.previousDatasetFolder)
        let marker = previous.appendingPathComponent(Self.previousCompleteMarker)
        if fm.fileExists(atPath: previous.path) {
            if !fm.fileExists(atPath: marker.path) {
                do { try moveDatasetFiles(into: previous) } catch let failure as MoveFailure { throw failure.error }
                try writeMarker(marker)
                return
            }
            if !fm.fileExists(atPath: url(Self.manifestFile).path) {
                try removeDatasetFiles()
                return
            }
            discardPreviousDataset()
        }
        // Undo a move that fails: put back what was moved, so the dataset stays where it was.
        func putBack(_ moved: [String]) {
            for path in moved { try? fm.moveItem(at: previous.appendingPathComponent(path), to: url(path)) }
            discardPreviousDataset()
        }
        let moved: [String]
        do { moved = try moveDatasetFiles(into: previous) } catch let failure as MoveFailure {
            putBack(failure.moved)
            throw failure.error
        }
        // No dataset here (only files of the user's elsewhere in the folder): nothing to keep.
        if moved.isEmpty { return }
        do { try writeMarker(marker) } catch {
            putBack(moved)
            throw error
        }
    }

    /// Moves every dataset file (scratch files are removed) into `folder` at the same
    /// relative path, never over a file already there.
    /// - Returns: the relative paths moved, in order.
    @discardableResult
    private func moveDatasetFiles(into folder: URL) throws -> [String] {
        let fm = FileManager.default
        var moved: [String] = []
        for file in datasetFiles() {
            let source = url(file.path)
            do {
                if file.isScratch {
                    try fm.removeItem(at: source)
                    continue
                }
                let target = folder.appendingPathComponent(file.path)
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.moveItem(at: source, to: target)
                moved.append(file.path)
            } catch {
                throw MoveFailure(error: DatasetError.io(path: source.path, reason: AtomicFile.reason(error)), moved: moved)
            }
        }
        return moved
    }

    private func writeMarker(_ marker: URL) throws {
        guard FileManager.default.createFile(atPath: marker.path, contents: Data()) else {
            throw DatasetError.io(path: marker.path, reason: "cannot create this file")
        }
    }

    /// Whether a whole dataset set aside by ``setAsideDatasetFiles()`` is waiting in the folder.
    var hasPreviousDataset: Bool {
        FileManager.default.fileExists(atPath: url(Self.previousDatasetFolder).appendingPathComponent(Self.previousCompleteMarker).path)
    }

    /// Removes the current dataset files and moves the set-aside dataset back in their place.
    /// The marker goes first, so a kill half-way leaves a move that the next
    /// ``setAsideDatasetFiles()`` recognises and finishes.
    func restorePreviousDataset() throws {
        let fm = FileManager.default
        let previous = url(Self.previousDatasetFolder)
        try removeDatasetFiles()
        try? fm.removeItem(at: previous.appendingPathComponent(Self.previousCompleteMarker))
        guard let enumerator = fm.enumerator(at: previous, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        let prefix = previous.standardizedFileURL.path + "/"
        for case let file as URL in enumerator where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let relative = String(file.standardizedFileURL.path.dropFirst(prefix.count))
            let target = url(relative)
            do {
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.moveItem(at: file, to: target)
            } catch {
                throw DatasetError.io(path: target.path, reason: AtomicFile.reason(error))
            }
        }
        discardPreviousDataset()
    }

    /// Where ``discardPreviousDataset()`` renames ``previousDatasetFolder`` before deleting it.
    static let discardedDatasetFolder = ".tessera-previous.discarded"

    /// Removes ``previousDatasetFolder`` and what is left in it. It is renamed first (one
    /// atomic step) and then deleted, so a kill half-way through the deletion leaves a folder
    /// no run reads (and the next discard removes), never a half-deleted dataset that would
    /// look like a move cut short.
    func discardPreviousDataset() {
        let fm = FileManager.default
        let (previous, discarded) = (url(Self.previousDatasetFolder), url(Self.discardedDatasetFolder))
        try? fm.removeItem(at: discarded)
        guard fm.fileExists(atPath: previous.path) else { return }
        if (try? fm.moveItem(at: previous, to: discarded)) != nil {
            try? fm.removeItem(at: discarded)
        } else {
            try? fm.removeItem(at: previous)
        }
    }
}

/// A move of dataset files that failed part-way: the error, and what had been moved.
private struct MoveFailure: Error {
    let error: DatasetError
    let moved: [String]
}

/// - Throws: `DatasetError.missingInput` unless `url` is an existing folder.
public func requireFolder(_ url: URL) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
        throw DatasetError.missingInput(path: url.path)
    }
    guard isFolder.boolValue else { throw DatasetError.usage("'\(url.path)' is a file, not a dataset folder") }
}

/// A held output-folder lock (see `OutputLayout.lock`); released, and its file removed, when
/// the value is released.
final class OutputLock {
    private let descriptor: Int32
    private let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        unlink(path)
        close(descriptor)
    }
}

extension OutputLayout {
    /// How a count of the pipeline's images reads to a user: "12 images", or for a run of
    /// clips (whose images are frames) "2 clips of 24 frames (48 frames)".
    public static func describe(images: Int, framesPerClip: Int?) -> String {
        guard let frames = framesPerClip, frames > 0 else { return "\(images) image\(images == 1 ? "" : "s")" }
        let clips = images / frames
        return "\(clips) clip\(clips == 1 ? "" : "s") of \(frames) frame\(frames == 1 ? "" : "s") (\(images) frame\(images == 1 ? "" : "s"))"
    }
}
