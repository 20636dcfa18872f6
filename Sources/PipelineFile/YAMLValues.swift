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
    /// - Throws: ``YAMLValuesError`` when the text is not YAML or holds something that is not plain data.
    public static func parse(_ text: String) throws -> JSONValue {
        let object: Any?
        do {
            object = try Yams.load(yaml: text)
        } catch {
            throw YAMLValuesError(message: "\(error)")
        }
        guard let object else { return .object([:]) }
        return try json(from: object)
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
