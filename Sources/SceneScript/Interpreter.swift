import SceneModel

/// What a checked program gives the interpreter: the flattened top-level statements and the
/// tables the statements refer to. Immutable, shared by all threads.
struct CompiledScript: Sendable {
    var statements: [Statement]
    var templates: [String: TemplateDeclaration]
    var categories: [Category]
    var categoryIDs: [String: Int]
    var width: Int
    var height: Int
    /// Samples an image may draw until its `require`s hold (`attempts N`).
    var attempts: Int
    /// Every requirement (`require`, quota strata) in program order, and the position in
    /// that list of each condition (by its source range).
    var requirements: [RequirementInfo]
    var requirementIndex: [SourceRange: Int]
    /// The strata of the program's `quota`, if it has one.
    var quota: QuotaSchedule?
    /// The key of every drawing site and context-making node.
    var streams: RandomStreams
    /// The value in force of each `param` (override or default).
    var parameterValues: [String: Value]
    /// Every `record` name in program order, and whether it collects a list.
    var records: [(name: String, isList: Bool)]
    /// The image files the scripts use, resolved and cached.
    var media: MediaLibrary
    /// The `clip` statement's frames and rate, or `nil` for a script of still images.
    var clip: ClipSettings?
    /// The `sensor` statement's settings (8-bit RGB without one).
    var sensor: Sensor = .rgb8
}

/// The state of sampling one attempt of one image: its random generator, its frame time, the
/// variables in scope, the instances drawn so far. Created fresh for each attempt of each
/// `sample(seed:index:)` call and never shared.
struct Interpreter {
    let script: CompiledScript
    /// The generator of the draw being made: set from ``streamRoot``, the site's key and
    /// ``context`` just before each drawing call (``useStream(for:)``).
    var rng: SceneRandomGenerator
    /// The root of this attempt's streams (``SceneRandomGenerator/root(seed:index:attempt:)``).
    let streamRoot: UInt64
    /// Which execution of a site this is: renewed per loop iteration, template call and
    /// aggregate member (``RandomStreams``).
    private(set) var context: UInt64 = 0
    /// The time of the frame being sampled, in seconds, visible to scripts as `time`. Always 0
    /// for still images; video will sample one image per frame time.
    let time: Double
    /// The image's index in the run (`image_index`).
    let index: Int
    /// The image's quota stratum (its position in the `quota` statement), if any.
    let stratum: Int?
    /// The measured picture of this attempt while deferred requirements are checked
    /// (``checkDeferred(facts:)``); `nil` while the script runs.
    private(set) var facts: (any RenderedFacts)?
    /// The values of the `record` statements run so far (lists for those in loops/templates).
    private(set) var recorded: [String: RecordedValue] = [:]
    /// Requirements on rendered facts met while the script ran, in order, each with the
    /// scopes it saw: checked once the attempt's instance raster is drawn.
    private(set) var deferred: [DeferredRequirement] = []
    /// Evaluation steps taken so far by this image, including its earlier attempts.
    private(set) var steps: Int
    /// How often each `require` held, including earlier attempts of this image.
    private(set) var tally: ConstraintTally
    /// Innermost scope last. A template call swaps in a fresh stack holding its parameters.
    private var scopes: [[String: Value]] = [[:]]
    private var templateDepth = 0
    private(set) var instances: [Instance] = []
    private(set) var background: Paint = .solid(.black)
    /// The light of the last `light` statement executed, or nil.
    var light: Light?
    /// The effects of the `effect` statements executed, in order.
    var effects: [Effect] = []
    /// The photograph of `background photo(…)`, drawn over `background`, or nil.
    private(set) var backgroundImage: Bitmap?
    /// The parts of the object being built, or nil outside an object.
    private var parts: [Shape]?
    /// The statement of the object being built (for errors that name it).
    private var objectRange: SourceRange?
    /// The `object` statement of each instance, in ``instances`` order.
    private var objectRanges: [SourceRange] = []
    /// Path segments (``SceneModel/Geometry/segmentCount``) of every shape drawn so far in this
    /// attempt, against ``Limits/segmentsPerImage``.
    private var segments = 0
    /// Maps the current local frame (object, template use) to canvas pixels.
    private var transform = AffineTransform.identity
    /// The view of the last `camera` statement executed (canvas pixels to canvas pixels), or
    /// `nil`; applied to every instance by ``finishedInstances``.
    var camera: AffineTransform?
    /// How often each track key was placed in this sample, so that a key stays unique even if
    /// one statement placed two objects in one context.
    private var trackKeyUses: [UInt64: Int] = [:]
    /// The frame of its clip this sample is (frame 0 of 1 for a still image), carrying what
    /// the earlier frames showed the requirements over the clip.
    var clipFrame = ClipFrame()

