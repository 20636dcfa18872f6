import Foundation
import MLTasks
public import ModelRegistry
public import PipelineEngine
import PipelineModel

/// `register-model`: records a trained model as its name's next version in the registry.
///
/// Inputs: `name`, `model` (an artifact reference or a file path), `metrics` (map of numbers), optional `params`,
/// `data_fingerprint` (default: read from the model file's `training.data_fingerprint`, else the hash of `data` if
/// given, else `unknown`), `code_version`, `upstream` (list of `NAME@VERSION`). Outputs: `version`, `model`
/// (`NAME@VERSION`), `artifact`.
///
/// Idempotent per run and task: a resumed run gets its earlier version back instead of registering twice.
public struct RegisterModelTaskKind: TaskKind {
    /// `register-model`.
    /// The kind's name, `"register-model"`.
    public static let kindName = "register-model"
    /// ``kindName``.
    public var name: String { Self.kindName }
    let registry: ModelRegistryService

    /// Creates the kind on `registry`.
    public init(registry: ModelRegistryService) { self.registry = registry }

    /// Registers the version.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = TaskInputReader(context)
        let modelName = try inputs.string("name")
        let artifact = try await inputs.artifact("model")
        var metrics: [String: Double] = [:]
        for (key, value) in try inputs.object("metrics", default: [:]) {
            guard let number = value.numberValue else {
                throw TaskFailure("register-model: metric '\(key)' must be a number, got \(value.compactJSON)")
            }
            metrics[key] = number
        }
        var fingerprint = try inputs.optionalString("data_fingerprint")
        if fingerprint == nil, let artifacts = context.artifacts {
            // A Kiln model file knows its training data; a script's model file need not be one.
            fingerprint = (try? ModelFile.load(path: try artifacts.path(for: artifact)))?.training.dataFingerprint
        }
        if fingerprint == nil, context.inputs["data"] != nil { fingerprint = try await inputs.artifact("data") }
        var upstream: [UpstreamVersion] = []
        if let list = context.inputs["upstream"]?.arrayValue {
            for entry in list {
                guard let text = entry.stringValue, let parsed = try? ModelReference(parsing: text),
                    case .version(let number) = parsed.selector
                else {
                    throw TaskFailure("register-model: upstream entries are NAME@VERSION, got \(entry.compactJSON)")
                }
                upstream.append(UpstreamVersion(name: parsed.model, version: number))
            }
        }
        let new = NewVersion(
            model: modelName, metrics: metrics, params: try inputs.object("params", default: [:]), artifact: artifact,
            dataFingerprint: fingerprint ?? "unknown", runID: context.runID.rawValue, pipeline: context.pipeline,
            task: context.taskID, codeVersion: try inputs.optionalString("code_version"), upstream: upstream)
        let version = try await registry.register(
            new, idempotencyKey: "\(context.runID.rawValue)/\(context.taskID)", at: context.clock.now)
        context.log("registered \(modelName) version \(version.version)")
        return [
            "version": .number(Double(version.version)), "model": .string(version.reference),
            "artifact": .string(version.artifact),
        ]
    }
}
