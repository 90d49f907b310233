import Foundation
import SceneModel

/// A compiled scene script: parsed, imports resolved, statically checked. Immutable and
/// thread-safe; ``sample(seed:index:)`` turns it into one image's ``SceneModel/Scene``.
public final class SceneProgram: Sendable {
    /// The main file first, then imported files in first-import order (for provenance hashing).
    public var sources: [SourceFile] { buffers.map(\.file) }
    /// The main file's base name without extension, e.g. `shapes`.
    public let name: String
    /// The categories of all `classes` statements, ids 1, 2, … in declaration order.
    public var categories: [SceneModel.Category] { script.categories }
    /// Canvas width in pixels (from the constant `canvas W x H`; 512 by default).
    public var width: Int { script.width }
    /// Canvas height in pixels.
    public var height: Int { script.height }

    /// Every requirement of the program — each `require` statement and each quota stratum —
    /// in program order (imports inlined). ``SampleReport/checks`` counts follow this order.
    public var requirements: [RequirementInfo] { script.requirements }
    /// Whether some requirement asks about the rendered picture, so that sampling needs a
    /// `measure` function (``sample(seed:index:measuring:)``).
    public var hasRenderedRequirements: Bool { script.requirements.contains(where: \.isRendered) }
    /// The script's `param`s in declaration order, each with the value in force for this
    /// program (its override or its default): part of a run's identity.
    public let parameters: [ParameterInfo]
    /// The names a script records per image (`record NAME`), in program order, and whether
    /// each gives a list (recorded inside a loop or template).
    public var recordedNames: [(name: String, isList: Bool)] { script.records }

    /// The attempts an image may draw until its requirements hold (`attempts N`).
    public var attemptLimit: Int { script.attempts }
    /// The names of the quota strata, in the order of the `quota` statement (empty without one).
    public var strata: [String] { script.quota?.names ?? [] }

    /// The image files the scripts load by literal paths (sprites, photographs, the files of
    /// photograph folders), sorted by path as written. Paths computed while sampling are not
    /// known before the run and are not listed.
    public let mediaFiles: [MediaFile]

    private let buffers: [SourceBuffer]
    /// For each imported file (index ≥ 1), the range of the `import` statement that first
    /// brought it in.
    private let importSites: [Int: SourceRange]
    /// Internal so that tests can run the interpreter directly (e.g. at another frame time).
    let script: CompiledScript

    private init(name: String, buffers: [SourceBuffer], importSites: [Int: SourceRange], mediaFiles: [MediaFile],
                 script: CompiledScript, parameters: [ParameterInfo]) {
        self.parameters = parameters
        self.name = name
        self.mediaFiles = mediaFiles
        self.buffers = buffers
        self.importSites = importSites
        self.script = script
    }

    /// Parses `main`, resolves its imports through `resolver`, and checks the whole program.
    /// - Throws: ``ScriptError`` carrying every diagnostic found (the parser recovers at
    ///   statement boundaries); a file the resolver fails to read is one of them.
    /// The largest scene or template file, in bytes (4 MiB); a larger one is a compile error.
    public static let maximumSourceBytes = Limits.sourceBytes