    init(script: CompiledScript, root: UInt64, time: Double = 0, index: Int = 0, stratum: Int? = nil,
         steps: Int = 0, tally: ConstraintTally = ConstraintTally()) {
        self.script = script
        self.streamRoot = root
        self.rng = SceneRandomGenerator(root: root, stream: 0)
        self.time = time
        self.index = index
        self.stratum = stratum
        self.steps = steps
        self.tally = tally
    }

    // MARK: Statements

    mutating func run() throws {
        try execute(script.statements)
        try checkWindowPixels()
    }

    /// Counts `cost` evaluation steps against ``Limits/evaluationSteps``.
    mutating func step(_ range: SourceRange, cost: Int = 1) throws {
        steps += cost
        if steps > Limits.evaluationSteps {
            throw ProblemReport("this image needs more than \(Limits.evaluationSteps) evaluation steps", at: range,
                                help: "lower the repeat counts or the template nesting; note that a List grown in a "
                                    + "loop ('l = l + [x]') is copied, at the cost of its length, at every step")
        }
    }

    private mutating func execute(_ block: [Statement]) throws {
        for statement in block { try execute(statement) }
    }

    /// Runs `body` with the current transform composed with `local` (an object, group or
    /// template use), restoring the transform afterwards.
    private mutating func inFrame(_ local: AffineTransform, _ body: (inout Interpreter) throws -> Void) throws {
        let outer = transform
        transform = outer.concatenating(local)
        defer { transform = outer }
        try body(&self)
    }

    /// Points ``rng`` at the stream of the site at `range` in the current context.
    mutating func useStream(for range: SourceRange) {
        rng = SceneRandomGenerator(root: streamRoot, stream: splitMix64(context ^ script.streams.key(range)))
    }

    /// Runs `body` in context `index` of the node at `range` (a loop iteration, a template
    /// call, an aggregate member), restoring the context afterwards.
    mutating func inContext<T>(of range: SourceRange, _ index: Int, _ body: (inout Interpreter) throws -> T) throws -> T {
        let outer = context
        context = RandomStreams.context(outer, script.streams.key(range), index)
        defer { context = outer }
        return try body(&self)
    }

    /// Runs `body` in a new scope holding `name = value`.
    mutating func withBinding<T>(_ name: String, _ value: Value, _ body: (inout Interpreter) throws -> T) throws -> T {
        scopes.append([name: value])
        defer { scopes.removeLast() }
        return try body(&self)
    }

    private mutating func inScope(_ body: (inout Interpreter) throws -> Void) throws {
        scopes.append([:])
        defer { scopes.removeLast() }
        try body(&self)
    }

