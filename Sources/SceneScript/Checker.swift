import SceneModel

/// Static checks over the flattened program: names (functions, variables, classes, templates,
/// with did-you-mean), argument binding, where each statement may appear, and the canvas.
/// Collects every problem instead of stopping at the first.
struct Checker {
    private let templates: [String: TemplateDeclaration]
    /// The declared classes, things and stuff, in id order.
    private let categories: [Category]
    /// Category id by name; canonically equivalent spellings find the same class.
    private let categoryIDs: [String: Int]
    private var classNames: [String] { categories.map(\.name) }
    private var problems: [ProblemReport] = []
    /// Innermost scope last.
    private var scopes: [Set<String>] = [[]]
    private var isInObject = false
    private var isInTemplate = false
    private var depth = 0
    private var hasSeenObject = false
    private var canvas: (width: Int, height: Int, range: SourceRange)?
    private var attempts: Int?
    /// The `clip` statement's settings, once checked.
    private var clip: ClipSettings?
    /// The `sensor` statement's settings, once checked.
    private var sensor: Sensor?
    private var quota: QuotaSchedule?
    private var hasQuota = false
    /// The values in force of the program's `param`s, usable where a constant is needed.
    private var parameterValues: [String: Value] = [:]
    /// For each parameter set from outside, where (`--set size=9000`): a canvas that such a
    /// value puts out of range is that override's fault, a usage error.
    private var overrideOrigins: [String: String] = [:]
    /// The parameters' defaults, to tell a canvas the script sizes wrongly from one an
    /// override does.
    private var defaults: [String: Value] = [:]
    /// Usage errors found on the way (see ``overrideOrigins``).
    private(set) var overrideProblems: [String] = []
    /// Every `record`, in program order, and whether it gives a list (inside a loop or a
    /// template, it may run more than once per image).
    private var records: [(name: String, isList: Bool)] = []
    private var recordRanges: [String: SourceRange] = [:]
    private var loopDepth = 0
    /// The stratum names of the program's quotas, known before any statement is checked.
    private var strataNames: [String] = []
    /// Whether the expression being checked is a `require` or quota condition, where rendered
    /// facts may be asked.
    private var isInRequirement = false
    /// Whether the condition being checked is a plain `require` at the top level of the main
    /// file, the one place a requirement over a clip (``BuiltinFunction/isTemporal``) may be.
    private var isInClipRequirement = false
    /// The temporal call whose conditions are being checked, if any.
    private var temporalCall: String?
    /// How many `count(… in …)`-style aggregates enclose the expression being checked.
    private var aggregateDepth = 0

    init(templates: [String: TemplateDeclaration], categories: [Category], categoryIDs: [String: Int]) {
        self.templates = templates
        self.categories = categories
        self.categoryIDs = categoryIDs
    }

    /// Whether `name` is a declared class.
    private func isClass(_ name: String) -> Bool { categoryIDs[name] != nil }

    /// Checks `statements` (top level, imports inlined) and returns the problems, the canvas
    /// size (512 × 512 unless a `canvas` statement says otherwise) and the attempts per image
    /// (``Limits/defaultAttempts`` unless an `attempts` statement says otherwise).
    static func check(_ statements: [Statement], templates: [String: TemplateDeclaration], categories: [Category],
                      categoryIDs: [String: Int],
                      parameterValues: [String: Value] = [:], overrideOrigins: [String: String] = [:],
                      defaults: [String: Value] = [:])
        -> (problems: [ProblemReport], width: Int, height: Int, attempts: Int, quota: QuotaSchedule?,
            records: [(name: String, isList: Bool)], overrideProblems: [String], clip: ClipSettings?,
            sensor: Sensor)
    {
        var checker = Checker(templates: templates, categories: categories, categoryIDs: categoryIDs)
        checker.parameterValues = parameterValues
        checker.overrideOrigins = overrideOrigins
        checker.defaults = defaults
        for statement in statements {
            if case let .quota(strata) = statement.kind { checker.strataNames += strata.map(\.name) }
        }
        checker.checkBlock(statements)
        return (checker.problems, checker.canvas?.width ?? 512, checker.canvas?.height ?? 512,
                checker.attempts ?? Limits.defaultAttempts, checker.quota, checker.records, checker.overrideProblems, checker.clip,
                checker.sensor ?? .rgb8)
    }