    /// - Parameter overrides: values for the script's `param`s (`--set`, a parameter file);
    ///   a later override of the same name wins.
    /// - Throws: also ``ParameterError`` (a usage error) when the script is sound but an
    ///   override names no parameter, has the wrong type or is not allowed.
    public static func compile(_ main: SourceFile, resolver: any ImportResolver,
                               overrides: [ParameterOverride] = []) throws -> SceneProgram {
        var compiler = Compiler(resolver: resolver)
        let statements = compiler.load(main)
        var problems = compiler.problems
        let declarations = collectParameters(statements, problems: &problems)
        var parameterValues: [String: Value] = [:]
        for declaration in declarations { parameterValues[declaration.name] = declaration.defaultValue }
        var overriddenNames: Set<String> = []
        var overrideOrigins: [String: String] = [:]
        var parameterError: ParameterError?
        for override in overrides {
            func location(_ d: ParameterDeclaration) -> String {
                let at = compiler.buffers[d.range.file].location(of: d.range)
                return "\(at.path):\(at.line):\(at.column): \(compiler.buffers[d.range.file].text(of: d.range))"
            }
            guard let declaration = declarations.first(where: { $0.name == override.name }) else {
                let names = declarations.map(\.name)
                parameterError = ParameterError(message: "\(override.origin): the scene has no parameter '\(override.name)'"
                    + (didYouMean(override.name, among: names).map { "; \($0)" } ?? "")
                    + (names.isEmpty ? " (it declares none; see 'param' in docs/LANGUAGE.md)" : " (parameters: \(names.joined(separator: ", ")))"))
                break
            }
            guard override.kind.fits(declaration.defaultValue), let value = declaration.read(override.text) else {
                parameterError = ParameterError(message: "\(override.origin): '\(override.name)' is \(declaration.defaultValue.typeName == "Int" ? "an" : "a") \(declaration.defaultValue.typeName), "
                    + "not \(override.kind.describe(override.text)) (declared at \(location(declaration)))")
                break
            }
            guard declaration.allows(value) else {
                parameterError = ParameterError(message: "\(override.origin): '\(override.name)' must be \(declaration.allowedText), "
                    + "not \(value.display) (declared at \(location(declaration)))")
                break
            }
            parameterValues[override.name] = value
            overriddenNames.insert(override.name)
            overrideOrigins[override.name] = override.origin
        }

        var templates: [String: TemplateDeclaration] = [:]
        for statement in statements {
            guard case let .template(declaration) = statement.kind else { continue }
            if let first = templates[declaration.name] {
                problems.append(ProblemReport("template '\(declaration.name)' is defined twice", at: declaration.nameRange,
                                              notes: [("first defined here", first.nameRange)]))
            } else if Primitive(rawValue: declaration.name) != nil || BuiltinFunction(rawValue: declaration.name) != nil {
                problems.append(ProblemReport("'\(declaration.name)' is a built-in name and cannot name a template", at: declaration.nameRange))
            } else {
                templates[declaration.name] = declaration
            }
        }
        let (categories, categoryIDs) = ClassNames.categories(of: statements, problems: &problems)
        var defaults: [String: Value] = [:]
        for declaration in declarations { defaults[declaration.name] = declaration.defaultValue }
        let checked = Checker.check(statements, templates: templates, categories: categories, categoryIDs: categoryIDs,
                                    parameterValues: parameterValues, overrideOrigins: overrideOrigins, defaults: defaults)
        if parameterError == nil, let problem = checked.overrideProblems.first { parameterError = ParameterError(message: problem) }
        // A problem the script does not have with its defaults is the overrides' fault: a
        // usage error naming them (below), not a script error.
        var scriptProblems = checked.problems, overrideCaused: [ProblemReport] = []
        if !overrideOrigins.isEmpty, !scriptProblems.isEmpty {
            let withDefaults = Checker.check(statements, templates: templates, categories: categories, categoryIDs: categoryIDs,
                                             parameterValues: defaults, defaults: defaults)
            let known = Set(withDefaults.problems.map { ProblemKey(range: $0.range, message: $0.message) })
            overrideCaused = scriptProblems.filter { !known.contains(ProblemKey(range: $0.range, message: $0.message)) }
            scriptProblems.removeAll { !known.contains(ProblemKey(range: $0.range, message: $0.message)) }
        }
        // Without a file that could not be imported, its names are unknown everywhere they are
        // used; those errors would bury the one that matters.
        if !compiler.hasMissingImport { problems += scriptProblems }
        let media = MediaLibrary(sourcePaths: compiler.buffers.map(\.file.path))
        let preflight = media.preflight(statements)
        problems += preflight.problems

        let conditions = requirementConditions(statements)
        let requirements = conditions.map { condition in
            let location = compiler.buffers[condition.expr.range.file].location(of: condition.expr.range)
            return RequirementInfo(location: "\(location.path):\(location.line):\(location.column)",
                                   text: compiler.buffers[condition.expr.range.file].text(of: condition.expr.range),
                                   kind: condition.kind, isRendered: condition.expr.asksRenderedFacts,
                                   isOverClip: condition.expr.asksClipFrames)
        }
        var requirementIndex: [SourceRange: Int] = [:]
        for (i, condition) in conditions.enumerated() { requirementIndex[condition.expr.range] = i }
        let program = SceneProgram(
            name: main.baseName, buffers: compiler.buffers, importSites: compiler.importSites, mediaFiles: preflight.files,
            script: CompiledScript(
                statements: statements, templates: templates, categories: categories, categoryIDs: categoryIDs,
                width: checked.width, height: checked.height, attempts: checked.attempts,
                requirements: requirements, requirementIndex: requirementIndex, quota: checked.quota,
                streams: RandomStreams(statements), parameterValues: parameterValues, records: checked.records,
                media: media, clip: checked.clip, sensor: checked.sensor),
            parameters: declarations.map { declaration in
                let at = compiler.buffers[declaration.range.file].location(of: declaration.nameRange)
                return ParameterInfo(name: declaration.name, location: "\(at.path):\(at.line):\(at.column)",
                                     type: declaration.defaultValue.typeName, defaultValue: declaration.defaultValue.recorded!,
                                     value: parameterValues[declaration.name]!.recorded!,
                                     isOverridden: overriddenNames.contains(declaration.name))
            })
        if !problems.isEmpty {
            throw ScriptError(diagnostics: program.diagnostics(problems))
        }
        if let parameterError { throw parameterError }
        if !overrideCaused.isEmpty, !compiler.hasMissingImport {
            throw program.overrideError(overrideCaused, values: parameterValues, origins: overrideOrigins)
        }
        return program
    }