    private mutating func execute(_ statement: Statement) throws {
        try step(statement.range)
        switch statement.kind {
        case .canvas, .classes, .import, .template, .attempts, .clip, .sensor:
            break  // resolved at compile time
        case let .camera(call):
            try executeCamera(call)
        case let .param(name, _, _, _):
            scopes[scopes.count - 1][name] = script.parameterValues[name]!
        case let .record(name, _, expr):
            let value = try recordable(try evaluate(expr), at: expr.range)
            if script.records.first(where: { $0.name == name })!.isList {
                if case let .list(items)? = recorded[name] { recorded[name] = .list(items + [value]) } else { recorded[name] = .list([value]) }
            } else {
                recorded[name] = value
            }
        case let .background(expr):
            let value = try evaluate(expr)
            let center = SceneModel.Point(Double(script.width) / 2, Double(script.height) / 2)
            let halfDiagonal = (Double(script.width * script.width + script.height * script.height)).squareRoot() / 2
            if case let .photo(_, bitmap) = value {
                (background, backgroundImage) = (.solid(.black), bitmap)
            } else {
                background = try paint(value, center: center, radius: halfDiagonal, what: "background", at: expr.range)
                backgroundImage = nil
            }
        case let .light(call):
            try executeLight(call)
        case let .effect(call):
            try executeEffect(call)
        case let .let(name, _, expr):
            scopes[scopes.count - 1][name] = try evaluate(expr)
        case let .assign(name, range, expr):
            let value = try evaluate(expr)
            guard let level = scopes.lastIndex(where: { $0[name] != nil }) else {
                throw ProblemReport("unknown variable '\(name)'", at: range)
            }
            scopes[level][name] = value
        case let .repeat(countExpr, indexName, _, body):
            let count = try Self.integer(try evaluate(countExpr), "repeat count", at: countExpr.range)
            if count < 0 { throw ProblemReport("repeat count must not be negative, got \(count)", at: countExpr.range) }
            if count > Limits.repeatCount {
                throw ProblemReport("repeat count \(count) exceeds the limit of \(Limits.repeatCount) per loop", at: countExpr.range)
            }
            for i in 0..<count {
                try step(countExpr.range)  // so that even empty loops count towards the step limit
                try inContext(of: statement.range, i) { this in
                    try this.inScope { this in
                        if let indexName { this.scopes[this.scopes.count - 1][indexName] = .int(i) }
                        try this.execute(body)
                    }
                }
            }
        case let .for(name, _, sequence, body):
            let value = try evaluate(sequence)
            guard case let .list(items) = value else {
                throw ProblemReport("'for' needs a List to go through, got \(value.typeName) \(value.display)", at: sequence.range)
            }
            for (i, item) in items.enumerated() {
                try step(sequence.range)
                try inContext(of: statement.range, i) { this in
                    try this.inScope { this in
                        this.scopes[this.scopes.count - 1][name] = item
                        try this.execute(body)
                    }
                }
            }
        case let .if(condition, then, elseBody):
            let value = try evaluate(condition)
            guard case let .bool(isTrue) = value else {
                throw ProblemReport("the condition must be a Bool, got \(value.typeName) \(value.display)", at: condition.range)
            }
            if isTrue {
                try inScope { try $0.execute(then) }
            } else if let elseBody {
                try inScope { try $0.execute(elseBody) }
            }
        case let .require(condition, probability):
            if let probability {
                let p = try Self.number(try evaluate(probability), "the probability of 'require[P]'", at: probability.range)
                guard p >= 0 && p <= 1 else {
                    throw ProblemReport("the probability of 'require[P]' must be between 0 and 1, got \(formatNumber(p))", at: probability.range)
                }
                useStream(for: statement.range)
                guard Distributions.bernoulli(p, using: &rng) else { return }
            }
            try require(condition)
        case let .quota(strata):
            guard let stratum else { preconditionFailure("a program with a quota samples every image in a stratum") }
            try require(strata[stratum].condition)
        case let .object(objectClass, transforms, body, handle, attributes):
            try drawObject(objectClass, transforms, body, attributes: attributes, range: statement.range)
            if let handle { scopes[scopes.count - 1][handle.name] = .instance(instances.count) }
        case let .group(transforms, body):
            let local = try localTransform(transforms)
            try inFrame(local) { try $0.inScope { try $0.execute(body) } }
        case let .draw(call, transforms):
            try drawPart(call, transforms)
        }
    }

    /// The recorded values in the order of the program's `record` statements.
    var records: [RecordedField] {
        script.records.compactMap { entry in recorded[entry.name].map { RecordedField(name: entry.name, value: $0) } }
    }

    /// `value` as provenance records it.
    /// - Throws: for values with no plain form (paints, textures, instances, …).
    private func recordable(_ value: Value, at range: SourceRange) throws -> RecordedValue {
        guard let recorded = value.recorded else {
            throw ProblemReport("\(value.typeName.first.map { "AEIOU".contains($0) } == true ? "an" : "a") \(value.typeName) cannot be recorded: record numbers, strings, Bools, colours, points and lists of them",
                                at: range)
        }
        return recorded
    }

    /// Checks `condition` now, or, when it asks about the rendered picture, records it with
    /// the scopes in force to be checked once the attempt is drawn.
    /// - Throws: ``Rejection`` when it is false.
    private mutating func require(_ condition: Expr) throws {
        if script.requirements[script.requirementIndex[condition.range]!].isRendered {
            deferred.append(DeferredRequirement(condition: condition, scopes: scopes, context: context))
            return
        }
        try check(condition)
    }

