public import PipelineEngine
import PipelineModel
import MLTasks

/// Scores registered models for `deploy`'s champion gate with the ML kinds' evaluation (threshold 0.5).
public struct EvaluationScoring: ModelScoring {
    /// Creates the scorer.
    public init() {}

    /// The `evaluate` metrics of `model` on `data`.
    public func metrics(model: String, data: String, label: String, context: TaskContext) async throws -> [String: Double] {
        try await ModelEvaluation.metrics(
            model: model, data: data, label: label, artifacts: context.artifacts, workingDirectory: context.workingDirectory)
    }
}
