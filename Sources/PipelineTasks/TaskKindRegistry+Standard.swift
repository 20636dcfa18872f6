public import PipelineEngine

extension TaskKindRegistry {
    /// ``builtIn`` plus the ML kinds: `extract-csv`, `extract-sql`, `validate`, `features`, `merge`, `split`,
    /// `train`, `evaluate`, `predict` and `drift` (reference: docs/task-kinds.md).
    ///
    /// The ML kinds pass datasets and models as artifacts: give the executor an artifact store
    /// (`PipelineExecutor(…, artifacts: LocalArtifactStore(root: …))`).
    public static func standard() -> TaskKindRegistry {
        var registry = TaskKindRegistry.builtIn
        let kinds: [any TaskKind] = [
            ExtractCSVTaskKind(), ExtractSQLTaskKind(), ValidateTaskKind(), FeaturesTaskKind(), MergeTaskKind(),
            SplitTaskKind(), TrainTaskKind(), EvaluateTaskKind(), PredictTaskKind(), DriftTaskKind(),
        ]
        for kind in kinds { registry.register(kind) }
        return registry
    }
}
