import Annotation

// The records the reader streams, read straight from their bytes (``JSONScanner``): the same
// values as their `Decodable` conformances, several times faster on large files.

extension COCOFile.Image: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var id: Int?, fileName: String?, width: Int?, height: Int?
        var videoID: Int?, frameID: Int?, tracks: [COCOFile.UnannotatedTrack]?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "id": id = try s.readInt()
            case "file_name": fileName = try s.readString()
            case "width": width = try s.readInt()
            case "height": height = try s.readInt()
            case "video_id": videoID = try s.readInt()
            case "frame_id": frameID = try s.readInt()
            case "unannotated_tracks": tracks = try [COCOFile.UnannotatedTrack](scanning: &s)
            default: try s.skipValue()
            }
        }
        self.id = try required(id, "id", s)
        self.fileName = try required(fileName, "file_name", s)
        self.width = try required(width, "width", s)
        self.height = try required(height, "height", s)
        (self.videoID, self.frameID, unannotatedTracks) = (videoID, frameID, tracks)
    }
}

extension COCOFile.UnannotatedTrack: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var trackID: Int?, categoryID: Int?, amodalBBox: [Int]?, amodalArea: Int?
        var visibleFraction: Double?, inFrameFraction: Double?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "track_id": trackID = try s.readInt()
            case "category_id": categoryID = try s.readInt()
            case "amodal_bbox": amodalBBox = try s.readArray { s throws(JSONScanError) in try s.readInt() }
            case "amodal_area": amodalArea = try s.readInt()
            case "visible_fraction": visibleFraction = try s.readDouble()
            case "in_frame_fraction": inFrameFraction = try s.readDouble()
            default: try s.skipValue()
            }
        }
        self.trackID = try required(trackID, "track_id", s)
        self.categoryID = try required(categoryID, "category_id", s)
        self.amodalBBox = try required(amodalBBox, "amodal_bbox", s)
        self.amodalArea = try required(amodalArea, "amodal_area", s)
        self.visibleFraction = try required(visibleFraction, "visible_fraction", s)
        self.inFrameFraction = try required(inFrameFraction, "in_frame_fraction", s)
    }
}

extension COCOFile.Category: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var id: Int?, name: String?, supercategory: String?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "id": id = try s.readInt()
            case "name": name = try s.readString()
            case "supercategory": supercategory = try s.readString()
            default: try s.skipValue()
            }
        }
        self.id = try required(id, "id", s)
        self.name = try required(name, "name", s)
        self.supercategory = supercategory
    }
}

extension COCOFile.RLE: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var size: [Int]?, counts: String?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "size": size = try s.readArray { s throws(JSONScanError) in try s.readInt() }
            case "counts": counts = try s.readString()
            default: try s.skipValue()
            }
        }
        self.size = try required(size, "size", s)
        self.counts = try required(counts, "counts", s)
    }
}

extension COCOFile.Segmentation: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        if s.peek() == UInt8(ascii: "[") {
            self = .polygons(try s.readArray { s throws(JSONScanError) in
                try s.readArray { s throws(JSONScanError) in try s.readDouble() }
            })
        } else {
            self = .rle(try COCOFile.RLE(scanning: &s))
        }
    }
}

extension COCOFile.Occluder: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var instanceID: Int?, pixels: Int?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "mask_id": instanceID = try s.readInt()
            case "pixels": pixels = try s.readInt()
            default: try s.skipValue()
            }
        }
        self.instanceID = try required(instanceID, "mask_id", s)
        self.pixels = try required(pixels, "pixels", s)
    }
}

