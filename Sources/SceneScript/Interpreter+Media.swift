import Foundation
import SceneModel

extension Interpreter {
    /// The geometry of `text(content, size:, font:, weight:, slant:)` from its checked
    /// arguments (slots in that order): `content` a non-empty String of at most
    /// ``Limits/textLength`` characters; `size` the em size in pixels, > 0 (default 16);
    /// `font` a family name (default ``Font/defaultFamily``); `weight` "normal" or "bold";
    /// `slant` "normal", "italic" or "oblique".
    func textGeometry(_ values: [Value?], _ ranges: [SourceRange?], what: (Int) -> String) throws -> Geometry {
        func string(_ slot: Int) throws -> String? {
            guard let value = values[slot] else { return nil }
            guard case let .string(s) = value else {
                throw ProblemReport("\(what(slot)) must be a String, got \(value.typeName) \(value.display)", at: ranges[slot]!)
            }
            guard !s.isEmpty, s.unicodeScalars.count <= Limits.textLength, !s.unicodeScalars.contains("\0") else {
                throw ProblemReport("\(what(slot)) must have 1…\(Limits.textLength) characters and no NUL, got \(s.unicodeScalars.count)", at: ranges[slot]!)
            }
            return s
        }
        func choice<Option: RawRepresentable & CaseIterable>(_ slot: Int, _: Option.Type) throws -> Option? where Option.RawValue == String {
            guard let name = try string(slot) else { return nil }
            guard let option = Option(rawValue: name) else {
                let names = Option.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw ProblemReport("\(what(slot)) must be one of \(names), got \"\(name)\"", at: ranges[slot]!)
            }
            return option
        }
        var size = 16.0
        if let value = values[1] {
            size = try Self.number(value, what(1), at: ranges[1]!)
            guard size > 0, size <= Limits.coordinate else {
                throw ProblemReport("\(what(1)) must be above 0 and at most \(formatNumber(Limits.coordinate)) pixels, got \(formatNumber(size))", at: ranges[1]!)
            }
        }
        let font = Font(family: try string(2) ?? Font.defaultFamily, size: size,
                        weight: try choice(3, Font.Weight.self) ?? .normal, slant: try choice(4, Font.Slant.self) ?? .normal)
        return .text(try string(0)!, font: font)
    }
}

extension Interpreter {
    /// The geometry of `sprite(file, width:, height:)` (slots in that order): the PNG or JPEG
    /// `file`, a path relative to the script file that contains the call, decoded once per
    /// program (see ``MediaLibrary``). With `width` and `height` the image is stretched to
    /// them; with one of them the other keeps the image's aspect ratio; with neither it is its
    /// own size in pixels. Sizes must be positive.
    func spriteGeometry(_ values: [Value?], _ ranges: [SourceRange?], what: (Int) -> String,
                        size: (Int) throws -> Double) throws -> Geometry {
        guard case let .string(path) = values[0]! else {
            throw ProblemReport("\(what(0)) must be a String (a PNG or JPEG path relative to the script), got \(values[0]!.typeName) \(values[0]!.display)", at: ranges[0]!)
        }
        let bitmap = try script.media.sprite(path, at: ranges[0]!)
        func positive(_ slot: Int) throws -> Double? {
            guard values[slot] != nil else { return nil }
            let v = try size(slot)
            guard v > 0 else { throw ProblemReport("\(what(slot)) must be positive, got 0", at: ranges[slot]!) }
            return v
        }
        let aspect = Double(bitmap.width) / Double(bitmap.height)
        let (width, height): (Double, Double)
        switch (try positive(1), try positive(2)) {
        case let (w?, h?): (width, height) = (w, h)
        case let (w?, nil): (width, height) = (w, w / aspect)
        case let (nil, h?): (width, height) = (h * aspect, h)
        case (nil, nil): (width, height) = (Double(bitmap.width), Double(bitmap.height))
        }
        return .sprite(bitmap, width: width, height: height)
    }
}

extension Interpreter {
    /// `photo(path)`: a photograph for `background`. `path` (relative to the folder of the
    /// script file that contains the call) names a PNG or JPEG file, used as is without a
    /// random draw, or a folder: its PNG and JPEG files (by extension; hidden files skipped)
    /// sorted by name in Unicode scalar order, one of which is picked with **one**
    /// `randint(0, n − 1)` draw. Files are decoded once per program.
    mutating func photo(_ value: Value, at range: SourceRange) throws -> Value {
        guard case let .string(path) = value else {
            throw ProblemReport("photo: path must be a String (a PNG or JPEG file or a folder of them, relative to the script), got \(value.typeName) \(value.display)", at: range)
        }
        switch try script.media.photoSource(path, at: range) {
        case let .file(url):
            return .photo(path: path, try script.media.photo(url, written: path, at: range))
        case let .folder(files):
            let file = files[Distributions.randint(0, files.count - 1, using: &rng)]
            let written = path + "/" + URL(fileURLWithPath: file).lastPathComponent
            return .photo(path: written, try script.media.photo(URL(fileURLWithPath: file), written: written, at: range))
        }
    }
}