    private mutating func check(_ condition: Expr) throws {
        if script.requirements[script.requirementIndex[condition.range]!].isOverClip {
            // Observed in every frame; decided, and counted, once the last frame is observed
            // or as soon as the frames so far leave it no way to hold.
            guard clipFrame.isChecked else { return }
            try observeClipFrame(condition)
            guard clipFrame.isLast else {
                guard cannotHoldOverClip(condition) else { return }
                tally.record(condition.range, held: false)
                throw Rejection(constraint: condition.range)
            }
        }
        let value = try evaluate(condition)
        guard case let .bool(holds) = value else {
            throw ProblemReport("a requirement must be a Bool, got \(value.typeName) \(value.display)", at: condition.range)
        }
        tally.record(condition.range, held: holds)
        if !holds { throw Rejection(constraint: condition.range) }
    }

    /// Checks the deferred requirements in the order they were met, each in the scopes it
    /// saw, against the measured picture of this attempt. Random draws they make come after
    /// every draw of the script.
    /// - Throws: ``Rejection`` at the first that is false.
    mutating func checkDeferred(facts: any RenderedFacts) throws {
        self.facts = facts
        defer { self.facts = nil }
        for requirement in deferred {
            scopes = requirement.scopes
            context = requirement.context
            try check(requirement.condition)
        }
    }

    private mutating func drawObject(_ objectClass: ObjectClass, _ transforms: Transforms, _ body: [Statement],
                                     attributes attributeArguments: [Argument], range: SourceRange) throws {
        let categoryID: Int?
        switch objectClass {
        case .unlabeled:
            categoryID = nil
        case let .name(name, nameRange):
            guard let id = script.categoryIDs[name] else { throw ProblemReport("unknown class '\(name)'", at: nameRange) }
            categoryID = id
        case let .expression(expr):
            let value = try evaluate(expr)
            guard case let .string(name) = value else {
                throw ProblemReport("a class must be given by its name as a String, got \(value.typeName) \(value.display)", at: expr.range)
            }
            guard let id = script.categoryIDs[name] else {
                throw ProblemReport("unknown class '\(name)'", at: expr.range,
                                    help: name == "unlabeled"
                                        ? "'unlabeled' is not a class; write the keyword itself: 'object unlabeled { … }'"
                                        : didYouMean(name, among: script.categories.map(\.name)))
            }
            categoryID = id
        }
        if instances.count >= Limits.instances {
            throw ProblemReport("this image has more than \(Limits.instances) instances", at: range)
        }
        if let categoryID, !script.categories[categoryID - 1].isThing, let first = attributeArguments.first, let labelRange = first.labelRange {
            throw ProblemReport("'\(script.categories[categoryID - 1].name)' is a stuff class: its objects get no annotation to hold attributes",
                                at: labelRange, help: "give attributes to objects of thing classes ('classes …') only")
        }
        var attributes: [RecordedField] = []
        for argument in attributeArguments {
            attributes.append(RecordedField(name: argument.label!, value: try recordable(try evaluate(argument.value), at: argument.value.range)))
        }
        let local = try localTransform(transforms)
        parts = []
        objectRange = range
        defer { parts = nil; objectRange = nil }
        try inFrame(local) { try $0.inScope { try $0.execute(body) } }
        // The object's identity across the frames of a clip: its statement and its context
        // (loop iterations, template calls), which no draw and no frame time changes.
        var trackKey = splitMix64(context ^ script.streams.key(range))
        let uses = trackKeyUses[trackKey, default: 0]
        trackKeyUses[trackKey] = uses + 1
        if uses > 0 { trackKey = splitMix64(trackKey ^ UInt64(uses)) }
        instances.append(Instance(id: instances.count + 1, categoryID: categoryID, shapes: parts ?? [], attributes: attributes,
                                  trackKey: trackKey))
        objectRanges.append(range)
    }