    /// A compile problem told apart by place and message, to compare two checks of a script.
    private struct ProblemKey: Hashable {
        var range: SourceRange
        var message: String
    }

    /// The usage error for `problems`, which the script has only with the overridden values:
    /// the overrides they read (all of them when a problem names none) head the message, and
    /// each diagnostic gets a note per such parameter, e.g. `'bits' is 12 from --set bits=12`.
    private func overrideError(_ problems: [ProblemReport], values: [String: Value],
                               origins: [String: String]) -> ParameterError {
        var diagnostics = diagnostics(problems)
        var blamed: [String] = []
        for (i, problem) in problems.sorted(by: SceneProgram.isBefore).enumerated() {
            let words = buffers[problem.range.file].text(of: problem.range)
                .split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            let read = origins.keys.sorted().filter { name in words.contains { $0 == name } }
            // Past the diagnostics shown (a file's first errors), the notes go on the first one.
            let target = diagnostics.count == problems.count ? i : 0
            for name in read.isEmpty ? origins.keys.sorted() : read {
                let note = "'\(name)' is \(values[name]?.display ?? "?") from \(origins[name]!)"
                if !diagnostics[target].notes.contains(where: { $0.message == note }) {
                    diagnostics[target].notes.append(Diagnostic(severity: .note, message: note, location: nil))
                }
                if !blamed.contains(origins[name]!) { blamed.append(origins[name]!) }
            }
        }
        return ParameterError(message: "\(blamed.joined(separator: ", ")): the script cannot use this value (it checks "
            + "without it):\n" + ScriptError(diagnostics: diagnostics).rendered())
    }

    /// The diagnostics of compile problems in source order, at most
    /// ``ScriptError/errorsPerFile`` per file, each file's rest summed up in a note
    /// (`and N more errors in PATH`) after its last one shown: one garbled file cannot bury
    /// the output, nor cost a rendered source line per error.
    private func diagnostics(_ problems: [ProblemReport]) -> [Diagnostic] {
        var shown: [Diagnostic] = []
        var perFile: [Int: Int] = [:]
        var hiddenAfter: [(index: Int, file: Int)] = []
        for problem in problems.sorted(by: SceneProgram.isBefore) {
            let count = perFile[problem.range.file, default: 0]
            perFile[problem.range.file] = count + 1
            if count < ScriptError.errorsPerFile {
                shown.append(diagnostic(problem))
            } else if count == ScriptError.errorsPerFile {
                hiddenAfter.append((shown.count - 1, problem.range.file))
            }
        }
        for (index, file) in hiddenAfter {
            let hidden = perFile[file]! - ScriptError.errorsPerFile
            shown[index].notes.append(Diagnostic(
                severity: .note, message: "and \(hidden) more error\(hidden == 1 ? "" : "s") in \(buffers[file].file.path), not shown",
                location: nil))
        }
        return shown
    }

    /// Source order: by file (main first), then by position.
    private static func isBefore(_ a: ProblemReport, _ b: ProblemReport) -> Bool {
        (a.range.file, a.range.start) < (b.range.file, b.range.start)
    }

