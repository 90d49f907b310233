import Foundation

/// Joins finished shards (`tessera render --shard K/N`) into one dataset, byte-identical to
/// the dataset a single run would have written.
///
/// Every shard must hold `manifest.json` (it finished) and `shard.records` (its record log).
/// Their runs must be the same — scene, seed, count, options and tool version, compared
/// through the record logs' headers — and their image ranges must tile `0 ..< count` without
/// gap or overlap, in any argument order. Each image's files are copied after checking their
/// size and SHA-256 against the records; the instances files and `manifest.json` are then
/// assembled from the logs, as a single run assembles them.
///
/// A dataset of chosen images (`render --indices`) is not a shard and is refused: it keeps no
/// record log, and its index set, not a slice of the run, is its identity. The union of such
/// sets is made by rendering `--indices` with the union (each image is the same bytes).
public enum DatasetMerger {
    /// What a merge did.
    public struct Summary: Sendable, Equatable {
        public var shards: Int
        /// Images in the merged dataset.
        public var images: Int
        /// Images the shards left out (``ExhaustedPolicy/skip``).
        public var skipped: Int
        public var annotations: Int
    }

    /// Merges `shards` into `output`.
    /// - Parameter overwrite: replace a dataset already in `output` (otherwise it must be empty).
    /// - Throws: `DatasetError.invalidDataset` naming the shard that is unfinished, from
    ///   another run, overlapping or missing images, or whose file does not match its
    ///   record (the files already copied are removed again); `DatasetError.outputNotEmpty`; `DatasetError.io` naming the path.
    public static func merge(shards: [URL], into output: URL, overwrite: Bool) throws -> Summary {
        let run = try checkedRun(shards)
        let (readers, order) = (run.readers, run.order)
        // Symbolic links resolved: `--out` may be a link to a shard.
        let target = output.standardizedFileURL.resolvingSymlinksInPath().path
        for shard in shards {
            let source = shard.standardizedFileURL.resolvingSymlinksInPath().path
            guard target != source, !target.hasPrefix(source + "/"), !source.hasPrefix(target + "/") else {
                throw DatasetError.usage("--out '\(output.path)' is or contains the shard '\(shard.path)'; merge into a folder of its own")
            }
        }
        let layout = OutputLayout(root: output, imageCount: run.clips, framesPerClip: run.framesPerClip)
        let lock = try layout.lock()
        defer { withExtendedLifetime(lock) {} }
        // What this merge is: the record logs it joins, in image order. The same shards make
        // the same bytes, so a folder marked with it holds this very merge, cut short.
        let marker = MergeMarker(url: layout.url(OutputLayout.mergeMarkerFile), identity: run.identity)
        // This very merge, cut short: its partial files go first (no manifest or record log
        // lists them, so `--overwrite` would take them for the user's).
        if marker.isPresent {
            try layout.removeDatasetFiles()
            layout.removeEmptyFolders()
        }
        // Marked before the first folder is made, so that no kill leaves anything unmarked.
        let marks = overwrite || layout.isEmpty
        if marks { try marker.write() }
        // --overwrite sets the old dataset aside; it comes back if the merge fails.
        do { try layout.prepare(overwrite: overwrite, resumable: false, settingAside: true) } catch {
            if marks { marker.remove() }
            throw error
        }
        let replacing = layout.hasPreviousDataset
        let ordered = order.map { readers[$0] }
        var shardOfReader: [ObjectIdentifier: URL] = [:]
        for i in order { shardOfReader[ObjectIdentifier(readers[i])] = shards[i] }
        do {
            let assembled = try DatasetAssembler.assemble(ordered, into: layout, manifestExtra: [],
                                                            beforeManifestEnds: { _ in }) { records, reader in
                for file in records.files {
                    try copy(file, from: shardOfReader[ObjectIdentifier(reader)]!, to: layout)
                }
            }
            layout.discardPreviousDataset()
            marker.remove()
            return Summary(shards: shards.count, images: assembled.acceptance.images, skipped: assembled.acceptance.skipped.count,
                           annotations: assembled.annotations)
        } catch {
            // A refused merge leaves no half dataset behind: the same command can run again,
            // and a replaced dataset is back.
            if replacing, (try? layout.restorePreviousDataset()) != nil {
                layout.removeEmptyFolders()
                marker.remove()
                throw DatasetError.appendingNote(to: error, "nothing was replaced: the dataset that was in '\(output.path)' is back in place")
            }
            try? layout.removeDatasetFiles()
            layout.removeEmptyFolders()
            marker.remove()
            throw error
        }
    }

