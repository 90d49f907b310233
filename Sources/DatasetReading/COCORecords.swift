public import Annotation

/// The records of a COCO instances file as read back, Tessera's extra fields included
/// (the writer's own record types are `Annotation.Image` and its siblings).
public enum COCOFile {}

extension COCOFile {
    /// An `images[]` record of the instances files.
    public struct Image: Decodable, Sendable, Equatable {
        public var id: Int
        /// Relative to the image folder `images/`: `NNNNNN.png` (see ``DatasetFiles/image(_:)``).
        public var fileName: String
        /// Pixels.
        public var width: Int
        public var height: Int
        /// A clip's frame: the clip's id (clip index + 1) and the frame's index in it (from 0).
        public var videoID: Int?
        public var frameID: Int?
        /// A clip's frame: the tracks it places inside the canvas that have no annotation
        /// (hidden, or left out by the visibility filter); `nil` when there are none.
        public var unannotatedTracks: [UnannotatedTrack]?

        enum CodingKeys: String, CodingKey {
            case id, fileName = "file_name", width, height, videoID = "video_id", frameID = "frame_id"
            case unannotatedTracks = "unannotated_tracks"
        }
    }

    /// An `unannotated_tracks[]` entry of a clip frame (docs/FORMATS.md, *Video*).
    public struct UnannotatedTrack: Decodable, Sendable, Equatable {
        public var trackID: Int
        public var categoryID: Int
        /// `[x, y, w, h]` of the amodal mask clipped to the canvas, pixels.
        public var amodalBBox: [Int]
        public var amodalArea: Int
        public var visibleFraction: Double
        public var inFrameFraction: Double

        enum CodingKeys: String, CodingKey {
            case trackID = "track_id", categoryID = "category_id", amodalBBox = "amodal_bbox", amodalArea = "amodal_area"
            case visibleFraction = "visible_fraction", inFrameFraction = "in_frame_fraction"
        }
    }
}

extension COCOFile {
    /// A `categories[]` record.
    public struct Category: Decodable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var supercategory: String?
    }
}

/// A COCO compressed RLE: `size` is `[height, width]`, `counts` the run lengths in
extension COCOFile {
    /// column-major order starting with background, in COCO's compressed text.
    public struct RLE: Decodable, Sendable, Equatable {
        public var size: [Int]
        public var counts: String
    }
}

extension COCOFile {
    /// An annotation's `segmentation`: compressed RLE, or polygons in pixel-edge coordinates.
    public enum Segmentation: Decodable, Sendable, Equatable {
        case rle(RLE)
        case polygons([[Double]])

        public init(from decoder: any Decoder) throws {
            if let polygons = try? [[Double]](from: decoder) {
                self = .polygons(polygons)
            } else {
                self = .rle(try RLE(from: decoder))
            }
        }
    }
}

/// One entry of an annotation's `occluders`: an object front-most over `pixels` of the
/// annotated instance's amodal mask. `instanceID` is the object's drawing rank in the image:
extension COCOFile {
    /// a labeled occluder's `mask_id`, or an unlabeled one's rank.
    public struct Occluder: Decodable, Sendable, Equatable {
        public var instanceID: Int
        public var pixels: Int

        enum CodingKeys: String, CodingKey {
            case instanceID = "mask_id", pixels
        }
    }
}

/// An `annotations[]` record: COCO's fields, then Tessera's (optional, so a COCO file
extension COCOFile {
    /// written by others reads too). See docs/FORMATS.md for each.
    public struct Annotation: Decodable, Sendable, Equatable {
        public var id: Int
        public var imageID: Int
        public var categoryID: Int
        public var segmentation: Segmentation
        /// Visible pixels.
        public var area: Int
        /// `[x, y, w, h]`, pixels, top-left origin; integers in Tessera's files.
        public var bbox: [Double]
        public var iscrowd: Int
        /// The instance's value in `masks/instance_ids`: its drawing rank in the image.
        public var instanceID: Int?
        public var amodalSegmentation: RLE?
        public var amodalBBox: [Double]?
        public var amodalArea: Int?
        /// `area / amodal_area`.
        public var visibleFraction: Double?
        /// Truncation: the share of the instance's extended-grid pixels on the canvas.
        public var inFrameFraction: Double?
        /// In increasing instance id.
        public var occluders: [Occluder]?
        /// The drawing rank (1 = drawn first, at the back).
        public var zOrder: Int?
        /// Members sorted by key (JSON decoding keeps no order).
        public var attributes: JSONValue?
        /// In a clip's frame: the object's track id, the same in every frame of the clip.
        public var trackID: Int?

        enum CodingKeys: String, CodingKey {
            case id, imageID = "image_id", categoryID = "category_id", segmentation, area, bbox, iscrowd
            case instanceID = "mask_id", amodalSegmentation = "amodal_segmentation", amodalBBox = "amodal_bbox"
            case amodalArea = "amodal_area", visibleFraction = "visible_fraction", inFrameFraction = "in_frame_fraction"
            case occluders, zOrder = "z_order", attributes, trackID = "track_id"
        }
    }
}

/// One line of `records.jsonl`: the values that made an image.
public struct ImageRecord: Decodable, Sendable, Equatable {
    public var imageID: Int
    public var index: Int
    /// The split whose instances file lists the image.
    public var split: String?
    /// The accepted attempt's number, from 1.
    public var attempts: Int
    /// Only for a scene with a `quota`.
    public var stratum: String?
    /// The script's `record`s: an object (members sorted by name).
    public var values: JSONValue
    /// The scene's parameters in force.
    public var parameters: JSONValue

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id", index, split, attempts, stratum, values, parameters
    }
}
