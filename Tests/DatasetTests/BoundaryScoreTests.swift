import Annotation
@testable import DatasetTools
import Testing

/// The boundary F-measure: hand-computed cases (a shifted square, the frame edge, the disk
/// tolerance, empty masks), and random masks against a brute-force reading of the definition.
@Suite struct BoundaryScoreTests {
    /// A mask of the pixels `isSet(x, y)` on a `width × height` canvas.
    private func mask(_ width: Int, _ height: Int, _ isSet: (Int, Int) -> Bool) -> RunLengthMask {
        var bits = [Bool](repeating: false, count: width * height)
        for y in 0..<height { for x in 0..<width { bits[y * width + x] = isSet(x, y) } }
        return RunLengthMask(RLE(mask: bits, width: width, height: height))
    }

    /// A 4 × 4 square (boundary: its 12 ring pixels) against itself shifted one pixel right:
    /// 6 ring pixels shared, so at tolerance 0 P = R = 6/12 and F = 0.5; at tolerance 1 every
    /// ring pixel has one of the other within reach, F = 1.
    @Test func shiftedSquare() {
        let gt = mask(10, 10) { (2...5).contains($0) && (2...5).contains($1) }
        let shifted = mask(10, 10) { (3...6).contains($0) && (2...5).contains($1) }
        let exact = BoundaryScore(predicted: shifted, groundTruth: gt, tolerance: 0)
        #expect(exact == BoundaryScore(predictedBoundary: 12, groundTruthBoundary: 12, predictedMatched: 6, groundTruthMatched: 6))
        #expect(exact.f == 0.5)
        #expect(BoundaryScore(predicted: shifted, groundTruth: gt, tolerance: 1).f == 1)
        #expect(BoundaryScore(predicted: gt, groundTruth: gt, tolerance: 0).f == 1)
    }

    /// The frame is no contour: the left three columns of a 5 × 5 image have one boundary
    /// column (x = 2), and a mask filling the frame has none.
    @Test func theFrameEdgeIsNoBoundary() {
        let left = mask(5, 5) { x, _ in x < 3 }
        #expect(BoundaryScore(predicted: left, groundTruth: left, tolerance: 0).predictedBoundary == 5)
        let full = mask(5, 5) { _, _ in true }
        let score = BoundaryScore(predicted: full, groundTruth: left, tolerance: 0)
        #expect(score.predictedBoundary == 0 && score.groundTruthBoundary == 5 && score.f == 0)
        #expect(BoundaryScore(predicted: full, groundTruth: full, tolerance: 0).f == 1)
    }

    /// Pixels (5, 5) and (7, 6) are √5 ≈ 2.24 apart: out of reach at tolerance 2 (a square
    /// window would take them), within it at 3.
    @Test func theToleranceIsADisk() {
        let a = mask(12, 12) { $0 == 5 && $1 == 5 }, b = mask(12, 12) { $0 == 7 && $1 == 6 }
        #expect(BoundaryScore(predicted: b, groundTruth: a, tolerance: 2).f == 0)
        #expect(BoundaryScore(predicted: b, groundTruth: a, tolerance: 3).f == 1)
        #expect(BoundaryScore.tolerance(height: 480, width: 640) == 7)
        #expect(BoundaryScore.tolerance(height: 384, width: 640) == 6)
    }

    @Test func emptyMasks() {
        let empty = mask(6, 6) { _, _ in false }, dot = mask(6, 6) { $0 == 2 && $1 == 2 }
        #expect(BoundaryScore(predicted: empty, groundTruth: empty, tolerance: 2).f == 1)
        #expect(BoundaryScore(predicted: empty, groundTruth: dot, tolerance: 2).f == 0)
        #expect(BoundaryScore(predicted: dot, groundTruth: empty, tolerance: 2).f == 0)
    }

    /// Random masks: the counts equal those of the definition applied pixel by pixel.
    @Test func randomMasksMatchTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let w = Int.random(in: 1...14, using: &generator), h = Int.random(in: 1...14, using: &generator)
            let t = Int.random(in: 0...3, using: &generator)
            let pa = Double.random(in: 0.2...0.8, using: &generator), pb = Double.random(in: 0.2...0.8, using: &generator)
            let a = (0..<(w * h)).map { _ in Double.random(in: 0..<1, using: &generator) < pa }
            let b = (0..<(w * h)).map { _ in Double.random(in: 0..<1, using: &generator) < pb }
            func boundary(_ m: [Bool]) -> [(Int, Int)] {
                var points: [(Int, Int)] = []
                for y in 0..<h {
                    for x in 0..<w where m[y * w + x] {
                        let neighbours: [(Int, Int)] = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
                        let outside = neighbours.contains { (n: (Int, Int)) -> Bool in
                            n.0 >= 0 && n.1 >= 0 && n.0 < w && n.1 < h && !m[n.1 * w + n.0]
                        }
                        if outside { points.append((x, y)) }
                    }
                }
                return points
            }
            let ba = boundary(a), bb = boundary(b)
            func near(_ from: [(Int, Int)], _ to: [(Int, Int)]) -> Int {
                from.count { p in
                    to.contains { q in
                        let dx: Int = p.0 - q.0, dy: Int = p.1 - q.1
                        return dx * dx + dy * dy <= t * t
                    }
                }
            }
            let score = BoundaryScore(
                predicted: RunLengthMask(RLE(mask: a, width: w, height: h)),
                groundTruth: RunLengthMask(RLE(mask: b, width: w, height: h)), tolerance: t)
            #expect(score == BoundaryScore(
                predictedBoundary: ba.count, groundTruthBoundary: bb.count,
                predictedMatched: near(ba, bb), groundTruthMatched: near(bb, ba)), "\(w)×\(h) t=\(t)")
        }
    }
}
