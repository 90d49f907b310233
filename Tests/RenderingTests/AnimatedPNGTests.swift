import Foundation
import Rendering
import Testing

/// The APNG assembler: chunk order, sequence numbers, frame count and CRCs, per the APNG spec.
@Suite struct AnimatedPNGTests {
    /// A `width × height` RGB PNG filled with one grey level.
    private func frame(_ level: UInt8, width: Int = 6, height: Int = 4) throws -> Data {
        try PNG.encodeRGB8([UInt8](repeating: level, count: 3 * width * height), width: width, height: height)
    }

    private func animation(_ frames: [Data], delay: AnimatedPNG.Delay = .init(fps: 12)) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let apng = AnimatedPNG(frameCount: frames.count, delay: delay) { bytes += $0 }
        for frame in frames { try apng.append(png: frame) }
        try apng.finish()
        return bytes
    }

    private func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test func chunksFollowTheAPNGLayout() throws {
        let frames = try [0, 100, 200].map { try frame(UInt8($0)) }
        let chunks = try AnimatedPNG.chunks(of: animation(frames))
        #expect(chunks.map(\.type) == ["IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "fcTL", "fdAT", "IEND"])
        let actl = chunks[1].data
        #expect((uint32(actl, 0), uint32(actl, 4)) == (3, 0), "3 frames, played forever")
        // fcTL and fdAT share one sequence from 0; fcTL: seq, width, height, x, y, delay 1/12 s, dispose NONE, blend SOURCE.
        let sequence = chunks.filter { ["fcTL", "fdAT"].contains($0.type) }.map { uint32($0.data, 0) }
        #expect(sequence == [0, 1, 2, 3, 4])
        for control in chunks.filter({ $0.type == "fcTL" }) {
            #expect(control.data.count == 26)
            #expect((uint32(control.data, 4), uint32(control.data, 8), uint32(control.data, 12), uint32(control.data, 16)) == (6, 4, 0, 0))
            #expect(Array(control.data[20..<26]) == [0, 1, 0, 12, 0, 0])
        }
        // Frame k's data is its own PNG's IDAT data unchanged; frame 0 stays the still image.
        for (k, png) in frames.enumerated() {
            let idat = try AnimatedPNG.chunks(of: [UInt8](png)).filter { $0.type == "IDAT" }.flatMap(\.data)
            let stored = k == 0 ? chunks[3].data : Array(chunks[3 + 2 * k].data.dropFirst(4))
            #expect(stored == idat)
        }
        #expect(try PNG.decode(Data(animation(frames))) == PNG.decode(frames[0]), "readers without APNG see frame 0")
    }

    @Test func delaysFromFrameRates() {
        #expect(AnimatedPNG.Delay(fps: 24) == .init(numerator: 1, denominator: 24))
        #expect(AnimatedPNG.Delay(fps: 29.97) == .init(numerator: 33, denominator: 1000))
        #expect(AnimatedPNG.Delay(fps: 0.5) == .init(numerator: 2000, denominator: 1000))
    }

    @Test func knownCRC() {
        // The CRC of an empty IEND chunk's type, as every PNG ends: AE 42 60 82.
        #expect(AnimatedPNG.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func refusesFramesOfAnotherSizeAndBrokenPNGs() throws {
        let apng = AnimatedPNG(frameCount: 2, delay: .init(fps: 1)) { _ in }
        try apng.append(png: try frame(0))
        #expect(throws: RenderError.self) { try apng.append(png: try frame(0, width: 7)) }
        var broken = [UInt8](try frame(0))
        broken[20] ^= 1  // inside IHDR's data: its CRC no longer matches
        #expect(throws: RenderError.png("PNG chunk IHDR at byte 8: bad CRC")) { try AnimatedPNG.chunks(of: broken) }
        #expect(throws: RenderError.self) { try AnimatedPNG.chunks(of: Array(broken.prefix(30))) }
    }
}
