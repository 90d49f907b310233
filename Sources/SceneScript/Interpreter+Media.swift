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
            size = try number(value, what(1), at: ranges[1]!)
            guard size > 0, size <= Limits.coordinate else {
                throw ProblemReport("\(what(1)) must be above 0 and at most \(formatNumber(Limits.coordinate)) pixels, got \(formatNumber(size))", at: ranges[1]!)
            }
        }
        let font = Font(family: try string(2) ?? Font.defaultFamily, size: size,
                        weight: try choice(3, Font.Weight.self) ?? .normal, slant: try choice(4, Font.Slant.self) ?? .normal)
        return .text(try string(0)!, font: font)
    }
}
