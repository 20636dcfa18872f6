import PipelineModel

/// Encodes a `Codable` value as compact JSON text with sorted keys — the stored form of pipeline snapshots.
///
/// Foundation's `JSONEncoder` spends about 10 µs per task of a snapshot (a 1,000-task pipeline took ~12 ms per run),
/// most of it boxing every value; this encoder renders scalars as it goes and builds only the arrays and objects.
/// The text decodes with `JSONDecoder` to the same value: integers are written exactly (not through `Double`),
/// floating-point numbers in their shortest round-trip form (integral ones without a fraction), and a non-finite
/// number throws `EncodingError.invalidValue`, as `JSONEncoder` does by default. It does not apply `JSONEncoder`'s
/// special cases for `Date`, `Data`, `URL` or `Decimal` (which snapshots do not contain): those encode through their
/// own `Codable` conformance.
struct CompactJSONEncoder {
    /// The JSON text of `value`.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number or a value that encodes nothing.
    func encode(_ value: some Encodable) throws -> String {
        let root = try JSONNode.encode(value, codingPath: [])
        var out = ""
        out.reserveCapacity(4096)
        root.write(into: &out)
        return out
    }
}

/// A value being encoded: scalars are already rendered, containers are boxes that nested containers fill in.
private enum JSONNode {
    case scalar(String)
    case array(ArrayBox)
    case object(ObjectBox)

    final class ArrayBox { var items: [JSONNode] = [] }
    final class ObjectBox { var members: [String: JSONNode] = [:] }

    static func encode<Value: Encodable>(_ value: Value, codingPath: [any CodingKey]) throws -> JSONNode {
        // Common leaves skip the Encoder machinery (a type comparison, not a dynamic cast, for the others).
        if Value.self == String.self { return .scalar(quoted(unsafeBitCast(value, to: String.self))) }
        if Value.self == Int.self { return .scalar(String(unsafeBitCast(value, to: Int.self))) }
        if Value.self == Int64.self { return .scalar(String(unsafeBitCast(value, to: Int64.self))) }
        if Value.self == Bool.self { return .scalar(unsafeBitCast(value, to: Bool.self) ? "true" : "false") }
        // Task inputs and params, the bulk of a snapshot: `JSONValue`'s own writer gives the text its `Codable` form
        // gives through this encoder (sorted keys, the same numbers, null for a non-finite one).
        if Value.self == JSONValue.self { return .scalar(unsafeBitCast(value, to: JSONValue.self).compactJSON) }
        if Value.self == [String: JSONValue].self {
            return .scalar(JSONValue.object(unsafeBitCast(value, to: [String: JSONValue].self)).compactJSON)
        }
        // A pipeline's tasks, the bulk of every snapshot: written straight out into one buffer, as their `Codable`
        // form gives them here.
        if Value.self == [TaskSpec].self, let text = Self.snapshotJSON(unsafeBitCast(value, to: [TaskSpec].self)) {
            return .scalar(text)
        }
        let encoder = NodeEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        guard let node = encoder.node else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(type(of: value)) encoded no value"))
        }
        return node
    }

    /// The JSON array of `tasks` as their own writer gives them, or `nil` when one of them cannot be written so.
    static func snapshotJSON(_ tasks: [TaskSpec]) -> String? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(tasks.count * 192 + 2)
        for (index, task) in tasks.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard task.writeSnapshot(into: &out) else { return nil }
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    func write(into out: inout String) {
        switch self {
        case .scalar(let text): out += text
        case .array(let box):
            out += "["
            for (index, item) in box.items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let box):
            out += "{"
            for (index, key) in box.members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += JSONNode.quoted(key)
                out += ":"
                box.members[key]!.write(into: &out)
            }
            out += "}"
        }
    }

    static func render(_ number: Double, _ codingPath: [any CodingKey]) throws -> String {
        guard number.isFinite else {
            throw EncodingError.invalidValue(
                number, .init(codingPath: codingPath, debugDescription: "JSON has no \(number)"))
        }
        return renderFinite(number)
    }

    /// A finite number's text: integral ones below 2^53 without a fraction, others in their shortest round-trip form.
    static func renderFinite(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return String(number)
    }

    static func quoted(_ string: String) -> String {
        var out = ""
        JSONValue.writeQuoted(string, into: &out)
        return out
    }
}