    /// Draws a primitive, or runs a template body, under the current transform composed with
    /// the part's own. Arguments are evaluated first (written order, then missing defaults in
    /// parameter order), then the transforms in written order.
    private mutating func drawPart(_ call: Call, _ transforms: Transforms) throws {
        if let primitive = Primitive(rawValue: call.name) {
            let (values, ranges) = try evaluateArguments(call, signature: primitive.signature)
            let local = try localTransform(transforms)
            let shape = try makeShape(primitive, values, ranges, call: call)
            guard parts != nil else { throw ProblemReport("shapes can only be drawn inside an object", at: call.range) }
            let object = [(message: "in this object", range: objectRange!)]
            if parts!.count >= Limits.shapesPerInstance {
                throw ProblemReport("this object has more than \(Limits.shapesPerInstance) shapes", at: call.range,
                                    help: "draw fewer shapes per object: an object is one instance, its shapes its parts", notes: object)
            }
            segments += shape.geometry.segmentCount
            if segments > Limits.segmentsPerImage {
                throw ProblemReport("this image's shapes have more than \(Limits.segmentsPerImage) path segments (\(Limits.segmentsPerImage / Geometry.textSegmentsPerCharacter) characters of text)",
                                    at: call.range,
                                    help: "draw fewer shapes, fewer points or shorter texts; each segment is drawn for the picture and for every mask",
                                    notes: object)
            }
            let composed = try checkedShapeTransform(transform.concatenating(local), at: call.range)
            var placed = shape
            placed.transform = composed
            try checkExtent(of: placed, at: call.range)
            parts!.append(placed)
            return
        }
        guard let template = script.templates[call.name] else {
            throw ProblemReport("unknown shape or template '\(call.name)'", at: call.nameRange)
        }
        if templateDepth >= Limits.templateDepth {
            throw ProblemReport("templates nest deeper than \(Limits.templateDepth) calls", at: call.range,
                                help: "check '\(template.name)' for unbounded recursion")
        }
        let signature = Signature("template '\(template.name)'", template.parameters.map {
            Signature.Parameter(name: $0.name, isRequired: $0.defaultValue == nil)
        })
        let bound = try signature.bind(call.arguments, call: call.range)
        var written: [Value] = []
        for argument in call.arguments { written.append(try evaluate(argument.value)) }
        // Defaults are evaluated in the template's scope, seeing the parameters before them,
        // and (like the body) in the call's own random context.
        let callerScopes = scopes
        let callerContext = context
        scopes = [[:]]
        context = RandomStreams.context(callerContext, script.streams.key(call.range), 0)
        templateDepth += 1
        defer { scopes = callerScopes; context = callerContext; templateDepth -= 1 }
        for (slot, parameter) in template.parameters.enumerated() {
            if let i = bound[slot] {
                scopes[0][parameter.name] = written[i]
            } else if let defaultValue = parameter.defaultValue {
                scopes[0][parameter.name] = try evaluate(defaultValue)
            }
        }
        // Transforms are written in the caller's scope and random context.
        let (templateScopes, templateContext) = (scopes, context)
        (scopes, context) = (callerScopes, callerContext)
        let local = try localTransform(transforms)
        (scopes, context) = (templateScopes, templateContext)
        try inFrame(local) { try $0.execute(template.body) }
    }

    /// `translate(at) · translate(anchor) · rotate · skew · scale · translate(−anchor)`: about the
    /// anchor (the local origin by default), scale first, then skew, then rotate; then move.
    private mutating func localTransform(_ transforms: Transforms) throws -> AffineTransform {
        var translation = AffineTransform.identity, rotation = AffineTransform.identity, scaling = AffineTransform.identity
        var shear = AffineTransform.identity, anchor = SceneModel.Point(0, 0)
        for (kind, expr) in transforms.items {
            let value = try evaluate(expr)
            switch (kind, value) {
            case let (.at, .point(x, y)):
                let p = try Self.coordinate(x, y, "at", at: expr.range)
                translation = .translation(p.x, p.y)
            case let (.anchor, .point(x, y)):
                anchor = try Self.coordinate(x, y, "anchor", at: expr.range)
            case (.at, _), (.anchor, _):
                throw ProblemReport("'\(kind.rawValue)' needs a Point like (x, y), got \(value.typeName) \(value.display)", at: expr.range)
            case (.rotate, _):
                rotation = .rotation(degrees: try Self.number(value, "rotate", at: expr.range))
            case let (.scale, .point(sx, sy)):
                scaling = .scale(try scaleFactor(.double(sx), at: expr.range), try scaleFactor(.double(sy), at: expr.range))
            case (.scale, _):
                let s = try scaleFactor(value, at: expr.range)
                scaling = .scale(s, s)
            case let (.skew, .point(ax, ay)):
                shear = .skew(degreesX: try skewAngle(.double(ax), at: expr.range), degreesY: try skewAngle(.double(ay), at: expr.range))
            case (.skew, _):
                shear = .skew(degreesX: try skewAngle(value, at: expr.range), degreesY: 0)
            }
        }
        let aboutOrigin = rotation.concatenating(shear.concatenating(scaling))
        return translation.concatenating(.translation(anchor.x, anchor.y))
            .concatenating(aboutOrigin.concatenating(.translation(-anchor.x, -anchor.y)))
    }

