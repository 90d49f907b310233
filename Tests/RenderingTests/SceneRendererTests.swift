import Foundation
@testable import Rendering
import SceneModel
import Testing

@Suite struct PixelCentreRule {
    @Test func alignedSquareCoversItsPixels() throws {
        // Covers [10, 15) × [10, 15): pixels 10…14.
        let r = try SceneRenderer.render(scene([square(side: 5, at: 12.5, 12.5)]))
        #expect(pixels(r, id: 1) == block(10...14, 10...14))
    }

    @Test func halfPixelOffsetSquareStillHas25Pixels() throws {
        // [10.5, 15.5)²: antialiasing touches 36 pixels, but only 25 centres are inside.
        let r = try SceneRenderer.render(scene([square(side: 5, at: 13, 13)]))
        #expect(pixels(r, id: 1).count == 25)
        // The antialiased image does touch the 6th row and column.
        let edge = r.image.rgb(x: 15, y: 12)
        #expect(edge.green < 255 && edge.green > 0)
    }

    @Test func circleMaskIsTheCentresInsideTheDisc() throws {
        let circle = Shape(geometry: .circle(radius: 6.3), transform: .translation(16, 15.7),
                           paint: .solid(.black))
        let r = try SceneRenderer.render(scene([circle]))
        var expected = Set<[Int]>()
        for y in 0..<32 { for x in 0..<32 {
            let (dx, dy) = (Double(x) + 0.5 - 16, Double(y) + 0.5 - 15.7)
            // Away from the boundary, where Cairo's curve flattening cannot matter.
            let d = (dx * dx + dy * dy).squareRoot()
            if d < 6.2 { expected.insert([x, y]) }
            if d > 6.4 { #expect(r.instanceIDs[y * 32 + x] == 0) }
        } }
        #expect(expected.isSubset(of: pixels(r, id: 1)))
    }

    @Test func laterInstancesHideEarlierOnes() throws {
        let r = try SceneRenderer.render(scene([square(side: 10, at: 10, 10), square(side: 10, at: 15, 15)]))
        #expect(pixels(r, id: 2) == block(10...19, 10...19))
        #expect(pixels(r, id: 1) == block(5...14, 5...14).subtracting(block(10...19, 10...19)))
    }

    @Test func evenOddRingHasAHole() throws {
        let ring = Shape(geometry: .polygon([Point(-8, -8), Point(8, -8), Point(8, 8), Point(-8, 8),
                                             Point(-8, -8), Point(-4, -4), Point(4, -4), Point(4, 4), Point(-4, 4), Point(-4, -4)]),
                         transform: .translation(16, 16), paint: .solid(.black), fillRule: .evenOdd)
        let r = try SceneRenderer.render(scene([ring]))
        #expect(pixels(r, id: 1) == block(8...23, 8...23).subtracting(block(12...19, 12...19)))
    }

    @Test func singularTransformDrawsNothing() throws {
        var s = square(side: 5, at: 10, 10)
        s.transform = s.transform.concatenating(.scale(0, 1))
        let r = try SceneRenderer.render(scene([s, square(side: 2, at: 1, 1)]))
        #expect(pixels(r, id: 1).isEmpty)
        #expect(pixels(r, id: 2) == block(0...1, 0...1))
    }

    @Test func rejectsEmptyCanvas() {
        #expect(throws: RenderError.invalidCanvas(width: 0, height: 5)) {
            try SceneRenderer.render(scene(width: 0, height: 5, []))
        }
    }
}

@Suite struct PNGCodecTests {
    /// The direct encoder (SUB filter) writes libpng's bytes: clean pictures (Z_RLE at level
    /// 1), every level, canvases from 1 × 1 (a single-pixel row is filtered None; small data
    /// gets a shrunk window) to several IDAT chunks. Noisy pictures at level 1 go to the
    /// literal-only encoder instead of zlib's Huffman-only strategy: the same pixels, a stream
    /// within 1 % of zlib's.
    @Test(arguments: [(1, 1), (3, 2), (17, 9), (96, 64), (300, 200)])
    func directPicturesAreLibpngsBytes(size: (Int, Int)) throws {
        let (width, height) = size
        for sigma in [0.0, 0.3] {
            let picture = scene(width: width, height: height, [square(side: Double(width) / 3, at: Double(width) / 2, Double(height) / 2, rotate: 20)],
                                background: .linearGradient(start: Point(0, 0), end: Point(Double(width), Double(height)), stops: [
                                    ColorStop(offset: 0, color: rgbColor(0.1, 0.2, 0.9)), ColorStop(offset: 1, color: rgbColor(0.9, 0.8, 0.1)),
                                ]), effects: sigma > 0 ? [.gaussianNoise(sigma: sigma, seed: 5)] : [])
            let r = try SceneRenderer.render(picture)
            for level in [1, 2, 6, 9] {
                let settings = PNG.Settings(level: level)
                let direct = try PNG.encode(r.image, settings: settings)
                let libpng = try PNG.encodeThroughLibpng(r.image, settings: settings)
                if level == 1 && direct != libpng {
                    // A picture level 1 finds noisy (the gradient's residuals rarely repeat).
                    #expect(Double(direct.count) <= Double(libpng.count) * 1.01 + 16, "\(width)×\(height), σ \(sigma)")
                } else {
                    #expect(direct == libpng, "\(width)×\(height), σ \(sigma), level \(level)")
                }
                #expect(try PNG.decode(direct).samples.map(Double.init) == samples(r))
            }
        }
    }

