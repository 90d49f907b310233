import Testing
import SceneModel
@testable import SceneScript

/// Text, sprites and photo backgrounds, from script to ``SceneModel/Scene``.
struct MediaTests {
    @Test func textMakesItsGeometryWithDefaults() throws {
        let result = try shapes("""
            classes sign
            object sign at (50, 40) {
              text("STOP", size: 24, font: "DejaVu Serif", weight: "bold", fill: #ff0000)
              text("slow")
              text("ital" + "ic", slant: "italic", size: 10.5)
            }
            """)
        #expect(result.map(\.geometry) == [
            .text("STOP", font: Font(family: "DejaVu Serif", size: 24, weight: .bold)),
            .text("slow", font: Font(family: "DejaVu Sans", size: 16)),
            .text("italic", font: Font(size: 10.5, slant: .italic)),
        ])
        #expect(result[0].paint == .solid(Color(red: 1, green: 0, blue: 0)))
        #expect(result[0].transform == .translation(50, 40))
    }
}