    /// A scale factor: finite, not 0, and of magnitude within ``Limits/scale`` (negative mirrors).
    private func scaleFactor(_ value: Value, at range: SourceRange) throws -> Double {
        let s = try Self.number(value, "scale", at: range)
        guard Limits.scale.contains(Swift.abs(s)) else {
            throw ProblemReport("scale \(formatNumber(s)) is out of range: its magnitude must be between \(formatNumber(Limits.scale.lowerBound)) and \(formatNumber(Limits.scale.upperBound))",
                                at: range, help: s == 0 ? "a scale of 0 would make the shape vanish; leave the shape out instead" : nil)
        }
        return s
    }

    private func skewAngle(_ value: Value, at range: SourceRange) throws -> Double {
        let angle = try Self.number(value, "skew", at: range)
        guard Swift.abs(angle) <= Limits.skewDegrees else {
            throw ProblemReport("skew \(formatNumber(angle))° is out of range: it must be within ±\(formatNumber(Limits.skewDegrees))°", at: range)
        }
        return angle
    }

    /// The transform of a shape about to be drawn: its linear part must neither collapse the
    /// shape (area factor below ``Limits/scale`` squared) nor blow it up, so that no object
    /// silently vanishes or overflows Cairo.
    private func checkedShapeTransform(_ t: AffineTransform, at range: SourceRange) throws -> AffineTransform {
        let (low, high) = (Limits.scale.lowerBound, Limits.scale.upperBound)
        let areaScale = Swift.abs(t.areaScale)
        let largest = Swift.max(Swift.abs(t.a), Swift.abs(t.b), Swift.abs(t.c), Swift.abs(t.d))
        guard areaScale >= low * low, largest <= high, t.tx.isFinite, t.ty.isFinite else {
            throw ProblemReport("the combined transforms scale this shape by \(formatNumber(areaScale.squareRoot())) (in area by \(formatNumber(areaScale))), outside \(formatNumber(low))…\(formatNumber(high))",
                                at: range, help: "nested 'scale's multiply; check the enclosing objects, groups and templates")
        }
        return t
    }

    /// A shape about to be drawn must lie within ``Limits/extent`` of the canvas origin:
    /// its bounding disc (``SceneModel/Geometry/boundingRadius``, plus the outline's mitred
    /// reach) under its transform, whose linear part stretches a length by at most its
    /// largest singular value.
    private func checkExtent(of shape: SceneModel.Shape, at range: SourceRange) throws {
        let t = shape.transform
        let radius = shape.boundingDiscRadius
        let reach = Swift.max(Swift.abs(t.tx), Swift.abs(t.ty)) + radius
        guard reach <= Limits.extent else {
            throw ProblemReport("this shape reaches \(formatNumber(reach.rounded(.up))) pixels from the canvas origin (its bounding radius is \(formatNumber(radius.rounded(.up))) pixels on the canvas); a shape may reach at most \(formatNumber(Limits.extent))",
                                at: range, help: "make it smaller or scale it less: nested 'scale's multiply")
        }
    }

    /// The finished image's instances, seen through the camera, must have work windows
    /// (``SceneModel/Instance/windowPixels(width:height:)``) of at most ``Limits/windowPixels``
    /// pixels in all. Checked once the script has run (the camera may come last), before
    /// anything is drawn; the error is at the `object` statement of the instance that crosses it.
    /// - Complexity: O(shapes), plus the points of polygons and paths.
    private func checkWindowPixels() throws {
        var total = 0
        for (k, instance) in finishedInstances().enumerated() {
            total += instance.windowPixels(width: script.width, height: script.height)
            guard total <= Limits.windowPixels else {
                throw ProblemReport("this image's instances need more than \(Limits.windowPixels) pixels of drawing windows (each instance's box on the canvas, extended by \(SceneModel.Scene.amodalMargin) px past each edge for its amodal mask); this object, instance \(k + 1), crosses it",
                                    at: objectRanges[k],
                                    help: "draw fewer or smaller objects, or a smaller canvas: every instance is drawn, and masked, over its window")
            }
        }
    }

    // MARK: Expressions

    /// Evaluates written arguments left to right, then the defaults of the missing optional
    /// parameters (built-ins and primitives have none that draw). Returns one value (and the
    /// range of its argument) per parameter, nil for a parameter left to its default.
    mutating func evaluateArguments(_ call: Call, signature: Signature) throws -> ([Value?], [SourceRange?]) {
        let bound = try signature.bind(call.arguments, call: call.range)
        var written: [Value] = []
        written.reserveCapacity(call.arguments.count)
        for argument in call.arguments { written.append(try evaluate(argument.value)) }
        return (bound.map { $0.map { written[$0] } }, bound.map { $0.map { call.arguments[$0].value.range } })
    }

