/// Where each random draw of a script comes from: a stream per drawing site and context.
///
/// Every call of a built-in function that draws (a distribution, `random_color`, a noise
/// texture, `photo` of a folder), every `effect noise(…)` and every `require[P]` is a
/// **site**. A site's key is a hash of its *structural path*: the file it is written in, then,
/// going down, which statement of each enclosing block it is in — counted among the
/// statements of its slot only (its kind and name: the k-th `object car`, the k-th
/// `let x`, …) — and which part of each enclosing statement or expression (a call's i-th
/// argument; a transform by its kind; the left or right operand …).
/// Whitespace, comments and the content of other parts never enter a key.
///
/// The **context** of a draw says which execution of its site it is: 0 at the top level, and
/// renewed on entering each iteration of a `repeat` or `for` (from the loop's key and the
/// iteration number), each template call (from the call's key), and each member of an
/// aggregate (from the aggregate's key and the instance id).
///
/// A draw at a site with key K in context C uses a generator of its own, seeded from the
/// image attempt's root and `mix(C ^ K)` (``SceneRandomGenerator/init(root:stream:)``). So a
/// draw depends only on (seed, index, attempt, site, context): changing, removing or adding
/// other draws, or their number, never moves it. See docs/LANGUAGE.md, *Generator*.
struct RandomStreams: Sendable {
    /// The key of each site and scope-making node, by its source range (unique per node).
    private(set) var keys: [SourceRange: UInt64] = [:]

    /// The keys of every node of `statements` (the flattened program, imports inlined).
    init(_ statements: [Statement]) {
        var files: [Int: [Statement]] = [:]
        for statement in statements { files[statement.range.file, default: []].append(statement) }
        for (file, block) in files { visit(block, path: Self.child(0x5EED_F11E, UInt64(file))) }
    }

    /// What a statement is, for its key: its kind, and the name it is about (the variable of
    /// a `let`, the class of an `object`, the template or primitive of a part, …). Statements
    /// of a block are numbered within their slot, so adding a statement of another slot —
    /// a `let`, a `light`, an object of another class — moves no key.
    private static func slot(_ statement: Statement) -> UInt64 {
        func named(_ tag: UInt64, _ name: String) -> UInt64 {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return splitMix64(tag ^ hash)
        }
        switch statement.kind {
        case .canvas: return 1
        case .classes: return 2
        case .background: return 3
        case let .light(call): return named(4, call.name)
        case let .effect(call): return named(5, call.name)
        case let .import(name, _): return named(6, name)
        case let .let(name, _, _): return named(7, name)
        case let .assign(name, _, _): return named(8, name)
        case .repeat: return 9
        case let .for(name, _, _, _): return named(10, name)
        case .if: return 11
        case let .template(declaration): return named(12, declaration.name)
        case let .object(objectClass, _, _, _, _):
            switch objectClass {
            case let .name(name, _): return named(13, name)
            case .unlabeled: return named(13, "unlabeled")
            case .expression: return 14
            }
        case .require: return 15
        case .attempts: return 16
        case .group: return 17
        case let .draw(call, _): return named(18, call.name)
        case .quota: return 19
        case let .param(name, _, _, _): return named(20, name)
        case let .record(name, _, _): return named(21, name)
        case .clip: return 22
        case .camera: return 23
        case .sensor: return 24
        }
    }

    /// The key of the node at `range`; every call, loop, template call, aggregate,
    /// `require[P]` and effect of the program has one.
    func key(_ range: SourceRange) -> UInt64 { keys[range]! }

    /// The path of child `index` of the node at `path`.
    static func child(_ path: UInt64, _ index: UInt64) -> UInt64 {
        splitMix64(path ^ splitMix64(index &+ 0xC0DE_C0DE_C0DE_C0DE))
    }

    /// The context of iteration / member `index` of the node with key `key`, inside `context`.
    static func context(_ context: UInt64, _ key: UInt64, _ index: Int) -> UInt64 {
        splitMix64(context ^ child(key, UInt64(bitPattern: Int64(index))))
    }

