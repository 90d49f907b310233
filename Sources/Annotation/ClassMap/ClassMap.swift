/// The class map of a dataset's semantic masks, `classes.json`: every category, things and
/// stuff, with its colour, and the values the masks use besides category ids.
///
/// ```
/// {"bit_depth":8,"background_value":0,"ignore_value":255,"categories":[
/// {"id":1,"name":"traffic light","supercategory":"object","isthing":1,"color":[128,0,0]},
/// {"id":2,"name":"road","supercategory":"ground","isthing":0,"color":[0,128,0]}
/// ]}
/// ```
///
/// Categories are in id order, ids 1, 2, …; each entry has the keys of a COCO panoptic
/// category (`id`, `name`, `supercategory`, `isthing`, `color`), so `categories` can be handed to
/// panoptic tools as it is. A semantic mask holds a category id, `background_value` (0) where
/// no labeled thing or stuff is front-most, and `ignore_value` on the pixels of instances the
/// visibility filters left without an annotation. The masks are 8-bit while every id stays
/// below 255 (at most 254 categories), else 16-bit with ignore value 65535.
public struct ClassMap: Sendable, Equatable {
    /// One category, as `classes.json` lists it.
    public struct Entry: Sendable, Equatable, JSONRenderable {
        public var id: Int
        public var name: String
        public var supercategory: String
        /// `true` for a thing class (instances annotated one by one), `false` for stuff.
        public var isThing: Bool

        public init(id: Int, name: String, supercategory: String, isThing: Bool) {
            self.id = id
            self.name = name
            self.supercategory = supercategory
            self.isThing = isThing
        }

        /// `{"id":…,"name":…,"supercategory":…,"isthing":0|1,"color":[r,g,b]}`, the colour
        /// from ``ClassMap/color(of:)``.
        public func appendJSON(to bytes: inout [UInt8]) {
            let color = ClassMap.color(of: id)
            bytes.appendRaw("{\"id\":")
            bytes.appendJSONInteger(id)
            bytes.appendRaw(",\"name\":")
            bytes.appendJSONString(name)
            bytes.appendRaw(",\"supercategory\":")
            bytes.appendJSONString(supercategory)
            bytes.append(contentsOf: ",\"isthing\":\(isThing ? 1 : 0),\"color\":[\(color.red),\(color.green),\(color.blue)]}".utf8)
        }
    }

    /// In id order.
    public var categories: [Entry]

    public init(categories: [Entry]) {
        self.categories = categories
    }

    /// The value of a pixel that no labeled thing or stuff covers.
    public static let backgroundValue = 0

    /// 8 when every one of `categoryCount` ids (1…count) stays below 255, else 16.
    public static func bitDepth(categoryCount: Int) -> Int { categoryCount < 255 ? 8 : 16 }

    /// The largest value of a mask of `bitDepth` bits: 255 or 65535. Never a category id.
    public static func ignoreValue(bitDepth: Int) -> Int { bitDepth == 8 ? 255 : 65535 }

    public var bitDepth: Int { Self.bitDepth(categoryCount: categories.count) }
    public var ignoreValue: Int { Self.ignoreValue(bitDepth: bitDepth) }

    /// The colour of mask value `value`, by the PASCAL VOC palette rule (the `labelcolormap`
    /// of the VOC development kit): the bits of `value`, three at a time from the lowest,
    /// become the bits of red, green and blue from the highest down. 0 is black, 1 dark red
    /// (128, 0, 0), 2 dark green, 3 olive, …, and 255, the 8-bit ignore value, VOC's own
    /// "void" colour (224, 224, 192). Every value below 2²⁴ gets a colour of its own.
    public static func color(of value: Int) -> (red: Int, green: Int, blue: Int) {
        var (red, green, blue) = (0, 0, 0)
        var bits = value
        for shift in stride(from: 7, through: 0, by: -1) {
            red |= (bits & 1) << shift
            green |= (bits >> 1 & 1) << shift
            blue |= (bits >> 2 & 1) << shift
            bits >>= 3
        }
        return (red, green, blue)
    }

    /// The file's bytes: the head, then one category per line, as in the example above.
    public var fileBytes: [UInt8] {
        Self.fileBytes(categoryJSONTexts: categories.map(\.jsonBytes))
    }

    /// The file's bytes from each category's JSON text (``Entry``'s rendering), in id order.
    public static func fileBytes(categoryJSONTexts categories: [[UInt8]]) -> [UInt8] {
        let depth = bitDepth(categoryCount: categories.count)
        var bytes: [UInt8] = []
        bytes.append(contentsOf: "{\"bit_depth\":\(depth),\"background_value\":\(backgroundValue),\"ignore_value\":\(ignoreValue(bitDepth: depth)),\"categories\":[".utf8)
        for (i, category) in categories.enumerated() {
            bytes.appendRaw(i == 0 ? "\n" : ",\n")
            bytes.append(contentsOf: category)
        }
        bytes.appendRaw(categories.isEmpty ? "]}\n" : "\n]}\n")
        return bytes
    }
}