    /// Checks a `require` or quota condition, where rendered facts may be asked.
    private mutating func checkCondition(_ expr: Expr) {
        let was = isInRequirement
        isInRequirement = true
        checkExpression(expr)
        isInRequirement = was
    }

    private mutating func checkQuota(_ strata: [QuotaStratum], range: SourceRange, isTopLevel: Bool) {
        let keyword = SourceRange(file: range.file, start: range.start, end: range.start + 5)
        if !isTopLevel || range.file != 0 {
            report("'quota' must be at the top level of the main scene file", at: keyword)
        } else if hasQuota {
            report("the script has two quotas", at: keyword, help: "put every stratum in one 'quota { … }'")
        }
        hasQuota = true
        guard !strata.isEmpty else {
            report("a quota needs at least one stratum", at: keyword, help: "write e.g. quota { tiny 0.3: CONDITION }")
            return
        }
        var names: [String: SourceRange] = [:]
        var shares: [Double] = []
        for stratum in strata {
            if let first = names[stratum.name] {
                problems.append(ProblemReport("stratum '\(stratum.name)' is declared twice", at: stratum.nameRange,
                                              notes: [("first declared here", first)]))
            }
            names[stratum.name] = stratum.nameRange
            if let share = Checker.constantNumber(stratum.share), share > 0, share <= 1 {
                shares.append(share)
            } else {
                report("a stratum's share must be a constant number greater than 0 and at most 1", at: stratum.share.range,
                       help: "write the share as a fraction of the images, e.g. 0.3 for 30 %")
            }
            checkCondition(stratum.condition)
        }
        guard shares.count == strata.count, problems.isEmpty || hasValidShares(shares) else { return }
        let total = shares.reduce(0, +)
        guard Swift.abs(total - 1) <= 1e-9 else {
            func rounded(_ v: Double) -> String { formatNumber((v * 1e9).rounded() / 1e9) }
            report("the shares of the quota add up to \(rounded(total)), not 1", at: keyword,
                   help: total < 1
                       ? "every image belongs to one stratum, so the shares must add up to 1; for images with no condition add a stratum like 'other \(rounded(1 - total)): true'"
                       : "every image belongs to one stratum, so the shares must add up to 1")
            return
        }
        quota = QuotaSchedule(names: strata.map(\.name), shares: shares)
    }

    private func hasValidShares(_ shares: [Double]) -> Bool { shares.allSatisfy { $0 > 0 && $0 <= 1 } }

