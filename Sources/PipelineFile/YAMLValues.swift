import Foundation
public import PipelineModel
import Yams

/// Reads a YAML document (a config file, not a pipeline) into plain JSON values.
///
/// ```swift
/// let readers = DataReaders(yaml: YAMLValues.parse)  // how `kiln` gives the ML kinds YAML config files
/// ```
public enum YAMLValues {
    /// Parses `text`; an empty document is an empty object.
    ///
    /// The text must stay within the pipeline file's ``PipelineFile/Limits`` (size, nesting, values after alias
    /// expansion), checked before any alias is expanded.
    /// - Throws: ``YAMLValuesError`` when the text is not YAML, passes a limit, or holds something that is not plain
    ///   data; the message starts with the line and column.
    public static func parse(_ text: String) throws -> JSONValue {
        switch YAMLDocument.compose(text) {
        case .failure(let error):
            let finding = error.finding
            throw YAMLValuesError(message: "line \(finding.line), column \(finding.column): \(finding.message)")
        case .success(let document):
            // Yams' loader traps on a key that is a list or a mapping (`[a]: 1`, `!t {a: 1}: 2`).
            if let root = document.root, let key = firstStructuredKey(in: root) {
                let (line, column) = (key.mark.line, key.mark.column)
                throw YAMLValuesError(
                    message: "line \(line), column \(column): this mapping key is a list or a mapping; "
                        + "keys of a config file must be text")
            }
        }
        let object: Any?
        do {
            object = try Yams.load(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw YAMLValuesError(
                message: "duplicate key '\(duplicates.first ?? "")' in the mapping that starts at line \(context.mark.line), "
                    + "column \(context.mark.column): each key may appear once in a mapping")
        } catch {
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw YAMLValuesError(message: "invalid YAML: \(firstLine)")
        }
        guard let object else { return .object([:]) }
        return try json(from: object)
    }

    /// The first mapping key that is not a scalar, walking without recursion.
    private static func firstStructuredKey(in root: YAMLNode) -> YAMLNode? {
        var pending = [root]
        while let node = pending.popLast() {
            switch node {
            case .scalar: break
            case .sequence(let sequence): pending.append(contentsOf: sequence)
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if case .scalar = key {} else { return key }
                    pending.append(value)
                }
            }
        }
        return nil
    }

    private static func json(from object: Any) throws -> JSONValue {
        switch object {
        case let value as Bool: return .bool(value)
        case let value as Int: return .number(Double(value))
        case let value as Double: return .number(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .array(try value.map { try json(from: $0) })
        case let value as [String: Any]: return .object(try value.mapValues { try json(from: $0) })
        case is NSNull: return .null
        default:
            if let value = object as? [AnyHashable: Any] {
                var members: [String: JSONValue] = [:]
                for (key, item) in value { members["\(key)"] = try json(from: item) }
                return .object(members)
            }
            throw YAMLValuesError(message: "it holds a value that is not plain data: \(object)")
        }
    }
}

/// Why a YAML document could not be read into plain values.
public struct YAMLValuesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}
