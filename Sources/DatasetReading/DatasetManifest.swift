public import Annotation

/// `manifest.json` without its `files` list (which may hold millions of entries; see
/// ``DatasetReader/forEachFile(_:)``): provenance, options and the run's acceptance.
/// Keys as in docs/FORMATS.md; optional where older versions or shards lack them.
public struct DatasetManifest: Decodable, Sendable, Equatable {
    public struct Scene: Decodable, Sendable, Equatable {
        public struct Source: Decodable, Sendable, Equatable {
            public var name: String
            public var sha256: String
            public var text: String
        }
        public var name: String
        public var sha256: String
        public var sources: [Source]
    }

    public struct Options: Decodable, Sendable, Equatable {
        public var imageFormat: String?
        /// The scene's sensor: samples per pixel (1 grey, 3 RGB) and bits per sample of the
        /// images; absent in datasets made before sensors (8-bit RGB).
        public var imageChannels: Int?
        public var imageBitDepth: Int?
        public var minVisiblePixels: Int?
        public var minVisibleFraction: Double?
        public var segmentation: String?
        public var parameters: JSONValue?
        /// The splits and their shares, in the order of `--split`.
        public var split: [Split]?

        public struct Split: Decodable, Sendable, Equatable {
            public var name: String
            public var share: Double
        }

        /// The focus file of a focused run (`render --focus`), as recorded; `nil` otherwise.
        public var focus: JSONValue?

        enum CodingKeys: String, CodingKey {
            case focus
            case imageFormat = "image_format", minVisiblePixels = "min_visible_pixels"
            case imageChannels = "image_channels", imageBitDepth = "image_bit_depth"
            case minVisibleFraction = "min_visible_fraction", segmentation, parameters, split
        }
    }

    /// The manifest's `clip`: see docs/FORMATS.md, *Video*. Decoding refuses values no render
    /// writes, so that a reader may size by them: `frames` outside ``frameLimit``, `fps` not
    /// above 0 or above ``rateLimit`` (`DecodingError.dataCorrupted` naming the key).
    public struct Clip: Decodable, Sendable, Equatable {
        public var frames: Int
        public var fps: Double

        /// The frames a clip may have: SceneScript's `ClipSettings.frameLimit` (this module
        /// reads datasets without the language; a test holds the two equal).
        public static let frameLimit = 1...10_000
        /// The highest frame rate: SceneScript's `ClipSettings.rateLimit`.
        public static let rateLimit = 1000.0

        public init(frames: Int, fps: Double) {
            self.frames = frames
            self.fps = fps
        }

        enum CodingKeys: String, CodingKey { case frames, fps }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            frames = try container.decode(Int.self, forKey: .frames)
            fps = try container.decode(Double.self, forKey: .fps)
            guard Self.frameLimit.contains(frames) else {
                throw DecodingError.dataCorruptedError(forKey: .frames, in: container,
                    debugDescription: "\(frames) frames; a clip has \(Self.frameLimit.lowerBound)…\(Self.frameLimit.upperBound)")
            }
            guard fps > 0, fps <= Self.rateLimit else {
                throw DecodingError.dataCorruptedError(forKey: .fps, in: container,
                    debugDescription: "\(fps) frames per second; a clip has above 0 and at most \(Int(Self.rateLimit))")
            }
        }
    }

    public struct Shard: Decodable, Sendable, Equatable {
        public var index: Int
        public var count: Int
        public var firstImage: Int
        public var endImage: Int

        enum CodingKeys: String, CodingKey {
            case index, count, firstImage = "first_image", endImage = "end_image"
        }
    }

    public var tool: String
    public var version: String
    public var scene: Scene
    public var seed: UInt64
    public var count: Int
    /// A run of clips: frames per clip and frames per second (`count` then counts clips, and
    /// frame f of clip c is image c · frames + f); `nil` for still images.
    public var clip: Clip?
    /// A run of chosen images: their index set, `"17,40-59"`.
    public var indices: String?
    public var options: Options
    public var shard: Shard?
    /// Filled from the manifest's last member; `nil` for a manifest without one.
    public var acceptance: Acceptance?
}

/// The manifest's `acceptance`: what sampling the run's images took.
public struct Acceptance: Decodable, Sendable, Equatable {
    public struct AttemptsPerImage: Decodable, Sendable, Equatable {
        public struct Bucket: Decodable, Sendable, Equatable {
            public var from: Int
            public var to: Int
            public var images: Int
        }
        public var mean: Double?
        public var max: Int
        public var histogram: [Bucket]
    }

    public struct Requirement: Decodable, Sendable, Equatable {
        public var location: String
        public var text: String
        /// `require`, `soft` or `quota`.
        public var kind: String
        public var isRendered: Bool
        public var checked: Int
        public var held: Int
        public var acceptanceRate: Double?

        enum CodingKeys: String, CodingKey {
            case location, text, kind, isRendered = "rendered", checked, held, acceptanceRate = "acceptance_rate"
        }
    }

    public struct Stratum: Decodable, Sendable, Equatable {
        public var name: String
        public var share: Double
        public var images: Int
        public var skipped: Int
    }

    public struct SkippedImage: Decodable, Sendable, Equatable {
        public var index: Int
        public var attempts: Int
    }

    /// A focused run's attempts put to the focus, those it kept, and the written images'
    /// counts per factor and bin (the last: in no bin).
    public struct Focus: Decodable, Sendable, Equatable {
        public var checked: Int
        public var held: Int
        public var bins: [[Int]]
    }

    public var images: Int
    public var skipped: Int
    public var attempts: Int
    public var acceptanceRate: Double?
    public var attemptsPerImage: AttemptsPerImage
    public var requirements: [Requirement]
    public var strata: [Stratum]
    public var skippedImages: [SkippedImage]
    /// `nil` unless the run was focused.
    public var focus: Focus?

    enum CodingKeys: String, CodingKey {
        case images, skipped, attempts, acceptanceRate = "acceptance_rate", attemptsPerImage = "attempts_per_image"
        case requirements, strata, skippedImages = "skipped_images", focus
    }
}

/// One entry of the manifest's `files`.
public struct ManifestFile: Decodable, Sendable, Equatable {
    public var path: String
    public var bytes: Int
    public var sha256: String
}
