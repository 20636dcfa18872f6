public import ModelRegistry
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `predict`: scores a dataset with a model file.
///
/// Inputs: `model` (model file: artifact reference, path, or registry reference `NAME@ALIAS` / `NAME@VERSION`), `data` (dataset with the model's input columns), `threshold` (optional: also add
/// a 0/1 `prediction` column, positive when `score ≥ threshold`).
/// Outputs: `data` (the input rows plus a `score` column, the probability of class 1), `rows`, `columns`, and
/// `model_version` (`NAME@N`) when `model` was a registry reference.
public struct PredictTaskKind: TaskKind {
    /// `"predict"`.
    public let name = "predict"

    /// Where registry references resolve.
    public let source: ModelSource

    /// Creates the kind.
    /// - Parameters:
    ///   - registry: The model registry for `NAME@ALIAS` references; `nil` makes them an error.
    public init(registry: ModelRegistryService? = nil) {
        source = ModelSource(registry: registry)
    }

    /// Scores and stores the data with its scores.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["model", "data", "threshold"])
        let modelRef = try inputs.string("model", hint: "the `model` output of a train task, or a model file path")
        let dataRef = try inputs.string("data", hint: "a dataset with the model's input columns")
        let threshold = try inputs.optionalNumber("threshold")
        let loaded = try await source.load(modelRef, artifacts: context.artifacts,
                                           workingDirectory: context.workingDirectory, kind: name)
        let model = loaded.file
        let frame = try await Datasets.load(dataRef, artifacts: context.artifacts,
                                            workingDirectory: context.workingDirectory, what: "predict: input 'data'")
        let scored: DataFrame
        do {
            scored = try await Offload.run { try Predictions.score(frame, with: model, threshold: threshold) }
        } catch {
            throw inputs.failure("cannot score '\(dataRef)': \(error)")
        }
        let reference = try await Datasets.store(scored, artifacts: context.artifacts, what: name)
        var outputs = DatasetOutputs.describe(scored, reference: reference)
        if let version = loaded.version { outputs["model_version"] = .string(version) }
        return outputs
    }
}
