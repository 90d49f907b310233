import Annotation
import Testing

struct ClassMapTests {
    /// Known answers from the PASCAL VOC devkit's `labelcolormap`, computed in Python (bit
    /// `k` of the value's 3-bit groups to bit `7 − k` of red, green, blue).
    @Test(arguments: [
        (0, [0, 0, 0]), (1, [128, 0, 0]), (2, [0, 128, 0]), (3, [128, 128, 0]), (4, [0, 0, 128]), (7, [128, 128, 128]),
        (21, [128, 64, 128]), (254, [96, 224, 192]), (255, [224, 224, 192]), (1000, [112, 32, 96]), (65535, [252, 248, 248]),
    ])
    func paletteIsVOCs(value: Int, rgb: [Int]) {
        let color = ClassMap.color(of: value)
        #expect([color.red, color.green, color.blue] == rgb)
    }

    @Test func everyIdOfA16BitMaskHasItsOwnColour() {
        var seen = Set<Int>()
        for value in 0...65535 {
            let c = ClassMap.color(of: value)
            seen.insert(c.red << 16 | c.green << 8 | c.blue)
        }
        #expect(seen.count == 65536)
    }

    @Test func idsStayBelowTheIgnoreValue() {
        #expect(ClassMap.bitDepth(categoryCount: 254) == 8 && ClassMap.ignoreValue(bitDepth: 8) == 255)
        #expect(ClassMap.bitDepth(categoryCount: 255) == 16 && ClassMap.ignoreValue(bitDepth: 16) == 65535)
    }

    @Test func fileIsOneCategoryPerLineWithNamesInUTF8() {
        let map = ClassMap(categories: [ClassMap.Entry(id: 1, name: "traffic \"light\"", supercategory: "object", isThing: true),
                                        ClassMap.Entry(id: 2, name: "空", supercategory: "sky", isThing: false)])
        #expect(String(decoding: map.fileBytes, as: UTF8.self) == """
        {"bit_depth":8,"background_value":0,"ignore_value":255,"categories":[
        {"id":1,"name":"traffic \\"light\\"","supercategory":"object","isthing":1,"color":[128,0,0]},
        {"id":2,"name":"空","supercategory":"sky","isthing":0,"color":[0,128,0]}
        ]}

        """)
        #expect(String(decoding: ClassMap(categories: []).fileBytes, as: UTF8.self)
            == "{\"bit_depth\":8,\"background_value\":0,\"ignore_value\":255,\"categories\":[]}\n")
    }
}
