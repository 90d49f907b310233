import Annotation
import Dataset
import DatasetReading
import Foundation

/// WebDataset tar shards (docs/FORMATS.md, "WebDataset"), as the `webdataset` library and
/// its indexed reader `wids` read them:
///
/// ```
/// <split>-000000.tar …   samples in index order, `samplesPerShard` a shard (the last fewer)
/// <split>.json           the wids shard index (only for a split with images): {"__kind__":"wids-shard-index-v1", …, "shardlist":[{"url","nsamples"}]}
/// ```
///
/// Each image is one sample (``WebDatasetSample``): the image, both masks and a JSON of its
/// COCO records and `records.jsonl` line, byte-identical to what `tessera render … --out -`
/// streams for the same image. A shard is written straight to its staged file a sample at a
/// time, so memory holds the samples in flight (a few per worker thread).
struct WebDatasetWriter: ExportWriter {
    let samplesPerShard: Int
    private var folder: ExportFolder!
    /// Per split: shards finished (name, samples), and the open one.
    private var shards: [String: [(name: String, samples: Int)]] = [:]
    private var open: (split: String, handle: FileHandle, name: String, samples: Int)?
    private var splits: [String] = []

    init(samplesPerShard: Int) { self.samplesPerShard = samplesPerShard }

    var carriesRecords: Bool { true }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
        self.splits = splits
    }

    /// The sample's tar entries: reading the three files and framing them.
    func preparation() -> @Sendable (ExportItem) throws -> [UInt8] {
        { item in
            guard let text = item.text, let record = item.recordText else {
                throw DatasetError.invalidDataset("image \(item.image.id) has no records.jsonl line, which a WebDataset sample carries")
            }
            var sample: [UInt8] = []
            WebDatasetSample.append(imageFileName: item.imageFileName, image: try item.bytes(of: item.imageURL),
                                    instanceMask: try item.bytes(of: item.instanceMaskURL),
                                    semanticMask: try item.bytes(of: item.semanticMaskURL),
                                    json: WebDatasetSample.json(image: text.image, record: record, annotations: text.annotations),
                                    to: &sample)
            return sample
        }
    }

    mutating func write(_ item: ExportItem, _ sample: [UInt8]) throws {
        if let current = open, current.split != item.split || current.samples == samplesPerShard { try closeShard() }
        if open == nil { try openShard(split: item.split) }
        try append(sample)
        open!.samples += 1
    }

    mutating func finish() throws {
        try closeShard()
        // wids refuses an index without shards: a split without images gets none.
        for split in splits where !(shards[split] ?? []).isEmpty {
            var index = Array("{\"__kind__\":\"wids-shard-index-v1\",\"wids_version\":1,".utf8)
            JSONMember("name", .string(split)).appendJSON(to: &index)
            index += Array(",\"shardlist\":[".utf8)
            for (k, shard) in (shards[split] ?? []).enumerated() {
                if k > 0 { index.append(UInt8(ascii: ",")) }
                index += Array("{\"url\":".utf8) + JSONValue.string(shard.name).jsonBytes + Array(",\"nsamples\":\(shard.samples)}".utf8)
            }
            index += Array("]}\n".utf8)
            try folder.write(index, to: "\(split).json")
        }
    }

    /// `<split>-NNNNNN.tar`, numbered from 0 within the split.
    static func shardName(split: String, number: Int) -> String {
        let digits = String(number)
        return "\(split)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).tar"
    }

    private mutating func openShard(split: String) throws {
        let name = Self.shardName(split: split, number: shards[split]?.count ?? 0)
        let url = folder.url(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw DatasetError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
        open = (split, handle, name, 0)
    }

    private mutating func closeShard() throws {
        guard let current = open else { return }
        try append(TarArchive.end)
        do { try current.handle.close() } catch {
            throw DatasetError.io(path: folder.url(current.name).path, reason: AtomicFile.reason(error))
        }
        shards[current.split, default: []].append((current.name, current.samples))
        open = nil
    }

    private func append(_ bytes: [UInt8]) throws {
        guard let current = open else { return }
        do { try current.handle.write(contentsOf: bytes) } catch {
            throw DatasetError.io(path: folder.url(current.name).path, reason: AtomicFile.reason(error))
        }
    }
}
