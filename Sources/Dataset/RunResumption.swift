import Foundation

/// How `--resume` picks up the run in an output folder.
///
/// - An interrupted run (its record log is there): the log's header must match this run
///   exactly (scene, seed, count, index set, options, version, shard); the images whose
///   records are complete and whose files are all present with their recorded sizes are
///   kept, and rendering continues from the first image that is not. A torn tail is dropped.
/// - A finished dataset of this very run: nothing to do.
/// - A missing or empty folder: a fresh start (so a scheduler can always pass `--resume`).
/// - Anything else is refused, naming the folder.
enum RunResumption {
    enum Outcome {
        /// The dataset is already complete.
        case complete
        /// Append to `writer`; the first `done` images of the run's set are complete, so
        /// rendering goes on from `header.images[done]`.
        case continuing(RecordLogWriter, done: Int)
    }

    static func open(layout: OutputLayout, header: RecordLog.Header, shard: Shard?) throws -> Outcome {
        let fm = FileManager.default
        let log = layout.url(OutputLayout.recordLogFile)
        let shardRecords = layout.url(OutputLayout.shardRecordsFile)
        let manifest = layout.url(OutputLayout.manifestFile)
        if fm.fileExists(atPath: log.path) {
            return try continueRun(log: log, layout: layout, header: header)
        }
        if fm.fileExists(atPath: manifest.path) {
            try checkFinished(manifest: manifest, header: header, root: layout.root)
            try checkFilesPresent(manifest: manifest, layout: layout)
            return .complete
        }
        if shard != nil, fm.fileExists(atPath: shardRecords.path) {
            // Killed after the shard's log got its final name, before the manifest.
            try AtomicFile.moveReplacing(shardRecords, to: log)
            return try continueRun(log: log, layout: layout, header: header)
        }
        guard layout.isEmpty else {
            throw DatasetError.usage("cannot resume in '\(layout.root.path)': it holds no interrupted Tessera run (no record log \(OutputLayout.recordLogFile))\nhelp: pass --overwrite to replace what is there, or choose another --out")
        }
        try layout.createFolders()
        return .continuing(try RecordLogWriter(creating: log, header: header), done: 0)
    }

    private static func continueRun(log: URL, layout: OutputLayout, header: RecordLog.Header) throws -> Outcome {
        let reader = try RecordLogReader(url: log)
        guard reader.header == header else {
            throw DatasetError.usage("cannot resume in '\(layout.root.path)': the interrupted run there differs from this one (\(reader.header.difference(from: header)))\nhelp: repeat the original command with --resume, or pass --overwrite to start again")
        }
        var done = 0
        var keep = reader.completeLength
        while done < header.images.count, let records = try reader.next() {
            guard records.index == header.images[done], records.files.allSatisfy({ isPresent($0, in: layout) }) else { break }
            done += 1
            keep = reader.completeLength
        }
        try layout.createFolders()
        return .continuing(try RecordLogWriter(appendingTo: log, keeping: keep), done: done)
    }

    private static func isPresent(_ file: FileEntry, in layout: OutputLayout) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: layout.url(file.path).path)
        return (attributes?[.size] as? NSNumber)?.intValue == file.bytes
    }

    /// Every file a finished dataset's manifest lists is there with its recorded size (the
    /// hashes are `tessera validate`'s job).
    private static func checkFilesPresent(manifest: URL, layout: OutputLayout) throws {
        guard let data = try? Data(contentsOf: manifest), let files = Manifest.files(in: data) else { return }
        for file in files {
            guard let path = file["path"] as? String, let bytes = file["bytes"] as? Int else { continue }
            guard isPresent(FileEntry(path: path, bytes: bytes, sha256: ""), in: layout) else {
                throw DatasetError.invalidDataset("the finished dataset in '\(layout.root.path)' is damaged: \(path) is missing or changed\nhelp: run tessera validate on it, or pass --overwrite to render it again")
            }
        }
    }

    /// A finished dataset's manifest starts with this run's head (up to its closing brace).
    private static func checkFinished(manifest: URL, header: RecordLog.Header, root: URL) throws {
        let prefix = header.manifestHead.dropLast()
        let handle = try? FileHandle(forReadingFrom: manifest)
        defer { try? handle?.close() }
        let start = (try? handle?.read(upToCount: prefix.count + 1)) ?? nil
        guard let start, start.count == prefix.count + 1, start.starts(with: prefix),
              start.last == UInt8(ascii: ",") else {
            // Name what differs, from the finished manifest's head (read whole only here).
            var difference = "scene, media files, seed, count, options or version differ"
            if let data = try? Data(contentsOf: manifest) {
                let found = RecordLog.Header(manifestHead: Manifest.headBytes(in: data), images: header.images, count: header.count, split: header.split, parameters: [], info: [], categories: [], classes: [], requirements: [])
                difference = found.difference(from: header, includingRange: false)
            }
            throw DatasetError.usage("cannot resume in '\(root.path)': it holds a finished dataset of another run (\(difference))\nhelp: pass --overwrite to replace it, or choose another --out")
        }
    }
}
