import Foundation
public import PipelineEngine
public import PipelineModel

/// Typed access to a task's `with:` inputs, with errors that name the kind, the input and what was expected.
public struct TaskInputReader: Sendable {
    /// The context the inputs belong to.
    public let context: TaskContext

    /// Wraps `context`'s inputs.
    public init(_ context: TaskContext) { self.context = context }

    private var kind: String {
        if case .uses(let name) = context.action { return name }
        return context.taskID
    }

    /// A required string input.
    public func string(_ key: String) throws -> String {
        guard let value = context.inputs[key] else { throw TaskFailure("\(kind): input '\(key)' is required") }
        guard let text = value.stringValue, !text.isEmpty else {
            throw TaskFailure("\(kind): input '\(key)' must be text, got \(value.compactJSON)")
        }
        return text
    }

    /// An optional string input.
    public func optionalString(_ key: String) throws -> String? {
        guard let value = context.inputs[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw TaskFailure("\(kind): input '\(key)' must be text, got \(value.compactJSON)") }
        return text
    }

    /// A required whole number (a numeric string is accepted).
    public func int(_ key: String) throws -> Int {
        guard let value = context.inputs[key] else { throw TaskFailure("\(kind): input '\(key)' is required") }
        if let number = value.intValue { return number }
        if let text = value.stringValue, let number = Int(text) { return number }
        throw TaskFailure("\(kind): input '\(key)' must be a whole number, got \(value.compactJSON)")
    }

    /// An optional object input.
    public func object(_ key: String, default fallback: [String: JSONValue]) throws -> [String: JSONValue] {
        guard let value = context.inputs[key], value != .null else { return fallback }
        guard let members = value.objectValue else {
            throw TaskFailure("\(kind): input '\(key)' must be a map, got \(value.compactJSON)")
        }
        return members
    }

    /// An optional list of strings (a single string is a list of one).
    public func strings(_ key: String) throws -> [String]? {
        guard let value = context.inputs[key], value != .null else { return nil }
        if let text = value.stringValue { return [text] }
        guard let list = value.arrayValue else {
            throw TaskFailure("\(kind): input '\(key)' must be a list, got \(value.compactJSON)")
        }
        return try list.map { element in
            switch element {
            case .string(let text): return text
            case .number, .bool: return element.interpolated
            default: throw TaskFailure("\(kind): input '\(key)' must hold text, got \(element.compactJSON)")
            }
        }
    }

    /// An artifact reference: a `sha256:` input as is, or a file path (relative to the working directory) stored
    /// into the artifact store.
    public func artifact(_ key: String) async throws -> String {
        try await artifactReference(try string(key), input: key)
    }

    /// `text` as an artifact reference: as is when it is one, else the file it names, stored.
    public func artifactReference(_ text: String, input key: String = "data") async throws -> String {
        guard let artifacts = context.artifacts else {
            throw TaskFailure("\(kind): this process has no artifact store, so '\(key)' cannot be read")
        }
        if text.hasPrefix("sha256:") {
            guard try await artifacts.contains(text) else {
                throw TaskFailure("\(kind): input '\(key)': artifact \(text) is not in \(artifacts.location)")
            }
            return text
        }
        let path = absolutePath(text)
        guard FileManager.default.fileExists(atPath: path) else {
            throw TaskFailure("\(kind): input '\(key)': no file at \(path)")
        }
        return try await artifacts.put(file: path)
    }

    /// `path` made absolute against the task's working directory.
    public func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : context.workingDirectory + "/" + path
    }
}
