public import ModelRegistry
public import PipelineEngine
public import PipelineModel
public import PipelineScheduler
public import Tabular

/// Evaluates `drift:` trigger rules with the ML toolkit: the training data of the model's production version (from
/// the artifact store) against the rule's `current` data, over the model's input columns (``TrainingDataDrift``).
///
/// Give it to the trigger daemon's inputs (`StoreTriggerInputs(…, drift: ModelDriftEvaluator(…))`).
public struct ModelDriftEvaluator: DriftEvaluator {
    let registry: ModelRegistryService
    let artifacts: any ArtifactStore
    let limits: DataLimits

    /// Creates the evaluator.
    /// - Parameters:
    ///   - registry: Where the production version and its training data reference are found.
    ///   - artifacts: Where the training data is.
    ///   - limits: The most bytes one data file may have.
    public init(registry: ModelRegistryService, artifacts: any ArtifactStore, limits: DataLimits = .default) {
        self.registry = registry
        self.artifacts = artifacts
        self.limits = limits
    }

    /// The share of drifted input columns, with per-column evidence.
    public func evaluate(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict {
        let result = try await TrainingDataDrift.evaluate(
            model: rule.model, current: rule.current, method: rule.method, share: rule.share, registry: registry,
            artifacts: artifacts, baseDirectory: baseDirectory, limits: limits)
        return DriftVerdict(driftedShare: result.share, detail: "\(result.drifted) of \(result.columns) columns",
                            evidence: result.evidence)
    }
}