    /// Samples image `index` of a run, for programs whose requirements ask only about sampled
    /// values (``hasRenderedRequirements`` is false); see ``sample(seed:index:measuring:)``.
    /// - Throws: ``ScriptError`` for a runtime error, when no attempt met every requirement,
    ///   or when a requirement asks about the rendered picture.
    public func sample(seed: UInt64, index: Int) throws -> SceneModel.Scene {
        do {
            return try sample(seed: seed, index: index) { _ in throw UnmeasuredFacts() }.scene
        } catch let exhausted as ExhaustedAttempts {
            throw exhausted.error
        }
    }

    /// The image's quota stratum (its position in the `quota` statement), or `nil` without a
    /// quota: a function of the index alone (see ``QuotaSchedule``).
    public func stratum(of index: Int) -> Int? { script.quota?.stratum(of: index) }

    /// Samples image `index` of a run: a pure function of (program, seed, index), safe to call
    /// from many threads at once.
    ///
    /// Attempt k of the image (k = 0, 1, … while a requirement rejects the sample, at most
    /// `attempts` of them) runs on its own generator,
    /// ``SceneRandomGenerator/init(seed:index:attempt:)``. Requirements on sampled values are
    /// checked as the script runs; when the script has finished and some requirement it met
    /// asks about the rendered picture, `measure` draws what they need of the attempt's scene
    /// (the instance raster, amodal masks on demand) and those requirements are checked, in
    /// the order they were met.
    /// - Parameter measure: measures one attempt's scene; called at most once per attempt, and
    ///   only for attempts that reach a rendered-fact requirement.
    /// - Returns: the accepted scene, what sampling took, and the facts measured for it (if any).
    /// - Throws: ``ExhaustedAttempts`` when no attempt met every requirement; ``ScriptError``
    ///   for a runtime error, with a note naming the seed and index; whatever `measure` throws.
    /// - Parameter focus: re-weights which attempts are kept (see ``SampleFocus``); with one,
    ///   an image may draw `attempts × focus.attemptFactor` attempts (at most 10 000).
    public func sample(seed: UInt64, index: Int, focus: (any SampleFocus)? = nil,
                       measuring measure: (SceneModel.Scene) throws -> any RenderedFacts) throws -> Sample {
        var steps = 0
        var tally = ConstraintTally()
        let stratum = script.quota?.stratum(of: index)
        let stratumName = stratum.map { script.quota!.names[$0] }
        var focusCount = RequirementCount()
        let attempts = focus.map { min(Limits.attempts, max(script.attempts, script.attempts * max(1, $0.attemptFactor))) } ?? script.attempts
        do {
            for attempt in 0..<attempts {
                var still = ClipFrame()
                guard let (scene, facts) = try runAttempt(seed: seed, index: index, attempt: attempt, time: 0, stratum: stratum,
                                                          steps: &steps, tally: &tally, clipFrame: &still, measure: measure) else { continue }
                guard let focus else {
                    return Sample(scene: scene, report: SampleReport(attempts: attempt + 1, checks: checks(tally), stratum: stratumName),
                                  facts: facts)
                }
                let measured = try facts ?? (focus.needsRenderedFacts ? measure(scene) : nil)
                let decision = try focus.decide(scene, facts: measured)
                var draw = SceneRandomGenerator(root: SceneRandomGenerator.root(seed: seed, index: index, attempt: attempt),
                                                stream: Self.focusStream)
                focusCount.checked += 1
                if draw.nextUnit() < decision.acceptance {
                    focusCount.held += 1
                    return Sample(scene: scene, report: SampleReport(attempts: attempt + 1, checks: checks(tally), stratum: stratumName,
                                                                     focus: focusCount, focusAcceptance: decision.acceptance,
                                                                     focusBins: decision.bins),
                                  facts: measured)
                }
            }
            if let focus, focusCount.checked > 0,
               focusCount.checked - focusCount.held >= (tally.rejecting.first?.count.rejected ?? 0) {
                let diagnostic = Diagnostic(
                    severity: .error,
                    message: "\(focus.name) kept none of the \(focusCount.checked) attempts that met the scene's requirements "
                        + "(of \(attempts) attempts in all)",
                    location: nil,
                    help: "give the focus's rarest bins more weight relative to the others, or raise the scene's 'attempts' (the focus allows \(max(1, focus.attemptFactor))× as many)",
                    notes: [Diagnostic(severity: .note, message: "while sampling image \(index) with seed \(seed)", location: nil)])
                throw ExhaustedAttempts(error: ScriptError(diagnostics: [diagnostic]),
                                        report: SampleReport(attempts: attempts, checks: checks(tally), stratum: stratumName, focus: focusCount))
            }
            var exhausted = exhausted(tally, seed: seed, index: index, stratumName: stratumName, attempts: attempts)
            if focus != nil { exhausted.report.focus = focusCount }
            throw exhausted
        } catch let problem as ProblemReport {
            throw located(problem, seed: seed, index: index)
        }
    }

