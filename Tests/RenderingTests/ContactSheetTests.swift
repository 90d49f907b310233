import Rendering
import SceneModel
import Testing

/// A 64 × 32 black image with instance 1, a red square over pixels 8…23 × 8…23.
private func squareTile(dashedOutlines: [[Int]] = []) -> ContactSheet.Tile {
    let (width, height) = (64, 32)
    var rgb = [UInt8](repeating: 0, count: 3 * width * height)
    var ids = [UInt16](repeating: 0, count: width * height)
    for y in 8..<24 {
        for x in 8..<24 {
            ids[y * width + x] = 1
            rgb[3 * (y * width + x)] = 255
        }
    }
    let overlay = ContactSheet.Overlay(instanceID: 1, bbox: .init(x: 8, y: 8, width: 16, height: 16), label: "square",
                                       color: ContactSheet.palette[0], dashedOutlines: dashedOutlines)
    return ContactSheet.Tile(width: width, height: height, rgb: rgb, instanceIDs: ids, overlays: [overlay], caption: "id 1")
}

private func bytes(_ c: Color) -> [Int] { [c.red, c.green, c.blue].map { Int(($0 * 255).rounded()) } }

private func pixel(_ sheet: ContactSheet, _ x: Int, _ y: Int) -> [Int] {
    let p = sheet.surface.rgb(x: x, y: y)
    return [Int(p.red), Int(p.green), Int(p.blue)]
}

/// Tile 0 of a 2-column sheet of 128 px tiles sits at (8, 8); the 64 × 32 image is enlarged
/// ×2 to 128 × 64 and centred vertically, so image pixel (x, y) covers sheet pixels
/// (8 + 2x, 40 + 2y) … (9 + 2x, 41 + 2y).
@Suite struct ContactSheetTests {
    let layout = ContactSheet.Layout(columns: 2, tileSize: 128)

    @Test func sheetSizeFollowsFromColumnsTilesAndCount() throws {
        // 2 × 128 + 3 gaps of 8 wide; 2 rows of (128 + 18 caption) + 3 gaps tall.
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        #expect((sheet.surface.width, sheet.surface.height) == (280, 316))
        let one = try ContactSheet(tileCount: 1, layout: ContactSheet.Layout(columns: 1, tileSize: 64))
        #expect((one.surface.width, one.surface.height) == (80, 98))
    }

    @Test func tintsTheVisibleMaskTowardsTheInstanceColour() throws {
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(), at: 0)
        let tint = bytes(ContactSheet.palette[0])
        let expected = zip([255, 0, 0], tint).map { Double($0) * (1 - ContactSheet.tintOpacity) + Double($1) * ContactSheet.tintOpacity }
        // Image pixel (16, 16), the square's middle.
        let tinted = pixel(sheet, 8 + 32, 40 + 32)
        #expect(zip(tinted, expected).allSatisfy { abs(Double($0) - $1) <= 1 }, "\(tinted) vs \(expected)")
        #expect(tinted != [255, 0, 0])
    }

    @Test func leavesTheBackgroundOutsideBoxesUnchanged() throws {
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(), at: 0)
        // Image pixels (50, 28) and (40, 4): black, far from the box and its label.
        #expect(pixel(sheet, 8 + 100, 40 + 56) == [0, 0, 0])
        #expect(pixel(sheet, 8 + 80, 40 + 8) == [0, 0, 0])
    }

    @Test func outlinesTheBoxOnItsPixelEdges() throws {
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(), at: 0)
        let color = bytes(ContactSheet.palette[0])
        // The box's edges are at sheet x = 24, 56 and y = 56, 88; the 2 px line covers one
        // pixel on each side of an edge.
        for (x, y) in [(40, 87), (40, 88), (23, 72), (24, 72), (55, 72), (56, 72)] {
            #expect(pixel(sheet, x, y) == color, "(\(x), \(y))")
        }
        #expect(pixel(sheet, 40, 90) == [0, 0, 0])
        #expect(pixel(sheet, 58, 72) == [0, 0, 0])
    }

    @Test func drawsTheLabelOnADarkBackingAboveTheBox() throws {
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(), at: 0)
        // The label sits in the 14 or so rows above the box's top edge (y = 56) from x = 23;
        // its backing is dark, its text white.
        var brightest = 0, darkest = 255
        for y in 42..<54 {
            for x in 30..<60 {
                let p = pixel(sheet, x, y)
                brightest = max(brightest, p.min()!)
                darkest = min(darkest, p.max()!)
            }
        }
        #expect(brightest > 200)
        #expect(darkest < 40)
    }

    @Test func aSecondLabelAtTheSameCornerMovesInsideTheBox() throws {
        // White text inside the box's top rows (sheet y 58…70) only when a second label
        // would cover the first above the box.
        func brightestInside(_ tile: ContactSheet.Tile) throws -> Int {
            let sheet = try ContactSheet(tileCount: 1, layout: layout)
            try sheet.draw(tile, at: 0)
            return (58..<70).flatMap { y in (28..<54).map { pixel(sheet, $0, y).min()! } }.max()!
        }
        var twice = squareTile()
        twice.overlays.append(ContactSheet.Overlay(instanceID: 2, bbox: twice.overlays[0].bbox, label: "other",
                                                   color: ContactSheet.palette[1]))
        #expect(try brightestInside(squareTile()) < 100)
        #expect(try brightestInside(twice) > 200)
    }

    @Test func aLabelWithNoFreePlaceIsLeftOut() throws {
        // Four labels at one box: above, inside, below, and the fourth nowhere free — it is
        // left out, so the swatch above the box keeps the first label's colour.
        var crowded = squareTile()
        for k in 1...3 {
            crowded.overlays.append(ContactSheet.Overlay(instanceID: 1, bbox: crowded.overlays[0].bbox, label: "other \(k)",
                                                         color: ContactSheet.palette[k]))
        }
        let sheet = try ContactSheet(tileCount: 1, layout: layout)
        try sheet.draw(crowded, at: 0)
        #expect(pixel(sheet, 24, 48) == bytes(ContactSheet.palette[0]))
        // The third went below the box (its bottom edge at sheet y = 88).
        #expect(pixel(sheet, 24, 96) == bytes(ContactSheet.palette[2]))
    }

    @Test func dashesTheAmodalOutline() throws {
        // An amodal rectangle over pixels 8…39 × 8…23: its top edge runs along sheet y = 56
        // from x = 24 to 88, past the box (x > 57) over black.
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(dashedOutlines: [[8, 8, 40, 8, 40, 24, 8, 24]]), at: 0)
        // The 1.5 px line covers three quarters of rows 55 and 56.
        let row = (60..<86).map { pixel(sheet, $0, 56) }
        let lit = row.filter { $0[0] > 150 && $0[1] < 40 }.count
        let dark = row.filter { $0 == [0, 0, 0] }.count
        #expect(lit >= 6 && dark >= 4, "\(row)")
    }

    @Test func unusedCellsStaySheetGrey() throws {
        let sheet = try ContactSheet(tileCount: 3, layout: layout)
        try sheet.draw(squareTile(), at: 0)
        // Cell 3 (column 1, row 1) has no tile.
        let grey = pixel(sheet, 8 + 136 + 64, 8 + 154 + 64)
        #expect(grey[0] == grey[1] && grey[0] > 20 && grey[0] < 60)
    }
}
