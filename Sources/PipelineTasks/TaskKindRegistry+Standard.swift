public import ModelRegistry
public import PipelineEngine

extension TaskKindRegistry {
    /// ``builtIn`` plus the ML kinds: `extract-csv`, `extract-sql`, `validate`, `features`, `merge`, `split`,
    /// `train`, `evaluate`, `predict` and `drift` (reference: docs/task-kinds.md).
    ///
    /// The ML kinds pass datasets and models as artifacts: give the executor an artifact store
    /// (`PipelineExecutor(…, artifacts: LocalArtifactStore(root: …))`).
    ///
    /// - Parameters:
    ///   - registry: The model registry `predict` and `evaluate` resolve `model: NAME@ALIAS` references in; without
    ///     one such references fail with a clear error.
    public static func standard(registry: ModelRegistryService? = nil) -> TaskKindRegistry {
        var kindRegistry = TaskKindRegistry.builtIn
        let kinds: [any TaskKind] = [
            ExtractCSVTaskKind(), ExtractSQLTaskKind(), ValidateTaskKind(), FeaturesTaskKind(), MergeTaskKind(),
            SplitTaskKind(), TrainTaskKind(), EvaluateTaskKind(registry: registry), PredictTaskKind(registry: registry), DriftTaskKind(),
        ]
        for kind in kinds { kindRegistry.register(kind) }
        return kindRegistry
    }
}
