import Foundation
import PipelineEngine
import PipelineModel
import Yams

/// Reads a JSON or YAML configuration file (params, rules, transforms) into a ``JSONValue``.
enum ConfigDocument {
    /// Loads `path` (relative to `workingDirectory`); `.yaml`/`.yml` files are read as YAML, anything else as JSON.
    static func load(path: String, workingDirectory: String, kind: String, input: String) throws -> JSONValue {
        let full = Datasets.resolve(path, workingDirectory: workingDirectory)
        guard let data = FileManager.default.contents(atPath: full) else {
            throw TaskFailure("\(kind): cannot read the file '\(path)' given as '\(input)' (looked at \(full)); "
                + "check the path, which is relative to the task's working directory")
        }
        let lower = full.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            do {
                let text = String(decoding: data, as: UTF8.self)
                guard let object = try Yams.load(yaml: text) else { return .object([:]) }
                return try json(from: object, path: path, kind: kind)
            } catch let error as TaskFailure {
                throw error
            } catch {
                throw TaskFailure("\(kind): '\(path)' (input '\(input)') is not valid YAML: \(error)")
            }
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw TaskFailure("\(kind): '\(path)' (input '\(input)') is not valid JSON: \(error.localizedDescription); "
                + "use a .yaml/.yml extension for YAML files")
        }
    }

    private static func json(from object: Any, path: String, kind: String) throws -> JSONValue {
        switch object {
        case let value as Bool: return .bool(value)
        case let value as Int: return .number(Double(value))
        case let value as Double: return .number(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .array(try value.map { try json(from: $0, path: path, kind: kind) })
        case let value as [String: Any]: return .object(try value.mapValues { try json(from: $0, path: path, kind: kind) })
        case is NSNull: return .null
        default:
            if let value = object as? [AnyHashable: Any] {
                var members: [String: JSONValue] = [:]
                for (key, item) in value { members["\(key)"] = try json(from: item, path: path, kind: kind) }
                return .object(members)
            }
            throw TaskFailure("\(kind): '\(path)' holds a value that is not plain data: \(object)")
        }
    }
}
