import Annotation
import Foundation
public import SceneScript

/// What sampling a run's images took: how often each requirement was checked and held, how
/// many attempts the images drew, how many images each quota stratum got, and which images
/// were left out because no attempt met the requirements (``ExhaustedPolicy/skip``).
///
/// Assembled from the record log (each image's ``SceneScript/SampleReport``), so a resumed
/// run, a merge of shards and an uninterrupted run report the same numbers; written into
/// `manifest.json` as `acceptance` (see ``json``).
public struct AcceptanceReport: Sendable, Equatable {
    /// One requirement of the program (a `require`, or a quota stratum's condition), with its
    /// counts over the run.
    public struct Requirement: Sendable, Equatable {
        /// `file:line:col` of the condition; the file by name only, as the manifest records sources.
        public var location: String
        /// The condition as written.
        public var text: String
        public var kind: RequirementInfo.Kind
        /// Whether the condition asks about the rendered picture.
        public var isRendered: Bool
        /// Over every attempt of every image of the run, skipped images included.
        public var count = RequirementCount()

        /// `held / checked`, or `nil` when it was never checked.
        public var acceptanceRate: Double? {
            count.checked > 0 ? Double(count.held) / Double(count.checked) : nil
        }
    }

    /// An image left out because every attempt was rejected.
    public struct SkippedImage: Sendable, Equatable {
        public var index: Int
        public var attempts: Int
        /// The position in ``AcceptanceReport/requirements`` of the requirement that rejected
        /// the image's attempts most often (the first in program order on a tie).
        public var requirement: Int
    }

    /// One quota stratum: the images assigned to it.
    public struct Stratum: Sendable, Equatable {
        public var name: String
        /// The share the `quota` statement asks for.
        public var share: Double
        /// Images of the stratum that were written.
        public var images = 0
        /// Images of the stratum that were left out.
        public var skipped = 0
    }

    /// In program order.
    public private(set) var requirements: [Requirement]
    /// In the order of the `quota` statement; empty without one.
    public private(set) var strata: [Stratum]
    /// Images written.
    public private(set) var images = 0
    /// Images left out, in index order.
    public private(set) var skipped: [SkippedImage] = []
    /// Attempts drawn for every image of the run, written or skipped.
    public private(set) var attempts = 0
    /// The most attempts one image took.
    public private(set) var maximumAttempts = 0
    /// Image counts by attempts: bucket 0 holds images of 1 attempt, bucket k ≥ 1 those of
    /// 2^(k−1) + 1 … 2^k attempts; up to the bucket of ``maximumAttempts``.
    public private(set) var attemptHistogram: [Int] = []
    /// In a focused run (`render --focus`): attempts that met every requirement (`checked`)
    /// and those the focus kept (`held`); `nil` otherwise.
    public private(set) var focus: RequirementCount?
    /// In a focused run: per factor and bin (the last: in no bin), the written images' counts
    /// (``SceneScript/SampleReport/focusBins``) summed — the achieved distribution.
    public private(set) var focusBins: [[Int]] = []

    /// An empty report of a program with these requirements.
    public init(requirements: [Requirement]) {
        self.requirements = requirements
        strata = requirements.compactMap {
            guard case let .quota(name, share) = $0.kind else { return nil }
            return Stratum(name: name, share: share)
        }
    }

    /// Images of the run: written and skipped.
    public var sampledImages: Int { images + skipped.count }

    /// Samples whose sampling was counted (images; for clips, clips), written or skipped.
    public private(set) var samples = 0
    /// Of ``samples``, those accepted.
    public private(set) var acceptedSamples = 0

    /// Accepted samples per attempt (1 when every image, or clip, was accepted at its first
    /// attempt); `nil` before any.
    public var acceptanceRate: Double? { attempts > 0 ? Double(acceptedSamples) / Double(attempts) : nil }

    /// Mean attempts per image (per clip for clips), written or skipped; `nil` before any.
    public var meanAttempts: Double? { samples > 0 ? Double(attempts) / Double(samples) : nil }

