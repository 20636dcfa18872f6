import Foundation
import PipelineEngine
import PipelineModel

/// Typed access to a kind's `with:` inputs, with errors that say which kind, which input, and how to fix it.
struct TaskInputs {
    /// The kind name, used as the prefix of every message (`train: …`).
    let kind: String
    /// The resolved inputs.
    let values: [String: JSONValue]

    init(kind: String, _ values: [String: JSONValue], allowed: [String]) throws {
        self.kind = kind
        self.values = values
        let known = Set(allowed)
        for key in values.keys.sorted() where !known.contains(key) {
            let hint = allowed.min { Self.distance($0, key) < Self.distance($1, key) }
                .flatMap { Self.distance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
            throw TaskFailure("\(kind): unknown input '\(key)'\(hint); known inputs are: \(allowed.joined(separator: ", "))")
        }
    }

    /// A failure message prefixed with the kind.
    func failure(_ message: String) -> TaskFailure { TaskFailure("\(kind): \(message)") }

    /// Whether `key` is present and not null.
    func has(_ key: String) -> Bool {
        if let value = values[key], value != .null { return true }
        return false
    }

    /// A required input of any type.
    func value(_ key: String, hint: String) throws -> JSONValue {
        guard let value = values[key], value != .null else {
            throw failure("missing input '\(key)'; add it under `with:` (\(hint))")
        }
        return value
    }

    /// A required string.
    func string(_ key: String, hint: String) throws -> String {
        let value = try value(key, hint: hint)
        guard let text = value.stringValue, !text.isEmpty else {
            throw failure("input '\(key)' must be a non-empty string, got \(value.compactJSON) (\(hint))")
        }
        return text
    }

    /// An optional string.
    func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        guard let text = values[key]?.stringValue else {
            throw failure("input '\(key)' must be a string, got \(values[key]!.compactJSON)")
        }
        return text
    }

    /// An optional number.
    func optionalNumber(_ key: String) throws -> Double? {
        guard has(key) else { return nil }
        if let number = values[key]?.numberValue { return number }
        if let text = values[key]?.stringValue, let number = Double(text) { return number }
        throw failure("input '\(key)' must be a number, got \(values[key]!.compactJSON)")
    }

    /// An optional whole number.
    func optionalInt(_ key: String) throws -> Int? {
        guard let number = try optionalNumber(key) else { return nil }
        guard number.rounded() == number, abs(number) < 9e15 else {
            throw failure("input '\(key)' must be a whole number, got \(JSONValue.format(number))")
        }
        return Int(number)
    }

    /// An optional boolean (`true`/`false`, or the strings `"true"`/`"false"`).
    func optionalBool(_ key: String) throws -> Bool? {
        guard has(key) else { return nil }
        if let flag = values[key]?.boolValue { return flag }
        if let text = values[key]?.stringValue?.lowercased(), text == "true" || text == "false" { return text == "true" }
        throw failure("input '\(key)' must be true or false, got \(values[key]!.compactJSON)")
    }

    /// An optional list of strings; a single string counts as a list of one.
    func optionalStringList(_ key: String) throws -> [String]? {
        guard has(key) else { return nil }
        let value = values[key]!
        if let text = value.stringValue { return [text] }
        guard let items = value.arrayValue else {
            throw failure("input '\(key)' must be a list of strings, got \(value.compactJSON)")
        }
        return try items.map { item in
            guard let text = item.stringValue else {
                throw failure("input '\(key)' must be a list of strings; \(item.compactJSON) is not a string")
            }
            return text
        }
    }

    /// An inline JSON object/array input, or the contents of the JSON/YAML file a string input names.
    func document(_ key: String, workingDirectory: String, yaml: DataReaders.YAMLParser?) throws -> JSONValue? {
        guard has(key) else { return nil }
        let value = values[key]!
        if let path = value.stringValue {
            return try ConfigDocument.load(path: path, workingDirectory: workingDirectory, kind: kind, input: key, yaml: yaml)
        }
        return value
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension JSONValue {
    /// The value as JSON bytes (for decoding into a library's Codable configuration).
    var jsonData: Data { Data(compactJSON.utf8) }
}