    /// The stream of an attempt that decides whether a ``SampleFocus`` keeps it:
    /// `SceneRandomGenerator(root: root(seed, index, attempt), stream: focusStream)`, one
    /// `nextUnit()` draw, kept when below the acceptance. No statement's stream is this value.
    public static let focusStream: UInt64 = 0x666F_6375_735F_7631

    /// Runs attempt `attempt` of sample `index` at frame time `time`: the script, then (when
    /// `checksDeferred`) the requirements it deferred to the rendered picture. `steps` and
    /// `tally` carry over from earlier attempts and are updated.
    /// - Returns: the scene and the facts measured for it, or `nil` when a requirement rejected
    ///   the attempt.
    /// `clipFrame` says which frame of its clip this is and carries the clip's requirements
    /// over frames from one frame to the next (updated).
    /// - Throws: ``ProblemReport`` for a runtime error; whatever `measure` throws.
    func runAttempt(seed: UInt64, index: Int, attempt: Int, time: Double, stratum: Int?, steps: inout Int,
                    tally: inout ConstraintTally, clipFrame: inout ClipFrame,
                    checksDeferred: Bool = true,
                    measure: (SceneModel.Scene) throws -> any RenderedFacts) throws -> (SceneModel.Scene, (any RenderedFacts)?)? {
        var interpreter = Interpreter(
            script: script, root: SceneRandomGenerator.root(seed: seed, index: index, attempt: attempt), time: time, index: index,
            stratum: stratum, steps: steps, tally: tally)
        interpreter.clipFrame = clipFrame
        defer { clipFrame = interpreter.clipFrame }
        do {
            try interpreter.run()
            var scene = SceneModel.Scene(
                width: width, height: height, categories: categories,
                background: interpreter.background, instances: interpreter.finishedInstances(),
                light: interpreter.light, effects: interpreter.effects,
                backgroundImage: interpreter.backgroundImage, records: interpreter.records)
            scene.sensor = script.sensor
            var facts: (any RenderedFacts)?
            if checksDeferred, !interpreter.deferred.isEmpty {
                let measured: any RenderedFacts
                do { measured = try measure(scene) } catch is UnmeasuredFacts {
                    throw ProblemReport("this requirement asks about the rendered picture, which this caller does not draw",
                                        at: interpreter.deferred[0].condition.range)
                }
                facts = measured
                try interpreter.checkDeferred(facts: measured)
            }
            (steps, tally) = (interpreter.steps, interpreter.tally)
            return (scene, facts)
        } catch is Rejection {
            (steps, tally) = (interpreter.steps, interpreter.tally)
            return nil
        }
    }

    /// The error of a sample whose every attempt was rejected: the requirement that rejected
    /// most often, with the others as notes.
    /// `attempts` is how many were made (all of the script's unless a budget stopped them
    /// first, which `help` then explains).
    func exhausted(_ tally: ConstraintTally, seed: UInt64, index: Int, stratumName: String?, what: String = "image",
                   attempts: Int? = nil, help: String? = nil) -> ExhaustedAttempts {
            let attempts = attempts ?? script.attempts
            let rejecting = tally.rejecting
            let (constraint, count) = rejecting[0]
            let problem = ProblemReport(
                "requirement '\(buffers[constraint.file].text(of: constraint))' was not met in \(attempts) attempt\(attempts == 1 ? "" : "s"): "
                    + "it held \(count.held) of the \(count.evaluated) times it was checked (acceptance rate \(count.acceptance))",
                at: constraint,
                help: help ?? (script.attempts < Limits.attempts
                    ? "loosen the requirement, or allow more tries with a top-level 'attempts N' (at most \(Limits.attempts))"
                    : "loosen the requirement: \(Limits.attempts) attempts is the most an image may take"),
                notes: rejecting.dropFirst().map {
                    ("this requirement also rejected samples: it held \($0.count.held) of the \($0.count.evaluated) times it was checked (acceptance rate \($0.count.acceptance))", $0.constraint)
                })
            return ExhaustedAttempts(error: located(problem, seed: seed, index: index, what: what),
                                     report: SampleReport(attempts: attempts, checks: checks(tally), stratum: stratumName))
    }