    /// The attempts range of histogram bucket `k`: 1…1, 2…2, 3…4, 5…8, …
    public static func attemptRange(ofBucket k: Int) -> ClosedRange<Int> {
        k == 0 ? 1...1 : (1 << (k - 1)) + 1...(1 << k)
    }

    /// Adds image `index`: its sampling report, and whether it was left out.
    /// - Parameter countsSampling: whether `report` is counted in the sampling figures
    ///   (attempts, requirements, strata, focus). Every frame of a clip carries its clip's
    ///   report, so only its first frame counts: `false` for the others.
    /// - Precondition: `report.checks` has one count per requirement.
    mutating func add(index: Int, report: SampleReport, isSkipped: Bool, countsSampling: Bool = true) {
        precondition(report.checks.count == requirements.count, "a sample report of another program")
        guard countsSampling else {
            if isSkipped {
                skipped.append(SkippedImage(index: index, attempts: report.attempts, requirement: Self.worstRequirement(report)))
            } else {
                images += 1
            }
            return
        }
        samples += 1
        if !isSkipped { acceptedSamples += 1 }
        for (i, check) in report.checks.enumerated() { requirements[i].count = requirements[i].count + check }
        attempts += report.attempts
        maximumAttempts = max(maximumAttempts, report.attempts)
        var bucket = 0
        while !Self.attemptRange(ofBucket: bucket).contains(report.attempts) { bucket += 1 }
        if attemptHistogram.count <= bucket { attemptHistogram += Array(repeating: 0, count: bucket + 1 - attemptHistogram.count) }
        attemptHistogram[bucket] += 1
        if let counted = report.focus { focus = (focus ?? RequirementCount()) + counted }
        if let bins = report.focusBins, !isSkipped {
            if focusBins.isEmpty { focusBins = bins.map { [Int](repeating: 0, count: $0.count) } }
            if focusBins.map(\.count) == bins.map(\.count) {
                for f in bins.indices { for b in bins[f].indices { focusBins[f][b] += bins[f][b] } }
            }
        }
        let stratum = report.stratum.flatMap { name in strata.firstIndex { $0.name == name } }
        if isSkipped {
            skipped.append(SkippedImage(index: index, attempts: report.attempts, requirement: Self.worstRequirement(report)))
            if let stratum { strata[stratum].skipped += 1 }
        } else {
            images += 1
            if let stratum { strata[stratum].images += 1 }
        }
    }

    /// The requirement that rejected `report`'s attempts most; on a tie the first (`max`
    /// would keep the last).
    static func worstRequirement(_ report: SampleReport) -> Int {
        let rejections = report.checks.map { $0.checked - $0.held }
        return rejections.indices.min { rejections[$0] > rejections[$1] } ?? 0
    }

    // MARK: - JSON

    /// The requirement as the record log's header and the manifest name it: `location`,
    /// `text`, `kind` (`"require"`, `"soft"` with `probability`, `"quota"` with `stratum`
    /// and `share`), `rendered`.
    static func identityJSON(_ requirement: Requirement) -> [JSONMember] {
        var members = [JSONMember("location", .string(requirement.location)), JSONMember("text", .string(requirement.text))]
        switch requirement.kind {
        case .require:
            members.append(JSONMember("kind", .string("require")))
        case let .soft(probability):
            // A probability computed while sampling has no one value: written as null.
            members += [JSONMember("kind", .string("soft")), JSONMember("probability", probability.map(JSONValue.double) ?? .null)]
        case let .quota(stratum, share):
            members += [JSONMember("kind", .string("quota")), JSONMember("stratum", .string(stratum)),
                        JSONMember("share", .double(share))]
        }
        members.append(JSONMember("rendered", .bool(requirement.isRendered)))
        return members
    }

