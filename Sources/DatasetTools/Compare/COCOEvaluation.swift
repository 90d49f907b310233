/// COCO detection and instance-segmentation metrics, computed exactly as pycocotools'
/// `COCOeval` does (`evaluate`, `accumulate`, `summarize` of cocoapi `PythonAPI/pycocotools/cocoeval.py`):
/// IoU thresholds 0.50:0.05:0.95, 101 recall points, maxDets 1/10/100, areas all/small/medium/large
/// (pixels², `[0, 1e10]`, `[0, 32²]`, `[32², 96²]`, `[96², 1e10]`), crowd ground truths
/// matched many times and never counted as misses, detections sorted by score with ties
/// kept in input order (numpy's stable `mergesort`).
public struct COCOEvaluation: Sendable {
    /// What an IoU is taken of: boxes (`bbox`) or masks (`segm`).
    public enum IoUType: String, Sendable, CaseIterable {
        case bbox, segm
    }

    public let iouType: IoUType
    /// The twelve `COCOeval.stats`, in pycocotools' order: AP, AP50, AP75, APs, APm, APl,
    /// AR1, AR10, AR100, ARs, ARm, ARl. -1 where there is nothing to average (no ground truth).
    public let stats: [Double]
    /// One entry per category, in increasing id.
    public let perClass: [ClassResult]
    /// One entry per image, in increasing id: agreement at IoU ≥ 0.5 (area all, 100
    /// detections per image and class), all classes together.
    public let perImage: [ImageAgreement]

    public struct ImageAgreement: Sendable, Equatable {
        public let imageID: Int
        /// Ground truths that are not crowds; detections not matched to a crowd.
        public let groundTruths: Int
        public let detections: Int
        public let matches: Int
        /// `nil` when nothing matched.
        public let meanMatchedIoU: Double?
        /// 2 · matches / (ground truths + detections); 1 for an image empty on both sides.
        public var f1: Double { groundTruths + detections == 0 ? 1 : 2 * Double(matches) / Double(groundTruths + detections) }
    }

    public struct ClassResult: Sendable, Equatable {
        public let categoryID: Int
        /// AP@[.5:.95], area all, 100 detections; -1 without ground truth.
        public let averagePrecision: Double
        /// The detections matched at IoU ≥ 0.5 (area all, 100 detections per image), and
        /// the mean of their IoUs (`nil` when none).
        public let matches: Int
        public let meanMatchedIoU: Double?
    }