    /// The shards of one run, checked for a merge: finished, of the same run, tiling its
    /// images without gap or overlap, each record log the one its manifest lists.
    private struct Run {
        var readers: [RecordLogReader]
        /// Indices of `readers` in image order.
        var order: [Int]
        /// Each reader's record log SHA-256, hex.
        var logDigests: [String]
        var clips: Int
        var framesPerClip: Int?
        /// What a merge of these shards is (``MergeMarker/identity``): one line per shard in
        /// image order, its image range and its record log's SHA-256.
        var identity: String { order.map { "\(readers[$0].header.images.span) \(logDigests[$0])\n" }.joined() }
    }

    /// - Throws: as ``merge(shards:into:overwrite:)`` for shards that cannot be merged.
    private static func checkedRun(_ shards: [URL]) throws -> Run {
        guard !shards.isEmpty else { throw DatasetError.usage("merge needs at least one shard folder") }
        let fm = FileManager.default
        var readers: [RecordLogReader] = []
        for shard in shards {
            try requireFolder(shard)
            if let data = try? Data(contentsOf: shard.appendingPathComponent(OutputLayout.manifestFile)),
               let indices = Manifest.head(in: data)?["indices"] as? String {
                throw DatasetError.invalidDataset("'\(shard.path)' holds chosen images (render --indices \(indices)), not a shard: merge joins the shards of one run (render --shard K/N)\nhelp: to get several index sets in one dataset, render --indices with their union (e.g. --indices 0-9,40-59): every image is the same bytes as in the full run")
            }
            let records = shard.appendingPathComponent(OutputLayout.shardRecordsFile)
            guard fm.fileExists(atPath: shard.appendingPathComponent(OutputLayout.manifestFile).path),
                  fm.fileExists(atPath: records.path) else {
                throw DatasetError.invalidDataset("'\(shard.path)' is not a finished shard: it needs \(OutputLayout.manifestFile) and \(OutputLayout.shardRecordsFile) (render it with --shard K/N; resume it with --resume if it was interrupted)")
            }
            readers.append(try RecordLogReader(url: records))
        }
        let first = readers[0]
        for (reader, shard) in zip(readers, shards).dropFirst() where reader.header.manifestHead != first.header.manifestHead
            || reader.header.parameters != first.header.parameters || reader.header.info != first.header.info || reader.header.categories != first.header.categories
            || reader.header.classes != first.header.classes
            || reader.header.requirements != first.header.requirements {
            let difference = reader.header.difference(from: first.header, labels: ("in '\(shard.path)'", "in '\(shards[0].path)'"),
                                                        includingRange: false)
            throw DatasetError.invalidDataset("shards of different runs cannot be merged: \(difference)")
        }
        let (clips, framesPerClip) = try runSize(first.header)
        let count = clips * (framesPerClip ?? 1)
        let order = readers.indices.sorted { readers[$0].header.images.span.lowerBound < readers[$1].header.images.span.lowerBound }
        var covered = 0
        for (position, i) in order.enumerated() {
            let range = readers[i].header.images.span
            if range.lowerBound < covered {
                let other = shards[order[position - 1]].path
                throw DatasetError.invalidDataset("shards '\(other)' and '\(shards[i].path)' overlap: both hold image \(range.lowerBound)")
            }
            if range.lowerBound > covered {
                throw DatasetError.invalidDataset("no shard holds images \(covered)..<\(range.lowerBound) (of \(count)); merge needs every shard of the run")
            }
            covered = range.upperBound
        }
        guard covered == count else {
            throw DatasetError.invalidDataset("no shard holds images \(covered)..<\(count) (of \(count)); merge needs every shard of the run")
        }

        var logDigests: [String] = []
        for (reader, shard) in zip(readers, shards) { logDigests.append(try checkRecords(reader.url, of: shard)) }
        return Run(readers: readers, order: order, logDigests: logDigests, clips: clips, framesPerClip: framesPerClip)
    }

