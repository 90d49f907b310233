#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SceneModel

/// A linear gradient as written (`linear(c0, c1, angle:)`), turned into a
/// ``SceneModel/Paint`` only once the painted region (a shape or the canvas) is known.
struct GradientValue: Sendable, Equatable {
    var from: Color
    var to: Color
    /// Direction of the axis in degrees, 0 = left → right, positive = clockwise on screen.
    var angle: Double

    /// The gradient along `angle` through `center`, from `center − r·dir` to `center + r·dir`.
    func paint(center: SceneModel.Point, radius: Double) -> Paint {
        let a = angle * Double.pi / 180
        let (dx, dy) = (radius * cos(a), radius * sin(a))
        return .linearGradient(
            start: SceneModel.Point(center.x - dx, center.y - dy),
            end: SceneModel.Point(center.x + dx, center.y + dy),
            stops: [ColorStop(offset: 0, color: from), ColorStop(offset: 1, color: to)])
    }
}

/// A run-time value of the scene language.
enum Value: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case color(Color)
    case gradient(GradientValue)
    case point(Double, Double)
    case list([Value])
    /// One step of a `path`, made by `move_to`, `line_to`, `curve_to` or `close`.
    case pathElement(PathElement)
    /// A radial gradient as written (`radial(…)`), placed once the painted region is known.
    case radialGradient(RadialGradientValue)
    /// A procedural texture (`stripes`, `checker`, `dots`, `value_noise`, `perlin_noise`).
    case texture(Texture)
    /// Cast shadows for a `light` (`shadow(…)`).
    case shadow(Shadow)
    /// A decoded photograph for `background`, made by `photo`; `path` as the script wrote it
    /// plus, for a folder, the chosen file's name.
    case photo(path: String, Bitmap)
    /// A placed instance, by its id (1-based drawing order): made by `object … as NAME` and
    /// by the variable of an aggregate; what rendered-fact functions ask about.
    case instance(Int)

    var typeName: String {
        switch self {
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .string: return "String"
        case .color: return "Color"
        case .gradient: return "Gradient"
        case .point: return "Point"
        case .list: return "List"
        case .pathElement: return "PathElement"
        case .radialGradient: return "Gradient"
        case .texture: return "Texture"
        case .shadow: return "Shadow"
        case .photo: return "Photo"
        case .instance: return "Instance"
        }
    }

    /// The number as a Double, for Int and Double values.
    var number: Double? {
        switch self {
        case let .int(v): return Double(v)
        case let .double(v): return v
        default: return nil
        }
    }

    /// How the value reads in an error message: integral Doubles without a fraction (`5`),
    /// strings quoted, colours as `#rrggbbaa`.
    var display: String {
        switch self {
        case let .int(v): return String(v)
        case let .double(v): return formatNumber(v)
        case let .bool(v): return v ? "true" : "false"
        case let .string(s): return "\"\(s)\""
        case let .color(c): return formatColor(c)
        case let .gradient(g): return "linear(\(formatColor(g.from)), \(formatColor(g.to)), angle: \(formatNumber(g.angle)))"
        case let .point(x, y): return "(\(formatNumber(x)), \(formatNumber(y)))"
        case let .list(items): return "[" + items.map(\.display).joined(separator: ", ") + "]"
        case let .pathElement(element):
            func point(_ p: SceneModel.Point) -> String { Value.point(p.x, p.y).display }
            switch element {
            case let .move(p): return "move_to(\(point(p)))"
            case let .line(p): return "line_to(\(point(p)))"
            case let .curve(c1, c2, p): return "curve_to(\(point(c1)), \(point(c2)), \(point(p)))"
            case .close: return "close()"
            }
        case let .radialGradient(g): return g.display
        case let .texture(t): return displayTexture(t)
        case let .shadow(s): return displayShadow(s)
        case let .photo(path, _): return "photo(\"\(path)\")"
        case let .instance(id): return "instance \(id)"
        }
    }
}

func formatNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return String(v)
}

/// A percentage with at most one decimal: `0%`, `12.5%`, `0.1%`.
func formatPercent(_ percent: Double) -> String {
    formatNumber((percent * 10).rounded() / 10) + "%"
}

func formatColor(_ c: Color) -> String {
    func hex(_ v: Double) -> String {
        let byte = Int((min(max(v, 0), 1) * 255).rounded())
        return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
    }
    return "#" + hex(c.red) + hex(c.green) + hex(c.blue) + (c.alpha == 1 ? "" : hex(c.alpha))
}