    /// One count per requirement, in ``requirements`` order.
    func checks(_ tally: ConstraintTally) -> [RequirementCount] {
        var checks = [RequirementCount](repeating: RequirementCount(), count: script.requirements.count)
        for (range, count) in tally.counts {
            checks[script.requirementIndex[range]!] = RequirementCount(checked: count.evaluated, held: count.held)
        }
        return checks
    }

    /// `problem` as a script error with a note naming the image (or clip, `what`).
    func located(_ problem: ProblemReport, seed: UInt64, index: Int, what: String = "image") -> ScriptError {
        var diagnostic = diagnostic(problem)
        diagnostic.notes.append(Diagnostic(severity: .note, message: "while sampling \(what) \(index) with seed \(seed)", location: nil))
        return ScriptError(diagnostics: [diagnostic])
    }

    /// Renders a problem against its source, adding `imported from` notes up the import chain.
    private func diagnostic(_ problem: ProblemReport) -> Diagnostic {
        var notes = problem.notes.map {
            Diagnostic(severity: .note, message: $0.message, location: buffers[$0.range.file].location(of: $0.range))
        }
        var file = problem.range.file
        while let site = importSites[file] {
            let at = buffers[site.file].location(of: site)
            notes.append(Diagnostic(severity: .note, message: "imported from \(at.path):\(at.line):\(at.column)", location: nil))
            file = site.file
        }
        return Diagnostic(
            severity: .error, message: problem.message, location: buffers[problem.range.file].location(of: problem.range),
            help: problem.help, notes: notes)
    }
}

/// The `param` statements at the top level of the main file, with checked defaults and
/// allowed values (problems appended for those that are not constants of one type).
private func collectParameters(_ statements: [Statement], problems: inout [ProblemReport]) -> [ParameterDeclaration] {
    var declarations: [ParameterDeclaration] = []
    for statement in statements where statement.range.file == 0 {
        guard case let .param(name, nameRange, valueExpr, allowedExpr) = statement.kind else { continue }
        guard let value = ParameterDeclaration.constant(valueExpr) else {
            problems.append(ProblemReport("a parameter's default must be a constant: a number, a string, true or false, or a colour",
                                          at: valueExpr.range, help: "write e.g. 'param \(name) = 12'"))
            continue
        }
        var declaration = ParameterDeclaration(name: name, nameRange: nameRange, range: statement.range, defaultValue: value)
        if let allowedExpr {
            let items: [Value]?
            if case let .list(elements) = allowedExpr.kind { items = elements.map { ParameterDeclaration.constant($0) ?? .bool(false) } } else { items = nil }
            if value.number != nil, let items, items.count == 2, let low = items[0].number, let high = items[1].number, low <= high {
                declaration.bounds = low...high
            } else if let items, !items.isEmpty, value.number == nil, items.allSatisfy({ $0.typeName == value.typeName }) {
                declaration.choices = items
            } else {
                problems.append(ProblemReport(value.number != nil
                                                ? "a numeric parameter's allowed values are a range: 'in [LOW, HIGH]' with constant numbers, LOW ≤ HIGH"
                                                : "a parameter's allowed values are a list of constants of its type: 'in [\"a\", \"b\"]'",
                                              at: allowedExpr.range))
                continue
            }
            if !declaration.allows(value) {
                problems.append(ProblemReport("the default \(value.display) is not \(declaration.allowedText)", at: valueExpr.range))
            }
        }
        declarations.append(declaration)
    }
    return declarations
}

extension SceneProgram {
    /// The labels of every instance attribute the program declares (`object … with LABEL: …`),
    /// imports and templates included, sorted.
    public var attributeLabels: [String] {
        var labels = Set<String>()
        forEachStatement(script.statements) { statement in
            guard case let .object(_, _, _, _, attributes) = statement.kind else { return }
            for attribute in attributes { if let label = attribute.label { labels.insert(label) } }
        }
        return labels.sorted()
    }
}