    /// A clean picture (flat background) at level 1 takes zlib's run-length strategy: libpng's bytes.
    @Test func cleanPicturesAtLevelOneAreLibpngsBytes() throws {
        let r = try SceneRenderer.render(scene(width: 120, height: 80, [square(side: 40, at: 60, 40, rotate: 20)]))
        let settings = PNG.Settings(level: 1)
        #expect(try PNG.encode(r.image, settings: settings) == (try PNG.encodeThroughLibpng(r.image, settings: settings)))
    }

    @Test(arguments: [1, 6]) func directMasksAreLibpngsBytes(level: Int) throws {
        let (width, height) = (257, 70)   // more than 16 KiB, one IDAT; a row of odd length
        let pixels: [UInt16] = (0..<(width * height)).map { i in UInt16((i % width) / 40 * 9000 + (i / width) / 20) }
        let settings = PNG.Settings(level: level)
        let direct = try PNG.encodeGray16(pixels, width: width, height: height, settings: settings)
        #expect(direct == (try PNG.encodeGray16ThroughLibpng(pixels, width: width, height: height, settings: settings)))
        #expect(try PNG.decode(direct).samples == pixels)
    }

    @Test func checksumLibraryIsNamed() {
        #expect(PNG.checksumLibrary.hasPrefix("libdeflate ") || PNG.checksumLibrary.hasPrefix("zlib "))
    }

    @Test func gray16RoundTrips() throws {
        let pixels: [UInt16] = (0..<(7 * 5)).map { UInt16($0 * 1871 % 65536) }
        let image = try PNG.decode(try PNG.encodeGray16(pixels, width: 7, height: 5))
        #expect(image.width == 7 && image.height == 5 && image.channels == 1 && image.bitDepth == 16)
        #expect(image.samples == pixels)
    }

    @Test(arguments: [0, 1, 6, 9]) func gray8RoundTripsAtEveryLevel(level: Int) throws {
        let pixels: [UInt8] = (0..<(9 * 4)).map { UInt8($0 * 7 % 256) }
        let data = try PNG.encodeGray8(pixels, width: 9, height: 4, settings: .init(level: level, fastFilter: level < 6))
        let image = try PNG.decode(data)
        #expect(image.bitDepth == 8 && image.samples.map(UInt8.init) == pixels)
    }

    @Test func rgbKeepsCairoColours() throws {
        let r = try SceneRenderer.render(scene(width: 4, height: 3, [square(side: 2, at: 1, 1)]))
        let image = try PNG.decode(try PNG.encode(r.image))
        #expect(image.channels == 3 && image.width == 4 && image.height == 3)
        #expect(Array(image.samples[0..<3]) == [255, 0, 0])      // inside the red square
        #expect(Array(image.samples[9..<12]) == [255, 255, 255]) // background at (3, 0)
    }

    @Test(arguments: [0.0, 0.03, 0.3])
    func picturesRoundTripWhateverTheirNoise(sigma: Double) throws {
        // Level 1 compresses a smooth picture with Z_RLE and a noisy one Huffman-only.
        let picture = scene(width: 96, height: 64, [square(side: 30, at: 40, 30, rotate: 20)],
                            background: .linearGradient(start: Point(0, 0), end: Point(96, 64), stops: [
                                ColorStop(offset: 0, color: rgbColor(0.1, 0.2, 0.9)), ColorStop(offset: 1, color: rgbColor(0.9, 0.8, 0.1)),
                            ]), effects: sigma > 0 ? [.gaussianNoise(sigma: sigma, seed: 5)] : [])
        let r = try SceneRenderer.render(picture)
        let image = try PNG.decode(try PNG.encode(r.image, settings: .init(level: 1)))
        #expect(image.samples.map(Double.init) == samples(r))
    }

    @Test func garbageIsAnErrorNotACrash() {
        #expect(throws: RenderError.self) { try PNG.decode(Data("not a png".utf8)) }
        var truncated = try! PNG.encodeGray8([1, 2, 3, 4], width: 2, height: 2)
        truncated.removeLast(20)
        #expect(throws: RenderError.self) { try PNG.decode(truncated) }
    }
}