extension COCOFile.Annotation: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var id: Int?, imageID: Int?, categoryID: Int?, segmentation: COCOFile.Segmentation?, area: Int?
        var bbox: [Double]?, iscrowd: Int?, instanceID: Int?, amodalSegmentation: COCOFile.RLE?
        var amodalBBox: [Double]?, amodalArea: Int?, visibleFraction: Double?, inFrameFraction: Double?
        var occluders: [COCOFile.Occluder]?, zOrder: Int?, attributes: JSONValue?, trackID: Int?
        func doubles(_ s: inout JSONScanner) throws(JSONScanError) -> [Double] {
            try s.readArray { s throws(JSONScanError) in try s.readDouble() }
        }
        try s.forEachMember { key, s throws(JSONScanError) in
            // `attributes: null` is `.null` to `Decodable` (JSONValue decodes null), not absent.
            if !(key == "attributes"), try s.consumeNull() { return }
            switch key {
            case "id": id = try s.readInt()
            case "image_id": imageID = try s.readInt()
            case "category_id": categoryID = try s.readInt()
            case "segmentation": segmentation = try COCOFile.Segmentation(scanning: &s)
            case "area": area = try s.readInt()
            case "bbox": bbox = try doubles(&s)
            case "iscrowd": iscrowd = try s.readInt()
            case "mask_id": instanceID = try s.readInt()
            case "amodal_segmentation": amodalSegmentation = try COCOFile.RLE(scanning: &s)
            case "amodal_bbox": amodalBBox = try doubles(&s)
            case "amodal_area": amodalArea = try s.readInt()
            case "visible_fraction": visibleFraction = try s.readDouble()
            case "in_frame_fraction": inFrameFraction = try s.readDouble()
            case "occluders": occluders = try [COCOFile.Occluder](scanning: &s)
            case "z_order": zOrder = try s.readInt()
            case "attributes": attributes = try s.readJSONValue()
            case "track_id": trackID = try s.readInt()
            default: try s.skipValue()
            }
        }
        self.id = try required(id, "id", s)
        self.imageID = try required(imageID, "image_id", s)
        self.categoryID = try required(categoryID, "category_id", s)
        self.segmentation = try required(segmentation, "segmentation", s)
        self.area = try required(area, "area", s)
        self.bbox = try required(bbox, "bbox", s)
        self.iscrowd = try required(iscrowd, "iscrowd", s)
        self.instanceID = instanceID
        self.amodalSegmentation = amodalSegmentation
        self.amodalBBox = amodalBBox
        self.amodalArea = amodalArea
        self.visibleFraction = visibleFraction
        self.inFrameFraction = inFrameFraction
        self.occluders = occluders
        self.zOrder = zOrder
        self.attributes = attributes
        self.trackID = trackID
    }
}

extension ImageRecord: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var imageID: Int?, index: Int?, split: String?, attempts: Int?, stratum: String?
        var values: JSONValue?, parameters: JSONValue?
        try s.forEachMember { key, s throws(JSONScanError) in
            switch key {
            case "values": values = try s.readJSONValue()
            case "parameters": parameters = try s.readJSONValue()
            default:
                if try s.consumeNull() { return }
                switch key {
                case "image_id": imageID = try s.readInt()
                case "index": index = try s.readInt()
                case "split": split = try s.readString()
                case "attempts": attempts = try s.readInt()
                case "stratum": stratum = try s.readString()
                default: try s.skipValue()
                }
            }
        }
        self.imageID = try required(imageID, "image_id", s)
        self.index = try required(index, "index", s)
        self.split = split
        self.attempts = try required(attempts, "attempts", s)
        self.stratum = stratum
        self.values = try required(values, "values", s)
        self.parameters = try required(parameters, "parameters", s)
    }
}

extension ManifestFile: JSONScannable {
    init(scanning s: inout JSONScanner) throws(JSONScanError) {
        var path: String?, bytes: Int?, sha256: String?
        try s.forEachMember { key, s throws(JSONScanError) in
            if try s.consumeNull() { return }
            switch key {
            case "path": path = try s.readString()
            case "bytes": bytes = try s.readInt()
            case "sha256": sha256 = try s.readString()
            default: try s.skipValue()
            }
        }
        self.path = try required(path, "path", s)
        self.bytes = try required(bytes, "bytes", s)
        self.sha256 = try required(sha256, "sha256", s)
    }
}