/// Calls `body` on every statement of `statements` in program order, each before the
/// statements nested in it (loop, `if`, object, group and template bodies).
private func forEachStatement(_ statements: [Statement], _ body: (Statement) -> Void) {
    for statement in statements {
        body(statement)
        switch statement.kind {
        case let .repeat(_, _, _, nested), let .for(_, _, _, nested), let .object(_, _, nested, _, _), let .group(_, nested):
            forEachStatement(nested, body)
        case let .if(_, then, otherwise):
            forEachStatement(then, body)
            forEachStatement(otherwise ?? [], body)
        case let .template(declaration):
            forEachStatement(declaration.body, body)
        default:
            break
        }
    }
}

/// Thrown by the `measure` of ``SceneProgram/sample(seed:index:)``, which draws nothing.
struct UnmeasuredFacts: Error {}

/// The condition of every `require` and quota stratum, in program order, with its kind.
private func requirementConditions(_ statements: [Statement]) -> [(expr: Expr, kind: RequirementInfo.Kind)] {
    var found: [(expr: Expr, kind: RequirementInfo.Kind)] = []
    forEachStatement(statements) { statement in
        switch statement.kind {
        case let .require(condition, probability):
            let p = probability.flatMap(Checker.constantNumber)
            found.append((condition, probability == nil ? .require : .soft(probability: p)))
        case let .quota(strata):
            for stratum in strata {
                found.append((stratum.condition, .quota(stratum: stratum.name, share: Checker.constantNumber(stratum.share) ?? .nan)))
            }
        default:
            break
        }
    }
    return found
}

/// Loads the main file and its imports, depth first, inlining each imported file's
/// statements at its first `import` (later imports of the same file add nothing).
private struct Compiler {
    let resolver: any ImportResolver
    var buffers: [SourceBuffer] = []
    var importSites: [Int: SourceRange] = [:]
    var problems: [ProblemReport] = []
    /// Whether some import could not be found or read.
    private(set) var hasMissingImport = false
    private var indexByPath: [String: Int] = [:]

    init(resolver: any ImportResolver) {
        self.resolver = resolver
    }

    mutating func load(_ main: SourceFile) -> [Statement] {
        inline(register(main), stack: [0])
    }

    private mutating func register(_ file: SourceFile) -> Int {
        buffers.append(SourceBuffer(file))
        indexByPath[identity(file.path)] = buffers.count - 1
        return buffers.count - 1
    }

    /// What makes two import paths the same file: the path with symbolic links resolved when
    /// the file is on disk (so a file imported through a link is still imported once), else
    /// the normalized path.
    private func identity(_ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return normalizedPath(path) }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// The statements of file `index` with its top-level imports replaced by the imported
    /// statements. `stack` holds the files being imported, outermost first, to detect cycles.
    private mutating func inline(_ index: Int, stack: [Int]) -> [Statement] {
        let size = buffers[index].file.text.utf8.count
        guard size <= Limits.sourceBytes else {
            problems.append(ProblemReport(
                "this file is \(size) bytes; a scene or template file may be at most \(Limits.sourceBytes) bytes",
                at: SourceRange(file: index, start: 0, end: 0)))
            return []
        }
        var parser = Parser(buffer: buffers[index], fileIndex: index)
        let statements = parser.parseFile()
        problems += parser.problems
        var result: [Statement] = []
        for statement in statements {
            guard case let .import(name, nameRange) = statement.kind else {
                result.append(statement)
                continue
            }
            let importer = buffers[index].file
            let resolved: SourceFile?
            do {
                resolved = try resolver.resolve(name, from: importer)
            } catch {
                problems.append(ProblemReport("cannot read '\(name)' to import: \(error)", at: nameRange))
                hasMissingImport = true
                continue
            }
            guard let file = resolved else {
                let tried = importCandidates(name, from: importer, searchPaths: (resolver as? FileImportResolver)?.searchPaths
                    ?? (resolver as? InMemoryImportResolver)?.searchPaths ?? [])
                problems.append(ProblemReport("cannot find '\(name)' to import", at: nameRange,
                                              help: "looked for " + tried.joined(separator: ", ")))
                hasMissingImport = true
                continue
            }
            if let existing = indexByPath[identity(file.path)] {
                if let position = stack.firstIndex(of: existing) {
                    let cycle = (stack[position...].map { buffers[$0].file.path } + [file.path]).joined(separator: " → ")
                    problems.append(ProblemReport("import cycle: \(cycle)", at: nameRange,
                                                  help: "move what both files need into a third file that both import"))
                }
                continue
            }
            let imported = register(file)
            importSites[imported] = statement.range
            result.append(statement)
            result += inline(imported, stack: stack + [imported])
        }
        return result
    }
}
