import Foundation
import MLTasks
public import ModelRegistry
public import PipelineEngine
import PipelineModel

/// `register-model`: records a trained model as its name's next version in the registry.
///
/// Inputs: `name`, `model` (an artifact reference or a file path), `metrics` (map of numbers), optional `params`,
/// `data_fingerprint` (default: read from the model file's `training.data_fingerprint`, else the hash of `data` if
/// given, else `unknown`), `code_version`, `upstream` (list of `NAME@VERSION`), `reference_data` (the test split:
/// its scores are kept for prediction drift). Outputs: `version`, `model` (`NAME@VERSION`), `artifact`, and with
/// `reference_data`, `reference_scores` (`sha256:…` of a frame with the model's `score` on each reference row and
/// the 0/1 `label` when the rows have it; see ``ReferenceScores``).
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
            if let path = try? await artifacts.localPath(for: artifact) {
                fingerprint = (try? ModelFile.load(path: path))?.training.dataFingerprint
            }
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
        var referenceScores: String?
        if let data = try inputs.optionalString("reference_data") {
            referenceScores = try await Self.referenceScores(of: artifact, data: data, context: context)
        }
        let new = NewVersion(
            model: modelName, metrics: metrics, params: try inputs.object("params", default: [:]), artifact: artifact,
            dataFingerprint: fingerprint ?? "unknown", runID: context.runID.rawValue, pipeline: context.pipeline,
            task: context.taskID, codeVersion: try inputs.optionalString("code_version"), upstream: upstream)
        let version = try await registry.register(
            new, idempotencyKey: "\(context.runID.rawValue)/\(context.taskID)", at: context.clock.now)
        context.log("registered \(modelName) version \(version.version)")
        var outputs: [String: JSONValue] = [
            "version": .number(Double(version.version)), "model": .string(version.reference),
            "artifact": .string(version.artifact),
        ]
        if let referenceScores { outputs[ReferenceScores.outputKey] = .string(referenceScores) }
        return outputs
    }

    /// Scores `data` with the model file `artifact` and stores the scores (content-addressed).
    static func referenceScores(of artifact: String, data: String, context: TaskContext) async throws -> String {
        guard let artifacts = context.artifacts else {
            throw TaskFailure("register-model: reference_data needs an artifact store to keep the scores in")
        }
        let file: ModelFile
        do {
            file = try ModelFile.load(path: try await artifacts.localPath(for: artifact))
        } catch {
            throw TaskFailure("register-model: reference_data needs a Kiln model file (from a train task) to score "
                + "it with; '\(artifact)' is not one: \(error). Remove reference_data for other models")
        }
        let (reference, rows) = try await ReferenceScores.store(
            model: file, data: data, artifacts: artifacts, workingDirectory: context.workingDirectory,
            what: "register-model: input 'reference_data'")
        context.log("kept \(rows) reference scores as \(reference)")
        return reference
    }
}