    /// Reads back ``identityJSON(_:)``; `nil` when `object` is not one.
    static func requirement(fromIdentity object: [String: Any]) -> Requirement? {
        guard let location = object["location"] as? String, let text = object["text"] as? String,
              let kindName = object["kind"] as? String, let isRendered = object["rendered"] as? Bool else { return nil }
        let kind: RequirementInfo.Kind
        switch kindName {
        case "require": kind = .require
        case "soft":
            if object["probability"] is NSNull {
                kind = .soft(probability: nil)
            } else {
                guard let probability = (object["probability"] as? NSNumber)?.doubleValue else { return nil }
                kind = .soft(probability: probability)
            }
        case "quota":
            guard let stratum = object["stratum"] as? String, let share = (object["share"] as? NSNumber)?.doubleValue else { return nil }
            kind = .quota(stratum: stratum, share: share)
        default: return nil
        }
        return Requirement(location: location, text: text, kind: kind, isRendered: isRendered)
    }

    /// The `acceptance` member of `manifest.json`, keys in this order: `images` (written),
    /// `skipped` (left out), `attempts` (drawn for all of them), `acceptance_rate`
    /// (`images / attempts`, `null` without images), `attempts_per_image` (`mean`, `max`,
    /// `histogram` of `{from, to, images}`), `requirements` (the identity, then `checked`,
    /// `held`, `acceptance_rate`), `strata` (`name`, `share`, `images`, `skipped`), in a
    /// focused run `focus` (`checked`, `held`, `bins`: ``focusBins``) and
    /// `skipped_images` (`index`, `attempts`, and the `requirement` that rejected most, by
    /// `location` and `text`).
    var json: JSONValue {
        func rate(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        let histogram: [JSONValue] = attemptHistogram.enumerated().map { k, images in
            let range = Self.attemptRange(ofBucket: k)
            return .object([JSONMember("from", .int(range.lowerBound)), JSONMember("to", .int(range.upperBound)),
                             JSONMember("images", .int(images))])
        }
        return .object([
            JSONMember("images", .int(images)),
            JSONMember("skipped", .int(skipped.count)),
            JSONMember("attempts", .int(attempts)),
            JSONMember("acceptance_rate", rate(acceptanceRate)),
            JSONMember("attempts_per_image", .object([
                JSONMember("mean", rate(meanAttempts)), JSONMember("max", .int(maximumAttempts)),
                JSONMember("histogram", .array(histogram)),
            ])),
            JSONMember("requirements", .array(requirements.map { requirement in
                .object(Self.identityJSON(requirement) + [
                    JSONMember("checked", .int(requirement.count.checked)), JSONMember("held", .int(requirement.count.held)),
                    JSONMember("acceptance_rate", rate(requirement.acceptanceRate)),
                ])
            })),
            JSONMember("strata", .array(strata.map { stratum in
                .object([JSONMember("name", .string(stratum.name)), JSONMember("share", .double(stratum.share)),
                         JSONMember("images", .int(stratum.images)), JSONMember("skipped", .int(stratum.skipped))])
            })),
        ] + (focus.map { focus in [JSONMember("focus", .object([
            JSONMember("checked", .int(focus.checked)), JSONMember("held", .int(focus.held)),
            JSONMember("bins", .array(focusBins.map { .array($0.map(JSONValue.int)) })),
        ]))] } ?? []) + [
            JSONMember("skipped_images", .array(skipped.map { image in
                let requirement = requirements.indices.contains(image.requirement) ? requirements[image.requirement] : nil
                return .object([
                    JSONMember("index", .int(image.index)), JSONMember("attempts", .int(image.attempts)),
                    JSONMember("requirement", requirement.map {
                        .object([JSONMember("location", .string($0.location)), JSONMember("text", .string($0.text))])
                    } ?? .null),
                ])
            })),
        ])
    }
}

extension AcceptanceReport.Requirement {
    /// `info` as a run records it: its location's file by name only (`shapes.scene:7:9`), so
    /// the bytes do not depend on the folder the scene was run from and no local path leaks.
    init(_ info: RequirementInfo) {
        var location = info.location
        // `path:line:col`: the path may itself hold colons, the line and column do not.
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 3 {
            let path = parts.dropLast(2).joined(separator: ":")
            location = URL(fileURLWithPath: path).lastPathComponent + ":" + parts.suffix(2).joined(separator: ":")
        }
        self.init(location: location, text: info.text, kind: info.kind, isRendered: info.isRendered)
    }
}