    /// The label of a transform kind, so that written order never matters.
    private static func tag(_ kind: TransformKind) -> UInt64 {
        switch kind {
        case .at: return 1
        case .rotate: return 2
        case .scale: return 3
        case .skew: return 4
        case .anchor: return 5
        }
    }

    private mutating func visit(_ block: [Statement], path: UInt64) {
        var ordinals: [UInt64: UInt64] = [:]
        for statement in block {
            let slot = Self.slot(statement)
            let ordinal = ordinals[slot, default: 0]
            ordinals[slot] = ordinal + 1
            visit(statement, path: Self.child(Self.child(path, slot), ordinal))
        }
    }

    private mutating func visit(_ transforms: Transforms, path: UInt64) {
        for item in transforms.items { visit(item.value, path: Self.child(path, 100 + Self.tag(item.kind))) }
    }

    private mutating func visit(_ call: Call, path: UInt64) {
        keys[call.range] = path
        for (i, argument) in call.arguments.enumerated() { visit(argument.value, path: Self.child(path, UInt64(i))) }
    }

    private mutating func visit(_ statement: Statement, path: UInt64) {
        keys[statement.range] = path
        func sub(_ i: UInt64) -> UInt64 { Self.child(path, i) }
        switch statement.kind {
        case .canvas, .classes, .import, .attempts, .param, .clip, .sensor:
            break
        case let .background(e), let .let(_, _, e), let .assign(_, _, e), let .record(_, _, e):
            visit(e, path: sub(0))
        case let .light(call), let .effect(call), let .camera(call):
            visit(call, path: sub(0))
        case let .repeat(count, _, _, body):
            visit(count, path: sub(0))
            visit(body, path: sub(2))
        case let .for(_, _, sequence, body):
            visit(sequence, path: sub(0))
            visit(body, path: sub(2))
        case let .if(condition, then, otherwise):
            visit(condition, path: sub(0))
            visit(then, path: sub(1))
            visit(otherwise ?? [], path: sub(2))
        case let .template(declaration):
            for (i, parameter) in declaration.parameters.enumerated() {
                if let value = parameter.defaultValue { visit(value, path: sub(UInt64(i))) }
            }
            visit(declaration.body, path: sub(1000))
        case let .object(objectClass, transforms, body, _, attributes):
            if case let .expression(e) = objectClass { visit(e, path: sub(0)) }
            for (i, attribute) in attributes.enumerated() { visit(attribute.value, path: sub(10 + UInt64(i))) }
            visit(transforms, path: sub(1))
            visit(body, path: sub(2))
        case let .require(condition, probability):
            if let probability { visit(probability, path: sub(1)) }
            visit(condition, path: sub(0))
        case let .quota(strata):
            for (i, stratum) in strata.enumerated() { visit(stratum.condition, path: sub(UInt64(i))) }
        case let .group(transforms, body):
            visit(transforms, path: sub(1))
            visit(body, path: sub(2))
        case let .draw(call, transforms):
            visit(call, path: sub(0))
            visit(transforms, path: sub(1))
        }
    }

    private mutating func visit(_ expr: Expr, path: UInt64) {
        func sub(_ i: UInt64) -> UInt64 { Self.child(path, i) }
        switch expr.kind {
        case .int, .double, .string, .bool, .color, .variable:
            break
        case let .point(a, b), let .index(a, b), let .binary(_, a, b):
            visit(a, path: sub(0))
            visit(b, path: sub(1))
        case let .list(items):
            for (i, item) in items.enumerated() { visit(item, path: sub(UInt64(i))) }
        case let .unary(_, operand):
            visit(operand, path: sub(0))
        case let .call(call):
            visit(call, path: path)
        case let .aggregate(aggregate):
            keys[expr.range] = path
            if case let .expression(set) = aggregate.set { visit(set, path: sub(0)) }
            if let condition = aggregate.condition { visit(condition, path: sub(1)) }
            if let value = aggregate.value { visit(value, path: sub(2)) }
        }
    }
}
