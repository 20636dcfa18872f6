import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import MLTasks

/// Evaluates `drift:` rules with the ML toolkit: the training data of the model's production version (from the
/// home's artifact store) against the rule's `current` data, over the model's input columns (``TrainingDataDrift``).
struct ModelDriftEvaluator: DriftEvaluator {
    let registry: ModelRegistryService
    let artifacts: any ArtifactStore

    func evaluate(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict {
        let result = try await TrainingDataDrift.evaluate(
            model: rule.model, current: rule.current, method: rule.method, share: rule.share, registry: registry,
            artifacts: artifacts, baseDirectory: baseDirectory)
        return DriftVerdict(driftedShare: result.share, detail: "\(result.drifted) of \(result.columns) columns",
                            evidence: result.evidence)
    }
}