    public static let statNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]

    /// One labeled object as the evaluation sees it.
    struct Object: Sendable {
        var id: Int
        var imageID: Int
        var categoryID: Int
        /// `[x, y, w, h]`, pixels.
        var bbox: [Double]
        /// Pixels² (a ground truth's `area`; a detection's as pycocotools `loadRes` sets it).
        var area: Double
        var isCrowd: Bool
        var score: Double
        var mask: RunLengthMask?
        /// Outside the bin of a breakdown (`--by`): a ground truth is ignored as one outside
        /// the area range is, a detection ignored unless matched, as one whose area is outside.
        var isOutOfBin = false
    }

    /// A detection matched to a ground truth that is not ignored, at IoU ≥ 0.5, area all, as
    /// `perClass` counts them: indices into the `groundTruths` and `detections` given.
    struct Match: Sendable {
        var categoryID: Int
        var imageID: Int
        var groundTruth: Int
        var detection: Int
        var iou: Double
    }
    /// Every match, by category, then image, then detection in decreasing score.
    let matches: [Match]

    /// All classes together: matches at IoU ≥ 0.5 and their mean IoU (`nil` when none).
    public var matchCount: Int { matches.count }
    public var meanMatchedIoU: Double? {
        matches.isEmpty ? nil : matches.reduce(0) { $0 + $1.iou } / Double(matches.count)
    }

    // numpy.linspace(.5, .95, 10) and numpy.linspace(0, 1, 101), bit for bit.
    static let iouThresholds: [Double] = linspace(0.5, 0.95, count: 10)
    static let recallThresholds: [Double] = linspace(0, 1, count: 101)
    static let maxDetections = [1, 10, 100]
    static let areaRanges: [(Double, Double)] = [(0, 1e10), (0, 1024), (1024, 9216), (9216, 1e10)]

    /// What `evaluateImg` keeps of one image, category and area range (detections cut to 100).
    private struct ImageResult {
        var scores: [Double]
        /// `[t * D + d]`: matched a ground truth (pycocotools: matched id ≠ 0).
        var isMatched: [Bool]
        var isIgnored: [Bool]
        /// Ground truths not ignored.
        var countedGroundTruths: Int
    }

    /// - Parameters:
    ///   - imageIDs, categoryIDs: the ground truth's, each once (sorted here, as `COCOeval.params`).
    ///   - groundTruths, detections: each in file order; every image and category id among
    ///     those given.
    init(iouType: IoUType, imageIDs: [Int], categoryIDs: [Int], groundTruths: [Object], detections: [Object]) {
        self.iouType = iouType
        let images = imageIDs.sorted(), categories = categoryIDs.sorted()
        let imageIndex = Dictionary(uniqueKeysWithValues: images.enumerated().map { ($1, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        let I = images.count, K = categories.count, T = Self.iouThresholds.count, R = Self.recallThresholds.count
        let A = Self.areaRanges.count, M = Self.maxDetections.count
        let maxDet = Self.maxDetections[M - 1]

        func groups(_ objects: [Object]) -> [[Int]] {
            var groups = [[Int]](repeating: [], count: I * K)
            for (n, o) in objects.enumerated() {
                guard let i = imageIndex[o.imageID], let k = categoryIndex[o.categoryID] else { continue }
                groups[k * I + i].append(n)
            }
            return groups
        }
        let gtGroups = groups(groundTruths), dtGroups = groups(detections)

        // evaluate(): per category, area range and image.
        var results = [ImageResult?](repeating: nil, count: K * A * I)
        var matchedIoUSum = [Double](repeating: 0, count: K), matchedCount = [Int](repeating: 0, count: K)
        var imageIoUSum = [Double](repeating: 0, count: I), imageMatches = [Int](repeating: 0, count: I)
        var imageGroundTruths = [Int](repeating: 0, count: I), imageDetections = [Int](repeating: 0, count: I)
        var matches: [Match] = []
        for k in 0..<K {
            for i in 0..<I {
                let gtAll = gtGroups[k * I + i].map { groundTruths[$0] }
                var dtIndices = stableSortedByScore(dtGroups[k * I + i], detections)
                if gtAll.isEmpty && dtIndices.isEmpty { continue }
                if dtIndices.count > maxDet { dtIndices.removeSubrange(maxDet...) }
                let dt = dtIndices.map { detections[$0] }
                // computeIoU: [d * G + g], ground truths in file order.
                let G = gtAll.count, D = dt.count
                var ious = [Double](repeating: 0, count: D * G)
                for d in 0..<D {
                    for g in 0..<G {
                        ious[d * G + g] = Self.iou(iouType, dt[d], gtAll[g])
                    }
                }
                for a in 0..<A {
                    let (low, high) = Self.areaRanges[a]
                    let ignoredAll = gtAll.map { $0.isCrowd || $0.isOutOfBin || $0.area < low || $0.area > high }
                    // Not-ignored ground truths first, order kept (mergesort of the flags).
                    let order = gtAll.indices.filter { !ignoredAll[$0] } + gtAll.indices.filter { ignoredAll[$0] }
                    let gt = order.map { gtAll[$0] }, gtIgnored = order.map { ignoredAll[$0] }
                    var gtMatched = [Bool](repeating: false, count: T * G)
                    var isMatched = [Bool](repeating: false, count: T * D)
                    var isIgnored = [Bool](repeating: false, count: T * D)
                    if D > 0 && G > 0 {
                        // Per detection, the ground truths (in `gt` order) it overlaps by the
                        // lowest threshold or more: the others are passed over at every
                        // threshold, and where one would end the loop, so would the next candidate.
                        var candidates = [[Int32]](repeating: [], count: D)
                        for d in 0..<D {
                            for g in 0..<G where ious[d * G + order[g]] >= Self.iouThresholds[0] { candidates[d].append(Int32(g)) }
                        }
                        for t in 0..<T {
                            for d in 0..<D {
                                var best = min(Self.iouThresholds[t], 1 - 1e-10)
                                var m = -1
                                for g32 in candidates[d] {
                                    let g = Int(g32)
                                    if gtMatched[t * G + g] && !gt[g].isCrowd { continue }
                                    if m > -1 && !gtIgnored[m] && gtIgnored[g] { break }
                                    let value = ious[d * G + order[g]]
                                    if value < best { continue }
                                    best = value
                                    m = g
                                }
                                guard m >= 0 else { continue }
                                isIgnored[t * D + d] = gtIgnored[m]
                                isMatched[t * D + d] = gt[m].id != 0
                                gtMatched[t * G + m] = dt[d].id != 0
                                if a == 0 && t == 0 && !gtIgnored[m] {
                                    matches.append(Match(
                                        categoryID: categories[k], imageID: images[i], groundTruth: gtGroups[k * I + i][order[m]],
                                        detection: dtIndices[d], iou: best))
                                    matchedIoUSum[k] += best
                                    matchedCount[k] += 1
                                    imageIoUSum[i] += best
                                    imageMatches[i] += 1
                                }
                            }
                        }
                    }
                    for d in 0..<D where dt[d].isOutOfBin || dt[d].area < low || dt[d].area > high {
                        for t in 0..<T where !isMatched[t * D + d] { isIgnored[t * D + d] = true }
                    }
                    if a == 0 {
                        imageGroundTruths[i] += gtIgnored.count(where: { !$0 })
                        imageDetections[i] += (0..<D).count(where: { !isIgnored[$0] })
                    }
                    results[(k * A + a) * I + i] = ImageResult(
                        scores: dt.map(\.score), isMatched: isMatched, isIgnored: isIgnored,
                        countedGroundTruths: gtIgnored.count(where: { !$0 }))
                }
            }
        }

        // accumulate(): precision [t][r][k][a][m], recall [t][k][a][m], -1 where undefined.
        var precision = [Double](repeating: -1, count: T * R * K * A * M)
        var recall = [Double](repeating: -1, count: T * K * A * M)
        for k in 0..<K {
            for a in 0..<A {
                let perImage = (0..<I).compactMap { results[(k * A + a) * I + $0] }
                if perImage.isEmpty { continue }
                let counted = perImage.reduce(0) { $0 + $1.countedGroundTruths }
                for (m, maxDet) in Self.maxDetections.enumerated() {
                    if counted == 0 { continue }
                    // Concatenated image by image, then sorted by score, ties in that order.
                    var entries: [(score: Double, image: Int, d: Int)] = []
                    for (n, r) in perImage.enumerated() {
                        for d in 0..<min(maxDet, r.scores.count) { entries.append((r.scores[d], n, d)) }
                    }
                    let order = entries.indices.sorted { entries[$0].score > entries[$1].score || (entries[$0].score == entries[$1].score && $0 < $1) }
                    let nd = order.count
                    for t in 0..<T {
                        var tp = 0.0, fp = 0.0
                        var rc = [Double](repeating: 0, count: nd), pr = [Double](repeating: 0, count: nd)
                        for (n, e) in order.enumerated() {
                            let entry = entries[e], r = perImage[entry.image], D = r.scores.count
                            if r.isIgnored[t * D + entry.d] { } else if r.isMatched[t * D + entry.d] { tp += 1 } else { fp += 1 }
                            rc[n] = tp / Double(counted)
                            pr[n] = tp / (fp + tp + Double.ulpOfOne)
                        }
                        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0
                        if nd > 1 { for n in stride(from: nd - 1, to: 0, by: -1) where pr[n] > pr[n - 1] { pr[n - 1] = pr[n] } }
                        // searchsorted(rc, recThrs, 'left'); past the end, precision stays 0.
                        var n = 0
                        for (ri, threshold) in Self.recallThresholds.enumerated() {
                            while n < nd && rc[n] < threshold { n += 1 }
                            if n == nd { for rj in ri..<R { precision[(((t * R + rj) * K + k) * A + a) * M + m] = 0 }; break }
                            precision[(((t * R + ri) * K + k) * A + a) * M + m] = pr[n]
                        }
                    }
                }
            }
        }

        // summarize()
        func meanOfDefined(_ values: some Sequence<Double>) -> Double {
            var sum = 0.0, count = 0
            for v in values where v > -1 { sum += v; count += 1 }
            return count == 0 ? -1 : sum / Double(count)
        }
        func ap(t: Int? = nil, a: Int = 0, k: Int? = nil) -> Double {
            let ts = t.map { [$0] } ?? Array(0..<T), ks = k.map { [$0] } ?? Array(0..<K)
            return meanOfDefined(ts.lazy.flatMap { t in (0..<R).lazy.flatMap { r in ks.lazy.map { k in precision[(((t * R + r) * K + k) * A + a) * M + (M - 1)] } } })
        }
        func ar(a: Int = 0, m: Int = M - 1) -> Double {
            meanOfDefined((0..<T).lazy.flatMap { t in (0..<K).lazy.map { k in recall[((t * K + k) * A + a) * M + m] } })
        }
        self.matches = matches
        stats = [ap(), ap(t: 0), ap(t: 5), ap(a: 1), ap(a: 2), ap(a: 3), ar(m: 0), ar(m: 1), ar(), ar(a: 1), ar(a: 2), ar(a: 3)]
        perImage = images.enumerated().map { i, id in
            ImageAgreement(
                imageID: id, groundTruths: imageGroundTruths[i], detections: imageDetections[i], matches: imageMatches[i],
                meanMatchedIoU: imageMatches[i] == 0 ? nil : imageIoUSum[i] / Double(imageMatches[i]))
        }
        perClass = categories.enumerated().map { k, id in
            ClassResult(
                categoryID: id, averagePrecision: ap(k: k), matches: matchedCount[k],
                meanMatchedIoU: matchedCount[k] == 0 ? nil : matchedIoUSum[k] / Double(matchedCount[k]))
        }
    }

    private static func iou(_ type: IoUType, _ d: Object, _ g: Object) -> Double {
        switch type {
        case .bbox: return boxIoU(d.bbox, g.bbox, isCrowd: g.isCrowd)
        case .segm:
            guard let dm = d.mask, let gm = g.mask else { return 0 }
            return dm.iou(withGroundTruth: gm, isCrowd: g.isCrowd)
        }
    }
}

/// `indices` (into `objects`, increasing) sorted by decreasing score, equal scores in their
/// given order (numpy `argsort(-score, kind='mergesort')`).
private func stableSortedByScore(_ indices: [Int], _ objects: [COCOEvaluation.Object]) -> [Int] {
    indices.sorted { objects[$0].score > objects[$1].score || (objects[$0].score == objects[$1].score && $0 < $1) }
}

/// numpy `linspace(start, stop, count)`: `i * step + start`, the last value `stop` exactly.
private func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
    let step: Double = (stop - start) / Double(count - 1)
    var values: [Double] = []
    for i in 0..<(count - 1) { values.append(Double(i) * step + start) }
    values.append(stop)
    return values
}