    mutating func evaluate(_ expr: Expr) throws -> Value {
        try step(expr.range)
        switch expr.kind {
        case let .int(v): return .int(v)
        case let .double(v): return .double(v)
        case let .string(v): return .string(v)
        case let .bool(v): return .bool(v)
        case let .color(v): return .color(v)
        case let .variable(name):
            for scope in scopes.reversed() {
                if let value = scope[name] { return value }
            }
            switch name {
            case "pi": return .double(Double.pi)
            case "width": return .int(script.width)
            case "height": return .int(script.height)
            case "time": return .double(time)
            case "image_index": return .int(index)
            case "stratum":
                guard let stratum, let quota = script.quota else { return .string("") }
                return .string(quota.names[stratum])
            default: throw ProblemReport("unknown variable '\(name)'", at: expr.range)
            }
        case let .point(xExpr, yExpr):
            let x = try Self.number(try evaluate(xExpr), "the x of a point", at: xExpr.range)
            let y = try Self.number(try evaluate(yExpr), "the y of a point", at: yExpr.range)
            return .point(x, y)
        case let .list(items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case let .index(listExpr, indexExpr):
            let list = try evaluate(listExpr)
            let index = try evaluate(indexExpr)
            let items: [Value]
            switch list {
            case let .list(values): items = values
            case let .point(x, y): items = [.double(x), .double(y)]
            default: throw ProblemReport("only a List or a Point can be indexed, got \(list.typeName) \(list.display)", at: listExpr.range)
            }
            let i = try Self.integer(index, "a list index", at: indexExpr.range)
            guard items.indices.contains(i) else {
                throw ProblemReport("index \(i) is out of range for a List of \(items.count) element\(items.count == 1 ? "" : "s")", at: indexExpr.range,
                                    help: items.isEmpty ? nil : "indices run from 0 to \(items.count - 1)")
            }
            return items[i]
        case let .call(call):
            return try callBuiltin(call)
        case let .aggregate(aggregate):
            return try evaluate(aggregate, at: expr.range)
        case let .unary(op, operandExpr):
            let operand = try evaluate(operandExpr)
            switch (op, operand) {
            case let (.negate, .int(v)):
                guard v != Int.min else { throw ProblemReport("integer overflow in unary '-': \(v) has no Int negation", at: expr.range) }
                return .int(-v)
            case let (.negate, .double(v)): return .double(-v)
            case let (.negate, .point(x, y)): return .point(-x, -y)
            case let (.not, .bool(v)): return .bool(!v)
            default:
                throw ProblemReport("'\(op.rawValue)' cannot be applied to \(operand.typeName) \(operand.display)", at: expr.range)
            }
        case let .binary(op, leftExpr, rightExpr):
            let left = try evaluate(leftExpr)
            if op == .and || op == .or {
                guard case let .bool(l) = left else {
                    throw ProblemReport("'\(op.rawValue)' needs Bool operands, got \(left.typeName) \(left.display)", at: leftExpr.range)
                }
                // Short-circuit: the right side (and its draws) is skipped when the left decides.
                if (op == .and && !l) || (op == .or && l) { return .bool(l) }
                let right = try evaluate(rightExpr)
                guard case let .bool(r) = right else {
                    throw ProblemReport("'\(op.rawValue)' needs Bool operands, got \(right.typeName) \(right.display)", at: rightExpr.range)
                }
                return .bool(r)
            }
            let right = try evaluate(rightExpr)
            let result = try Self.binary(op, left, right, at: expr.range)
            // Concatenation copies both operands: charge the copy, so that growing a List or a
            // String one element at a time stays within the step limit instead of going quadratic.
            switch result {
            case let .list(items): try step(expr.range, cost: items.count)
            case let .string(text): try step(expr.range, cost: text.unicodeScalars.count)
            default: break
            }
            return result
        }
    }

    private static func binary(_ op: BinaryOperator, _ left: Value, _ right: Value, at range: SourceRange) throws -> Value {
        func overflow() -> ProblemReport { ProblemReport("integer overflow in '\(op.rawValue)'", at: range) }
        switch (op, left, right) {
        case let (.add, .int(a), .int(b)):
            let (r, o) = a.addingReportingOverflow(b); if o { throw overflow() }; return .int(r)
        case let (.subtract, .int(a), .int(b)):
            let (r, o) = a.subtractingReportingOverflow(b); if o { throw overflow() }; return .int(r)
        case let (.multiply, .int(a), .int(b)):
            let (r, o) = a.multipliedReportingOverflow(by: b); if o { throw overflow() }; return .int(r)
        case let (.remainder, .int(a), .int(b)):
            if b == 0 { throw ProblemReport("remainder by zero", at: range) }
            let (r, o) = a.remainderReportingOverflow(dividingBy: b); if o { throw overflow() }; return .int(r)
        case let (.add, .point(ax, ay), .point(bx, by)): return .point(ax + bx, ay + by)
        case let (.subtract, .point(ax, ay), .point(bx, by)): return .point(ax - bx, ay - by)
        case let (.add, .string(a), .string(b)):
            guard a.unicodeScalars.count + b.unicodeScalars.count <= Limits.stringLength else {
                throw ProblemReport("'+' would make a String longer than \(Limits.stringLength) characters", at: range)
            }
            return .string(a + b)
        case let (.add, .list(a), .list(b)):
            guard a.count + b.count <= Limits.listLength else {
                throw ProblemReport("'+' would make a List longer than \(Limits.listLength) elements", at: range)
            }
            return .list(a + b)
        case (.equal, _, _): return .bool(Interpreter.isEqual(left, right))
        case (.notEqual, _, _): return .bool(!Interpreter.isEqual(left, right))
        default: break
        }
        if let a = left.number, let b = right.number {
            switch op {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide:
                if b == 0 { throw ProblemReport("division by zero", at: range) }
                return .double(a / b)
            case .remainder:
                if b == 0 { throw ProblemReport("remainder by zero", at: range) }
                return .double(a.truncatingRemainder(dividingBy: b))
            case .less: return .bool(a < b)
            case .lessOrEqual: return .bool(a <= b)
            case .greater: return .bool(a > b)
            case .greaterOrEqual: return .bool(a >= b)
            default: break
            }
        }
        switch (op, left, right) {
        case let (.multiply, .point(x, y), _) where right.number != nil: return .point(x * right.number!, y * right.number!)
        case let (.multiply, _, .point(x, y)) where left.number != nil: return .point(x * left.number!, y * left.number!)
        case let (.divide, .point(x, y), _) where right.number != nil:
            if right.number! == 0 { throw ProblemReport("division by zero", at: range) }
            return .point(x / right.number!, y / right.number!)
        default:
            throw ProblemReport("'\(op.rawValue)' cannot be applied to \(left.typeName) \(left.display) and \(right.typeName) \(right.display)", at: range)
        }
    }

    /// Equality; Int and Double compare by numeric value.
    static func isEqual(_ a: Value, _ b: Value) -> Bool {
        if let x = a.number, let y = b.number { return x == y }
        return a == b
    }

    // MARK: Conversions

    static func number(_ value: Value, _ what: String, at range: SourceRange) throws -> Double {
        guard let v = value.number else {
            throw ProblemReport("\(what) must be a number, got \(value.typeName) \(value.display)", at: range)
        }
        guard v.isFinite else { throw ProblemReport("\(what) must be a finite number, got \(formatNumber(v))", at: range) }
        return v
    }

    /// A point used as geometry: finite and within ±`maximumCoordinate` pixels.
    static func coordinate(_ x: Double, _ y: Double, _ what: String, at range: SourceRange) throws -> SceneModel.Point {
        for v in [x, y] where !v.isFinite || Swift.abs(v) > Limits.coordinate {
            throw ProblemReport("\(what) must be finite and within ±\(formatNumber(Limits.coordinate)) pixels, got (\(formatNumber(x)), \(formatNumber(y)))", at: range)
        }
        return SceneModel.Point(x, y)
    }

    /// An Int, or a Double with an integral value.
    static func integer(_ value: Value, _ what: String, at range: SourceRange) throws -> Int {
        switch value {
        case let .int(v): return v
        case let .double(v) where v == v.rounded() && abs(v) < 9e15: return Int(v)
        case .double:
            throw ProblemReport("\(what) must be a whole number, got \(value.display)", at: range)
        default:
            throw ProblemReport("\(what) must be a whole number, got \(value.typeName) \(value.display)", at: range)
        }
    }
}
