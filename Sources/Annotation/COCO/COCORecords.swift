// COCO "instances" records (cocodataset.org/#format-data). Each renders as one compact JSON
// object with its keys in the fixed order documented on the type, then its `extra` members in
// the order given. Extra keys must not repeat a fixed key (checked in debug builds).

/// The COCO `info` record.
///
/// Keys, in order: `description`, `version`, `year`, `date_created` (only when set), then
/// `extra` — provenance such as the seed and the scene hash.
public struct COCOInfo: Hashable, Sendable, JSONRenderable {
    public var description: String
    public var version: String
    public var year: Int
    /// ISO 8601 date; `nil` leaves the key out so output does not depend on the clock.
    public var dateCreated: String?
    public var extra: [JSONMember]

    public init(
        description: String, version: String, year: Int, dateCreated: String? = nil,
        extra: [JSONMember] = []
    ) {
        self.description = description
        self.version = version
        self.year = year
        self.dateCreated = dateCreated
        self.extra = extra
    }

    public func appendJSON(to bytes: inout [UInt8]) {
        assertExtraKeys(extra, avoid: ["description", "version", "year", "date_created"])
        bytes.appendRaw("{\"description\":")
        bytes.appendJSONString(description)
        bytes.appendRaw(",\"version\":")
        bytes.appendJSONString(version)
        bytes.appendRaw(",\"year\":")
        bytes.appendJSONInteger(year)
        if let dateCreated {
            bytes.appendRaw(",\"date_created\":")
            bytes.appendJSONString(dateCreated)
        }
        bytes.appendJSONMembers(extra)
        bytes.append(UInt8(ascii: "}"))
    }
}

/// A COCO `images` entry.
///
/// Keys, in order: `id`, `file_name`, `width`, `height` (pixels), then `extra`.
public struct COCOImage: Hashable, Sendable, JSONRenderable {
    public var id: Int
    /// Path relative to the dataset's image folder, e.g. `000000.png`.
    public var fileName: String
    public var width: Int
    public var height: Int
    public var extra: [JSONMember]

    public init(id: Int, fileName: String, width: Int, height: Int, extra: [JSONMember] = []) {
        self.id = id
        self.fileName = fileName
        self.width = width
        self.height = height
        self.extra = extra
    }

    public func appendJSON(to bytes: inout [UInt8]) {
        assertExtraKeys(extra, avoid: ["id", "file_name", "width", "height"])
        bytes.appendRaw("{\"id\":")
        bytes.appendJSONInteger(id)
        bytes.appendRaw(",\"file_name\":")
        bytes.appendJSONString(fileName)
        bytes.appendRaw(",\"width\":")
        bytes.appendJSONInteger(width)
        bytes.appendRaw(",\"height\":")
        bytes.appendJSONInteger(height)
        bytes.appendJSONMembers(extra)
        bytes.append(UInt8(ascii: "}"))
    }
}

/// A COCO `categories` entry.
///
/// Keys, in order: `id`, `name`, `supercategory`. Ids start at 1 (0 is background).
public struct COCOCategory: Hashable, Sendable, JSONRenderable {
    public var id: Int
    public var name: String
    public var supercategory: String

    public init(id: Int, name: String, supercategory: String) {
        self.id = id
        self.name = name
        self.supercategory = supercategory
    }

    public func appendJSON(to bytes: inout [UInt8]) {
        bytes.appendRaw("{\"id\":")
        bytes.appendJSONInteger(id)
        bytes.appendRaw(",\"name\":")
        bytes.appendJSONString(name)
        bytes.appendRaw(",\"supercategory\":")
        bytes.appendJSONString(supercategory)
        bytes.append(UInt8(ascii: "}"))
    }
}

/// A COCO `annotations` entry for one instance.
///
/// Keys, in order: `id`, `image_id`, `category_id`, `segmentation` (compressed RLE
/// `{"size":[h,w],"counts":"…"}` or polygons `[[x1,y1,…],…]`), `area` (pixels), `bbox`
/// (`[x,y,w,h]`, integer pixels, top-left origin, y down), `iscrowd` (always 0),
/// `mask_id` (the value in the instance mask), then `extra` (occlusion facts and other
/// fields beyond COCO).
public struct COCOAnnotation: Hashable, Sendable, JSONRenderable {
    public var id: Int
    public var imageID: Int
    public var categoryID: Int
    public var segmentation: COCOSegmentation
    /// Number of pixels in the mask.
    public var area: Int
    /// Tight box of the mask.
    public var bbox: PixelBox
    /// The instance id in the image's instance mask.
    public var instanceID: Int
    public var extra: [JSONMember]

    public init(
        id: Int, imageID: Int, categoryID: Int, segmentation: COCOSegmentation, area: Int,
        bbox: PixelBox, instanceID: Int, extra: [JSONMember] = []
    ) {
        self.id = id
        self.imageID = imageID
        self.categoryID = categoryID
        self.segmentation = segmentation
        self.area = area
        self.bbox = bbox
        self.instanceID = instanceID
        self.extra = extra
    }

    /// Creates the annotation of a measured instance: `area`, `bbox` and `instanceID` come
    /// from `instance`.
    public init(
        id: Int, imageID: Int, categoryID: Int, instance: InstanceMeasure,
        segmentation: COCOSegmentation, extra: [JSONMember] = []
    ) {
        self.init(
            id: id, imageID: imageID, categoryID: categoryID, segmentation: segmentation,
            area: instance.area, bbox: instance.bbox, instanceID: Int(instance.instanceID),
            extra: extra)
    }

    public func appendJSON(to bytes: inout [UInt8]) {
        assertExtraKeys(extra, avoid: [
            "id", "image_id", "category_id", "segmentation", "area", "bbox", "iscrowd",
            "mask_id",
        ])
        bytes.appendRaw("{\"id\":")
        bytes.appendJSONInteger(id)
        bytes.appendRaw(",\"image_id\":")
        bytes.appendJSONInteger(imageID)
        bytes.appendRaw(",\"category_id\":")
        bytes.appendJSONInteger(categoryID)
        bytes.appendRaw(",\"segmentation\":")
        segmentation.appendJSON(to: &bytes)
        bytes.appendRaw(",\"area\":")
        bytes.appendJSONInteger(area)
        bytes.appendRaw(",\"bbox\":")
        bytes.appendJSONIntegers(bbox.cocoBBox)
        bytes.appendRaw(",\"iscrowd\":0,\"mask_id\":")
        bytes.appendJSONInteger(instanceID)
        bytes.appendJSONMembers(extra)
        bytes.append(UInt8(ascii: "}"))
    }
}

extension RLE: JSONRenderable {
    /// Appends the COCO compressed RLE object `{"size":[h,w],"counts":"…"}`.
    public func appendJSON(to bytes: inout [UInt8]) {
        bytes.appendRaw("{\"size\":[")
        bytes.appendJSONInteger(height)
        bytes.append(UInt8(ascii: ","))
        bytes.appendJSONInteger(width)
        bytes.appendRaw("],\"counts\":")
        bytes.appendJSONString(compressedCounts)  // the alphabet "0"..."o" includes "\\"
        bytes.append(UInt8(ascii: "}"))
    }
}

@inline(__always)
private func assertExtraKeys(_ extra: [JSONMember], avoid fixedKeys: [String]) {
    assert(extra.allSatisfy { !fixedKeys.contains($0.key) }, "an extra key repeats a fixed key")
}