/// The `Encoder` a value encodes itself into; its one top-level container becomes ``node``.
private final class NodeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: JSONNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONNode.ObjectBox
        if case .object(let existing) = node {
            box = existing
        } else {
            box = JSONNode.ObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONNode.ArrayBox
        if case .array(let existing) = node {
            box = existing
        } else {
            box = JSONNode.ArrayBox()
            node = .array(box)
        }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONNode.ObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.members[key.stringValue] = .scalar("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.members[key.stringValue] = .scalar(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { box.members[key.stringValue] = .scalar(JSONNode.quoted(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        box.members[key.stringValue] = .scalar(try JSONNode.render(value, codingPath + [key]))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        box.members[key.stringValue] = .scalar(try JSONNode.render(Double(value), codingPath + [key]))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.members[key.stringValue] = .scalar(String(value)) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        box.members[key.stringValue] = try JSONNode.encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONNode.ObjectBox()
        box.members[key.stringValue] = .object(nested)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONNode.ArrayBox()
        box.members[key.stringValue] = .array(nested)
        return UnkeyedContainer(box: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { SuperEncoder(box: box, key: "super", codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SuperEncoder(box: box, key: key.stringValue, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: JSONNode.ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: box.items.count)] }

    mutating func encodeNil() throws { box.items.append(.scalar("null")) }
    mutating func encode(_ value: Bool) throws { box.items.append(.scalar(value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { box.items.append(.scalar(JSONNode.quoted(value))) }
    mutating func encode(_ value: Double) throws { box.items.append(.scalar(try JSONNode.render(value, nextPath))) }
    mutating func encode(_ value: Float) throws { box.items.append(.scalar(try JSONNode.render(Double(value), nextPath))) }
    mutating func encode(_ value: Int) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: Int8) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: Int16) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: Int32) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: Int64) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: UInt) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: UInt8) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: UInt16) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: UInt32) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: UInt64) throws { box.items.append(.scalar(String(value))) }
    mutating func encode(_ value: some Encodable) throws {
        box.items.append(try JSONNode.encode(value, codingPath: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONNode.ObjectBox()
        let path = nextPath
        box.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONNode.ArrayBox()
        let path = nextPath
        box.items.append(.array(nested))
        return UnkeyedContainer(box: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let index = box.items.count
        box.items.append(.scalar("null"))
        return ArraySlotEncoder(box: box, index: index, codingPath: nextPath)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.node = .scalar("null") }
    mutating func encode(_ value: Bool) throws { encoder.node = .scalar(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { encoder.node = .scalar(JSONNode.quoted(value)) }
    mutating func encode(_ value: Double) throws { encoder.node = .scalar(try JSONNode.render(value, codingPath)) }
    mutating func encode(_ value: Float) throws { encoder.node = .scalar(try JSONNode.render(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: Int8) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: Int16) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: Int32) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: Int64) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: UInt) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.node = .scalar(String(value)) }
    mutating func encode(_ value: some Encodable) throws {
        encoder.node = try JSONNode.encode(value, codingPath: codingPath)
    }
}

/// The encoder of a keyed container's `superEncoder`: what it encodes becomes the member `key`.
private final class SuperEncoder: Encoder {
    let box: JSONNode.ObjectBox
    let key: String
    let inner: NodeEncoder
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(box: JSONNode.ObjectBox, key: String, codingPath: [any CodingKey]) {
        self.box = box
        self.key = key
        inner = NodeEncoder(codingPath: codingPath)
    }

    deinit { box.members[key] = inner.node ?? .object(JSONNode.ObjectBox()) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}

/// The encoder of an unkeyed container's `superEncoder`: what it encodes fills the slot at `index`.
private final class ArraySlotEncoder: Encoder {
    let box: JSONNode.ArrayBox
    let index: Int
    let inner: NodeEncoder
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(box: JSONNode.ArrayBox, index: Int, codingPath: [any CodingKey]) {
        self.box = box
        self.index = index
        inner = NodeEncoder(codingPath: codingPath)
    }

    deinit { box.items[index] = inner.node ?? .object(JSONNode.ObjectBox()) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

extension TaskSpec {
    /// Appends the text ``CompactJSONEncoder`` gives this task through its `Codable` form, written without the
    /// `Encoder` machinery: members in sorted key order, the optional ones only when `encode(to:)` writes them.
    /// `false` (with `out` partly written) when a retry number is not finite, which the `Codable` path reports with its
    /// coding path.
    fileprivate func writeSnapshot(into out: inout [UInt8]) -> Bool {
        guard retry.backoff.isFinite, retry.jitter.isFinite else { return false }
        func key(_ name: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "\":".utf8)
        }
        func strings(_ values: [String]) {
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeQuoted(value, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        func number(_ value: Double) { out.append(contentsOf: JSONNode.renderFinite(value).utf8) }
        func integer(_ value: some BinaryInteger) { out.append(contentsOf: String(value).utf8) }

        // Keys in String order: action, cache, env, id, if, needs, retry, runs_on, timeout_ms, workdir.
        out.append(UInt8(ascii: "{"))
        key("action", first: true)
        switch action {
        case .run(let argv):
            out.append(contentsOf: #"{"run":{"_0":"#.utf8)
            strings(argv)
            out.append(contentsOf: "}}".utf8)
        case .shell(let script):
            out.append(contentsOf: #"{"shell":{"_0":"#.utf8)
            JSONValue.writeQuoted(script, into: &out)
            out.append(contentsOf: "}}".utf8)
        case .uses(let kind, let inputs):
            out.append(contentsOf: #"{"uses":{"_0":"#.utf8)
            JSONValue.writeQuoted(kind, into: &out)
            out.append(contentsOf: #","with":"#.utf8)
            JSONValue.object(inputs).write(into: &out)
            out.append(contentsOf: "}}".utf8)
        }
        if let cache {
            key("cache")
            out.append(UInt8(ascii: "{"))
            if let expire = cache.expire {
                key("expire_ms", first: true)
                integer(expire.nanoseconds / 1_000_000)
            }
            if let version = cache.version {
                key("version", first: cache.expire == nil)
                JSONValue.writeQuoted(version, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if !env.isEmpty {
            key("env")
            out.append(UInt8(ascii: "{"))
            for (index, name) in env.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeQuoted(name, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONValue.writeQuoted(env[name]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        key("id")
        JSONValue.writeQuoted(id, into: &out)
        if let condition {
            key("if")
            JSONValue.writeQuoted(condition, into: &out)
        }
        if !needs.isEmpty {
            key("needs")
            strings(needs)
        }
        if retry != RetryPolicy() {
            key("retry")
            out.append(UInt8(ascii: "{"))
            key("backoff", first: true)
            number(retry.backoff)
            key("delay_ms")
            integer(retry.delay.nanoseconds / 1_000_000)
            key("jitter")
            number(retry.jitter)
            if let maxDelay = retry.maxDelay {
                key("max_delay_ms")
                integer(maxDelay.nanoseconds / 1_000_000)
            }
            key("retries")
            integer(retry.retries)
            out.append(UInt8(ascii: "}"))
        }
        if !runsOn.isEmpty {
            key("runs_on")
            strings(runsOn)
        }
        if let timeout {
            key("timeout_ms")
            integer(timeout.nanoseconds / 1_000_000)
        }
        if let workdir {
            key("workdir")
            JSONValue.writeQuoted(workdir, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return true
    }
}