    /// The mark a merge of `shards` into `output` writes before its first file: what a merge
    /// cut short leaves, for tests that stand in for a kill.
    /// - Throws: as ``merge(shards:into:overwrite:)`` for shards that cannot be merged.
    static func marker(for shards: [URL], into output: URL) throws -> MergeMarker {
        MergeMarker(url: output.appendingPathComponent(OutputLayout.mergeMarkerFile), identity: try checkedRun(shards).identity)
    }

    /// A shard's record log must be the one its manifest lists (size and SHA-256): the log
    /// is what the merged dataset is assembled from.
    /// - Returns: the log's SHA-256, hex.
    private static func checkRecords(_ records: URL, of shard: URL) throws -> String {
        let manifest = shard.appendingPathComponent(OutputLayout.manifestFile)
        guard let data = try? Data(contentsOf: manifest), let files = Manifest.files(in: data),
              let listed = files.first(where: { $0["path"] as? String == OutputLayout.shardRecordsFile }),
              let bytes = listed["bytes"] as? Int, let sha256 = listed["sha256"] as? String else {
            throw DatasetError.invalidDataset("\(manifest.path) does not list \(OutputLayout.shardRecordsFile)")
        }
        guard let actual = try? FileEntry(path: OutputLayout.shardRecordsFile, contentsOf: records),
              actual.bytes == bytes, actual.sha256 == sha256 else {
            throw DatasetError.invalidDataset("\(records.path) does not match the size and SHA-256 its manifest records: the shard was changed after it was rendered")
        }
        return sha256
    }

    /// The run's `count` (images, or clips) and, for clips, the frames per clip, from the
    /// manifest head.
    private static func runSize(_ header: RecordLog.Header) throws -> (count: Int, framesPerClip: Int?) {
        let head = try? JSONSerialization.jsonObject(with: Data(header.manifestHead)) as? [String: Any]
        guard let count = head?["count"] as? Int else {
            throw DatasetError.invalidDataset("a shard's record log has no image count in its header")
        }
        guard let clip = head?["clip"] else { return (count, nil) }
        guard let frames = (clip as? [String: Any])?["frames"] as? Int, frames >= 1 else {
            throw DatasetError.invalidDataset("a shard's record log has a clip without its frames in its header")
        }
        return (count, frames)
    }

    private static func copy(_ file: FileEntry, from shard: URL, to layout: OutputLayout) throws {
        let source = shard.appendingPathComponent(file.path)
        let data: Data
        do { data = try Data(contentsOf: source) } catch {
            throw DatasetError.io(path: source.path, reason: AtomicFile.reason(error))
        }
        guard data.count == file.bytes, sha256Hex(data) == file.sha256 else {
            throw DatasetError.invalidDataset("'\(source.path)' does not match its record (\(file.bytes) bytes, SHA-256 \(file.sha256)): the shard was changed after it was rendered")
        }
        try AtomicFile.write(data, to: layout.url(file.path))
    }
}

/// The mark of a merge in progress (``OutputLayout/mergeMarkerFile``): which record logs it
/// joins. A merge that was cut short (killed, pre-empted) leaves it beside its partial files;
/// running the same merge again finds its own mark, removes those files and starts over,
/// with or without `--overwrite`. A folder marked by another merge, or holding anything else, is
/// still refused.
struct MergeMarker {
    let url: URL
    /// One line per shard in image order: its image range and its record log's SHA-256.
    let identity: String

    /// Whether the folder holds this merge's mark.
    var isPresent: Bool {
        (try? Data(contentsOf: url)) == Data(("tessera merge\n" + identity).utf8)
    }

    func write() throws {
        try AtomicFile.write(Data(("tessera merge\n" + identity).utf8), to: url)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