    /// A constant number: literals, unary minus and `+ - * /` of constants.
    static func constantNumber(_ expr: Expr) -> Double? {
        switch expr.kind {
        case let .int(v): return Double(v)
        case let .double(v): return v
        case let .unary(.negate, operand): return constantNumber(operand).map { -$0 }
        case let .binary(op, l, r):
            guard let a = constantNumber(l), let b = constantNumber(r) else { return nil }
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return b == 0 ? nil : a / b
            default: return nil
            }
        default: return nil
        }
    }

    private var templateNames: [String] { templates.keys.sorted() }

    private mutating func checkBlock(_ statements: [Statement]) {
        for statement in statements { check(statement) }
    }

    private mutating func scoped(_ body: (inout Checker) -> Void) {
        scopes.append([])
        body(&self)
        scopes.removeLast()
    }

    private func isDeclared(_ name: String) -> Bool {
        scopes.contains { $0.contains(name) } || BuiltinFunction.constants.contains(name)
    }

    private var visibleNames: [String] {
        scopes.reduce(into: Set(BuiltinFunction.constants)) { $0.formUnion($1) }.sorted()
    }

    private mutating func report(_ message: String, at range: SourceRange, help: String? = nil) {
        problems.append(ProblemReport(message, at: range, help: help))
    }

    private mutating func check(_ statement: Statement) {
        let isTopLevel = depth == 0 && !isInTemplate
        if statement.range.file != 0 && isTopLevel {
            switch statement.kind {
            case .template, .classes, .let, .import: break
            default:
                report("an imported file may only hold templates, classes, lets and imports", at: statement.range)
                return
            }
        }
        switch statement.kind {
        case let .canvas(widthExpr, heightExpr):
            if !isTopLevel || statement.range.file != 0 {
                report("'canvas' must be at the top level of the main scene file", at: statement.range)
            } else if canvas != nil {
                report("the canvas size is given twice", at: statement.range, help: "keep one 'canvas' statement")
            } else if hasSeenObject {
                report("'canvas' must come before any object", at: statement.range)
            } else {
                let width = canvasSide(widthExpr, "width"), height = canvasSide(heightExpr, "height")
                canvas = (width ?? 512, height ?? 512, statement.range)
            }
        case let .attempts(expr):
            if !isTopLevel || statement.range.file != 0 {
                report("'attempts' must be at the top level of the main scene file", at: statement.range)
            } else if attempts != nil {
                report("the number of attempts is given twice", at: statement.range, help: "keep one 'attempts' statement")
            } else if let value = Checker.constantInteger(expr, constants: parameterValues), value >= 1, value <= Limits.attempts {
                attempts = value
            } else {
                report("attempts must be a constant whole number between 1 and \(Limits.attempts)", at: expr.range,
                       help: "write e.g. 'attempts \(Limits.defaultAttempts)'")
            }
        case let .clip(call):
            checkClip(call, range: statement.range, isTopLevel: isTopLevel)
        case let .sensor(call):
            checkSensor(call, range: statement.range, isTopLevel: isTopLevel)
        case let .camera(call):
            checkRealismStatement("camera", call, CameraStatement.signature, range: statement.range)
        case let .require(condition, probability):
            if let probability {
                checkExpression(probability)
                if let p = Checker.constantNumber(probability), !(0...1).contains(p) {
                    report("the probability of 'require[P]' must be between 0 and 1, got \(formatNumber(p))", at: probability.range)
                }
                switch probability.kind {
                case .string, .bool, .color, .list, .point:
                    report("the probability of 'require[P]' must be a number between 0 and 1", at: probability.range)
                default: break
                }
            }
            isInClipRequirement = probability == nil && isTopLevel && statement.range.file == 0
            checkCondition(condition)
            isInClipRequirement = false
        case let .quota(strata):
            checkQuota(strata, range: statement.range, isTopLevel: isTopLevel)
        case let .param(name, nameRange, _, _):
            // Defaults and allowed values are checked where the parameters are collected.
            let keyword = SourceRange(file: statement.range.file, start: statement.range.start, end: statement.range.start + 5)
            if !isTopLevel || statement.range.file != 0 {
                report("'param' must be at the top level of the main scene file", at: keyword)
            }
            if scopes[scopes.count - 1].contains(name) {
                report("'\(name)' is already declared in this scope", at: nameRange, help: "pick another name for the parameter")
            }
            scopes[scopes.count - 1].insert(name)
        case let .record(name, nameRange, value):
            checkExpression(value)
            if let first = recordRanges[name] {
                problems.append(ProblemReport("'\(name)' is recorded twice", at: nameRange,
                                              notes: [("first recorded here", first)]))
            } else {
                recordRanges[name] = nameRange
                records.append((name, loopDepth > 0 || isInTemplate))
            }
        case .classes:
            if !isTopLevel { report("'classes' must be at the top level", at: statement.range) }
        case let .background(expr):
            if isInObject || isInTemplate { report("'background' cannot be set inside an object or template", at: statement.range) }
            checkExpression(expr)
        case let .light(call):
            checkRealismStatement("light", call, LightStatement.signature, range: statement.range)
        case let .effect(call):
            guard let kind = EffectKind(rawValue: call.name) else {
                for argument in call.arguments { checkExpression(argument.value) }
                report("unknown effect '\(call.name)'", at: call.nameRange,
                       help: didYouMean(call.name, among: EffectKind.allCases.map(\.rawValue))
                           ?? "effects: " + EffectKind.allCases.map(\.rawValue).joined(separator: ", "))
                return
            }
            checkRealismStatement("effect", call, kind.signature, range: statement.range)
        case .import:
            if !isTopLevel { report("'import' must be at the top level", at: statement.range) }
        case let .let(name, nameRange, value):
            checkExpression(value)
            if scopes[scopes.count - 1].contains(name) {
                report("'\(name)' is already declared in this scope", at: nameRange,
                       help: "use '\(name) = …' to change it, or pick another name")
            }
            scopes[scopes.count - 1].insert(name)
        case let .assign(name, nameRange, value):
            checkExpression(value)
            if parameterValues[name] != nil, scopes.firstIndex(where: { $0.contains(name) }) == 0 {
                report("'\(name)' is a parameter and cannot be assigned: its value is part of the run's identity", at: nameRange,
                       help: "set it from outside with --set \(name)=…, or compute another name: 'let my_\(name) = …'")
            }
            let isVariable = scopes.contains { $0.contains(name) }
            if !isVariable && BuiltinFunction.constants.contains(name) {
                report("'\(name)' is a built-in constant and cannot be assigned", at: nameRange,
                       help: "declare your own with 'let \(name) = …', which hides the built-in")
            } else if !isVariable {
                report("unknown variable '\(name)'", at: nameRange,
                       help: didYouMean(name, among: visibleNames) ?? "declare it first with 'let \(name) = …'")
            }
        case let .repeat(count, indexName, _, body):
            checkExpression(count)
            loopDepth += 1
            defer { loopDepth -= 1 }
            depth += 1
            scoped { checker in
                if let indexName { checker.scopes[checker.scopes.count - 1].insert(indexName) }
                checker.checkBlock(body)
            }
            depth -= 1
        case let .for(name, _, sequence, body):
            checkExpression(sequence)
            loopDepth += 1
            defer { loopDepth -= 1 }
            depth += 1
            scoped { checker in
                checker.scopes[checker.scopes.count - 1].insert(name)
                checker.checkBlock(body)
            }
            depth -= 1
        case let .if(condition, then, elseBody):
            checkExpression(condition)
            depth += 1
            scoped { $0.checkBlock(then) }
            if let elseBody { scoped { $0.checkBlock(elseBody) } }
            depth -= 1
        case let .template(declaration):
            if !isTopLevel {
                report("templates must be defined at the top level", at: declaration.nameRange)
                return
            }
            checkTemplate(declaration)
        case let .object(objectClass, transforms, body, handle, attributes):
            var labels: [String: SourceRange] = [:]
            for attribute in attributes {
                checkExpression(attribute.value)
                guard let label = attribute.label, let range = attribute.labelRange else { continue }
                if let first = labels[label] {
                    problems.append(ProblemReport("attribute '\(label)' is given twice", at: range, notes: [("first given here", first)]))
                }
                labels[label] = range
            }
            defer {
                if let handle {
                    if scopes[scopes.count - 1].contains(handle.name) {
                        report("'\(handle.name)' is already declared in this scope", at: handle.range,
                               help: "pick another name for this instance")
                    }
                    scopes[scopes.count - 1].insert(handle.name)
                }
            }
            hasSeenObject = true
            if isInObject || isInTemplate {
                let keyword = SourceRange(file: statement.range.file, start: statement.range.start, end: statement.range.start + 6)
                report("an object cannot be placed inside \(isInObject ? "another object" : "a template")", at: keyword,
                       help: "draw its shapes as parts of the enclosing object instead")
            }
            switch objectClass {
            case let .name(name, range):
                if let id = categoryIDs[name] {
                    if !categories[id - 1].isThing, let first = attributes.first, let labelRange = first.labelRange {
                        report("'\(name)' is a stuff class: its objects get no annotation to hold attributes", at: labelRange,
                               help: "give attributes to objects of thing classes ('classes …') only")
                    }
                } else {
                    report("unknown class '\(name)'", at: range,
                           help: classSuggestion(name) ?? (classNames.isEmpty ? "declare it with 'classes \(ClassNames.spelled(name))'" : nil))
                }
            case let .expression(expr):
                checkExpression(expr)
            case .unlabeled:
                break
            }
            checkTransforms(transforms)
            let wasInObject = isInObject
            isInObject = true
            depth += 1
            scoped { $0.checkBlock(body) }
            depth -= 1
            isInObject = wasInObject
        case let .group(transforms, body):
            if !isInObject && !isInTemplate {
                let keyword = SourceRange(file: statement.range.file, start: statement.range.start, end: statement.range.start + 5)
                report("'group' gathers parts, which only happens inside an object or template body", at: keyword)
            }
            checkTransforms(transforms)
            depth += 1
            scoped { $0.checkBlock(body) }
            depth -= 1
        case let .draw(call, transforms):
            if !isInObject && !isInTemplate {
                report("'\(call.name)' draws a part, which only happens inside an object or template body", at: call.nameRange,
                       help: Primitive(rawValue: call.name) != nil || templates[call.name] != nil
                           ? "wrap it: object CLASS at (x, y) { \(call.name)(…) }" : nil)
            }
            checkDraw(call)
            checkTransforms(transforms)
        }
    }

    /// `light` and `effect` statements: allowed where `background` is; arguments bound.
    private mutating func checkRealismStatement(_ keyword: String, _ call: Call, _ signature: Signature, range: SourceRange) {
        if isInObject || isInTemplate {
            let keywordRange = SourceRange(file: range.file, start: range.start, end: range.start + keyword.count)
            report("'\(keyword)' applies to the whole image and cannot appear inside an object or template", at: keywordRange,
                   help: "put it at the top level, or in a loop or branch outside any object")
        }
        for argument in call.arguments { checkExpression(argument.value) }
        do { _ = try signature.bind(call.arguments, call: call.range) } catch let problem as ProblemReport {
            problems.append(problem)
        } catch {}
    }

    /// A whole-run setting statement (`clip`, `sensor`): reports it unless it is at the top
    /// level of the main file and the first of its kind, then binds its arguments.
    /// - Returns: the argument index of each parameter, or `nil` after reporting a problem.
    private mutating func bindSetting(_ call: Call, range: SourceRange, isTopLevel: Bool, isDeclared: Bool,
                                      signature: Signature) -> [Int?]? {
        if !isTopLevel || range.file != 0 {
            report("'\(call.name)' must be at the top level of the main scene file", at: call.nameRange)
            return nil
        }
        if isDeclared {
            report("the \(call.name) is declared twice", at: call.nameRange, help: "keep one '\(call.name)' statement")
            return nil
        }
        do { return try signature.bind(call.arguments, call: call.range) } catch let problem as ProblemReport {
            problems.append(problem)
        } catch {}
        return nil
    }

    /// `clip frames: N, fps: F`: top level of the main file, once, with constant arguments in
    /// range (``ClipSettings/frameLimit``, ``ClipSettings/rateLimit``).
    private mutating func checkClip(_ call: Call, range: SourceRange, isTopLevel: Bool) {
        guard let bound = bindSetting(call, range: range, isTopLevel: isTopLevel, isDeclared: clip != nil,
                                      signature: ClipSettings.signature) else { return }
        let framesExpr = call.arguments[bound[0]!].value, fpsExpr = call.arguments[bound[1]!].value
        var frames: Int?, fps: Double?
        if let n = Checker.constantInteger(framesExpr, constants: parameterValues), ClipSettings.frameLimit.contains(n) {
            frames = n
        } else {
            report("a clip's frames must be a constant whole number between \(ClipSettings.frameLimit.lowerBound) and \(ClipSettings.frameLimit.upperBound)",
                   at: framesExpr.range, help: "write e.g. 'clip frames: 24, fps: 12'")
        }
        let rate: Double?
        if case let .variable(name) = fpsExpr.kind { rate = parameterValues[name]?.number } else { rate = Checker.constantNumber(fpsExpr) }
        if let r = rate, r.isFinite, r > 0, r <= ClipSettings.rateLimit {
            fps = r
        } else {
            report("a clip's fps (frames per second) must be a constant number greater than 0 and at most \(formatNumber(ClipSettings.rateLimit))",
                   at: fpsExpr.range, help: "write e.g. 'clip frames: 24, fps: 12'")
        }
        if let frames, let fps { clip = ClipSettings(frames: frames, fps: fps) }
    }

    /// `sensor channels: C, bits: B`: top level of the main file, once, with constant whole
    /// numbers forming a ``SceneModel/Sensor`` (grey at 8 or 16 bits, RGB at 8).
    private mutating func checkSensor(_ call: Call, range: SourceRange, isTopLevel: Bool) {
        guard let bound = bindSetting(call, range: range, isTopLevel: isTopLevel, isDeclared: sensor != nil,
                                      signature: SensorStatement.signature) else { return }
        func constant(_ slot: Int, _ allowed: [Int], fallback: Int) -> Int? {
            guard let argument = bound[slot] else { return fallback }
            let expr = call.arguments[argument].value
            if let n = Checker.constantInteger(expr, constants: parameterValues), allowed.contains(n) { return n }
            report("a sensor's \(SensorStatement.signature.parameters[slot].name) must be the constant \(allowed.map(String.init).joined(separator: " or "))",
                   at: expr.range, help: "write e.g. 'sensor channels: 1, bits: 16'")
            return nil
        }
        guard let channels = constant(0, [1, 3], fallback: 3), let bits = constant(1, [8, 16], fallback: 8) else { return }
        guard Sensor.isSupported(channels: channels, bitDepth: bits) else {
            report("a 16-bit sensor must have one channel (grey); RGB is written at 8 bits", at: call.range,
                   help: "write 'sensor channels: 1, bits: 16' or 'sensor channels: 3, bits: 8'")
            return
        }
        sensor = Sensor(channels: channels, bitDepth: bits)
    }

    private mutating func checkTemplate(_ declaration: TemplateDeclaration) {
        let savedScopes = scopes, savedDepth = depth
        scopes = [[]]
        isInTemplate = true
        depth = 1
        for parameter in declaration.parameters {
            if let defaultValue = parameter.defaultValue { checkExpression(defaultValue) }
            if scopes[0].contains(parameter.name) {
                report("parameter '\(parameter.name)' is declared twice", at: parameter.range)
            }
            scopes[0].insert(parameter.name)
        }
        // The parameters and the top of the body are one scope, so `let r = …` cannot silently
        // hide the argument given for parameter `r`.
        checkBlock(declaration.body)
        isInTemplate = false
        scopes = savedScopes
        depth = savedDepth
    }

    private mutating func checkTransforms(_ transforms: Transforms) {
        for item in transforms.items { checkExpression(item.value) }
    }

    private mutating func checkDraw(_ call: Call) {
        for argument in call.arguments { checkExpression(argument.value) }
        let signature: Signature
        if let primitive = Primitive(rawValue: call.name) {
            signature = primitive.signature
            // The same rule the interpreter applies, found before any image is sampled.
            let isStroke = [.polyline, .line, .arc].contains(primitive)
                || (primitive == .path && call.arguments.contains { $0.label == "stroke_width" })
            if isStroke, let outline = call.arguments.first(where: { $0.label == "outline" }), let range = outline.labelRange {
                report("\(call.name): outline is for filled shapes; this one is a stroke, so its outline would be a stripe "
                       + "along its centre line", at: range,
                       help: "to border a line, draw it twice: first wider in the border colour, then the line on top")
            }
        } else if let template = templates[call.name] {
            guard !template.isBroken else { return }
            signature = Signature("template '\(template.name)'", template.parameters.map {
                Signature.Parameter(name: $0.name, isRequired: $0.defaultValue == nil)
            })
        } else {
            let help: String?
            if BuiltinFunction(rawValue: call.name) != nil {
                help = "'\(call.name)' is a function: use its value in a 'let' or an argument"
            } else {
                help = didYouMean(call.name, among: Primitive.allCases.map(\.rawValue) + templateNames)
            }
            report("unknown shape or template '\(call.name)'", at: call.nameRange, help: help)
            return
        }
        do { _ = try signature.bind(call.arguments, call: call.range) } catch let problem as ProblemReport {
            problems.append(problem)
        } catch {}
    }

    private mutating func checkExpression(_ expr: Expr) {
        switch expr.kind {
        case .int, .double, .string, .bool, .color:
            break
        case let .variable(name):
            if !isDeclared(name) {
                let help: String?
                if isClass(name) {
                    help = "class names are not values; write the name as a string: \"\(name)\""
                } else {
                    help = didYouMean(name, among: visibleNames)
                }
                report("unknown variable '\(name)'", at: expr.range, help: help)
            }
        case let .point(x, y):
            checkExpression(x)
            checkExpression(y)
        case let .list(items):
            for item in items { checkExpression(item) }
        case let .call(call):
            for argument in call.arguments { checkExpression(argument.value) }
            guard let function = BuiltinFunction(rawValue: call.name) else {
                if Primitive(rawValue: call.name) != nil || templates[call.name] != nil {
                    report("'\(call.name)' draws a part and has no value", at: call.nameRange,
                           help: "use it as a statement inside an object or template body")
                } else {
                    report("unknown function '\(call.name)'", at: call.nameRange,
                           help: didYouMean(call.name, among: BuiltinFunction.allCases.map(\.rawValue)))
                }
                return
            }
            // A class written as a literal is checked now rather than at the first image.
            if function == .hidden_by || function == .shared_edge, call.arguments.count == 2 {
                checkClassLiteral(call.arguments[1].value, "\(call.name): ")
            }
            if function.isTemporal {
                checkTemporal(call, function)
                return
            }
            if function.isRenderedFact, let temporal = temporalCall, let instance = call.arguments.first?.value {
                if case .variable = instance.kind {} else {
                    report("'\(call.name)' inside '\(temporal)' follows one object over the clip's frames, so its instance must be a name",
                           at: instance.range, help: "name the object with 'object … as NAME' and pass NAME")
                }
            }
            if function.isRenderedFact && !isInRequirement {
                report("'\(call.name)' is a rendered fact, known only once the picture is drawn", at: call.nameRange,
                       help: "use it in a 'require' or 'quota' condition")
            }
            do { _ = try function.signature.bind(call.arguments, call: call.range) } catch let problem as ProblemReport {
                problems.append(problem)
            } catch {}
        case let .aggregate(aggregate):
            checkAggregate(aggregate)
        case let .index(list, index):
            checkExpression(list)
            checkExpression(index)
        case let .unary(_, operand):
            checkExpression(operand)
        case let .binary(op, left, right):
            checkExpression(left)
            checkExpression(right)
            if op == .equal || op == .notEqual {
                checkStratumComparison(left, right)
                checkClassNameComparison(left, right)
            }
        }
    }

    /// `stratum == "NAME"`: the name must be one of the quota's strata (a typo would make
    /// the comparison silently false in every image).
    private mutating func checkStratumComparison(_ left: Expr, _ right: Expr) {
        for (a, b) in [(left, right), (right, left)] {
            guard case .variable("stratum") = a.kind, !scopes.contains(where: { $0.contains("stratum") }),
                  case let .string(name) = b.kind, !strataNames.contains(name) else { continue }
            report(strataNames.isEmpty ? "'stratum' is always \"\" here: the script has no quota"
                                       : "'\(name)' is not a stratum of the quota", at: b.range,
                   help: didYouMean(name, among: strataNames) ?? (strataNames.isEmpty ? nil : "strata: " + strataNames.joined(separator: ", ")))
        }
    }

    /// `class_name(p) == "NAME"`: the name must be a class or `"unlabeled"` (a typo would make
    /// the comparison silently false in every image).
    private mutating func checkClassNameComparison(_ left: Expr, _ right: Expr) {
        for (a, b) in [(left, right), (right, left)] {
            guard case let .call(call) = a.kind, call.name == BuiltinFunction.class_name.rawValue else { continue }
            checkClassLiteral(b, "class_name(…) is compared with ")
        }
    }

    /// A string literal where a class is named (`hidden_by(p, "car")`, `count(p in "traffic
    /// light")`, `class_name(p) == "car"`): a declared class or `"unlabeled"`, checked now
    /// rather than at the first image. Anything but a literal is checked when it is evaluated.
    private mutating func checkClassLiteral(_ expr: Expr, _ context: String) {
        guard case let .string(name) = expr.kind, name != "unlabeled", !isClass(name) else { return }
        report("\(context)unknown class '\(name)'", at: expr.range,
               help: didYouMean(name, among: classNames + ["unlabeled"]))
    }

    /// `did you mean 'traffic light'?`, saying how to write the class when it needs quotes.
    private func classSuggestion(_ name: String) -> String? {
        guard let closest = closestName(to: name, among: classNames) else { return nil }
        let spelled = ClassNames.spelled(closest)
        return spelled == closest ? "did you mean '\(closest)'?" : "did you mean \(spelled)? a name that is not an identifier is written in quotes"
    }

    /// A temporal call (`count_frames(COND)`, …): only in a plain top-level `require` of the
    /// main file, not inside another temporal call or an aggregate; its arguments are conditions.
    private mutating func checkTemporal(_ call: Call, _ function: BuiltinFunction) {
        if let outer = temporalCall {
            report("'\(call.name)' inside '\(outer)': a condition over the clip's frames is evaluated in one frame at a time", at: call.nameRange)
        } else if aggregateDepth > 0 {
            report("'\(call.name)' inside 'count(… in …)': the aggregate goes through one frame's instances", at: call.nameRange,
                   help: "put the aggregate inside: \(call.name)(count(p in CLASS where …) >= 1)")
        } else if !isInClipRequirement {
            report("'\(call.name)' looks at every frame of a clip, so it can only be used in a 'require' at the top level of the main scene file",
                   at: call.nameRange, help: isInRequirement ? "move the requirement out of the block, and write 'require', not 'require[P]' or a quota" : nil)
        }
        let saved = temporalCall
        temporalCall = call.name
        for argument in call.arguments { checkExpression(argument.value) }
        temporalCall = saved
        do { _ = try function.signature.bind(call.arguments, call: call.range) } catch let problem as ProblemReport {
            problems.append(problem)
        } catch {}
    }

    private mutating func checkAggregate(_ aggregate: Aggregate) {
        if !isInRequirement {
            report("'\(aggregate.kind.rawValue)(… in …)' goes through the instances of the finished picture, so it can only be used in a 'require' or 'quota' condition",
                   at: aggregate.kindRange)
        }
        if case let .name(name, range) = aggregate.set, !isClass(name), !isDeclared(name) {
            report("unknown class or variable '\(name)'", at: range,
                   help: didYouMean(name, among: classNames + ["all"] + visibleNames)
                       ?? "go through a class, 'all', 'unlabeled', or a List of instances named with 'object … as NAME'")
        }
        if case let .expression(expr) = aggregate.set {
            checkExpression(expr)
            checkClassLiteral(expr, "")
        }
        aggregateDepth += 1
        defer { aggregateDepth -= 1 }
        scoped { checker in
            checker.scopes[checker.scopes.count - 1].insert(aggregate.variable)
            if let condition = aggregate.condition { checker.checkExpression(condition) }
            if let value = aggregate.value { checker.checkExpression(value) }
        }
    }

    /// A canvas side: a constant whole number (see `constantInteger`) ≥ 1.
    private mutating func canvasSide(_ expr: Expr, _ side: String) -> Int? {
        guard let value = Checker.constantInteger(expr, constants: parameterValues) else {
            if let origin = overriddenOrigin(in: expr), Checker.constantInteger(expr, constants: defaults) != nil {
                overrideProblems.append("\(origin): makes the canvas \(side) not a whole number of pixels")
                return nil
            }
            report("the canvas \(side) must be a constant whole number", at: expr.range,
                   help: "write e.g. 'canvas 512 x 512', or use a whole-number 'param' declared before it")
            return nil
        }
        guard value >= 1 && value <= 16384 else {
            if let origin = overriddenOrigin(in: expr) {
                overrideProblems.append("\(origin): makes the canvas \(side) \(value) pixels; it must be between 1 and 16384")
            } else {
                report("the canvas \(side) must be between 1 and 16384 pixels, got \(value)", at: expr.range)
            }
            return nil
        }
        return value
    }

    /// The origin of the first overridden parameter `expr` reads, if any.
    private func overriddenOrigin(in expr: Expr) -> String? {
        switch expr.kind {
        case let .variable(name): return overrideOrigins[name]
        case let .unary(_, operand): return overriddenOrigin(in: operand)
        case let .binary(_, a, b): return overriddenOrigin(in: a) ?? overriddenOrigin(in: b)
        default: return nil
        }
    }

    /// A constant whole number: literals, `+ - * %`, exact `/`, parentheses, and the names in `constants`
    /// (the program's parameters) holding whole numbers.
    static func constantInteger(_ expr: Expr, constants: [String: Value] = [:]) -> Int? {
        switch expr.kind {
        case let .int(v): return v
        case let .double(v) where v == v.rounded() && abs(v) < 1e9: return Int(v)
        case let .variable(name):
            switch constants[name] {
            case let .int(v)?: return v
            case let .double(v)? where v == v.rounded() && abs(v) < 1e9: return Int(v)
            default: return nil
            }
        case let .unary(.negate, operand): return constantInteger(operand, constants: constants).map { -$0 }
        case let .binary(op, l, r):
            guard let a = constantInteger(l, constants: constants), let b = constantInteger(r, constants: constants),
                  abs(a) < 1 << 31, abs(b) < 1 << 31 else { return nil }
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .remainder: return b == 0 ? nil : a % b
            case .divide: return b == 0 || a % b != 0 ? nil : a / b
            default: return nil
            }
        default: return nil
        }
    }
}
