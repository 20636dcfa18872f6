public import ModelRegistry
public import PipelineEngine
import PipelineModel

extension TaskKindRegistry {
    /// Adds the ML kinds: `extract-csv`, `extract-sql`, `validate`, `features`, `merge`, `split`, `train`,
    /// `evaluate`, `predict` and `drift` (reference: docs/task-kinds.md).
    ///
    /// The ML kinds pass datasets and models as artifacts: give the executor an artifact store
    /// (`PipelineExecutor(…, artifacts: LocalArtifactStore(root: …))`).
    ///
    /// ```swift
    /// var kinds = TaskKindRegistry.builtIn
    /// kinds.registerMLKinds(readers: DataReaders(yaml: YAMLValues.parse, sql: SQLiteQuery.frame))
    /// ```
    ///
    /// - Parameters:
    ///   - registry: The model registry `predict` and `evaluate` resolve `model: NAME@ALIAS` references in; without
    ///     one such references fail with a clear error.
    ///   - readers: How YAML config files and SQL databases are read.
    ///   - runs: The run records `drift` with `model:` reads a version's lineage from (reference scores, fitted
    ///     transforms); `nil` = none.
    public mutating func registerMLKinds(
        registry: ModelRegistryService? = nil, readers: DataReaders = DataReaders(), runs: (any StateStore)? = nil
    ) {
        let kinds: [any TaskKind] = [
            ExtractCSVTaskKind(readers: readers), ExtractSQLTaskKind(readers: readers), ValidateTaskKind(readers: readers),
            FeaturesTaskKind(readers: readers), MergeTaskKind(), SplitTaskKind(), TrainTaskKind(readers: readers),
            EvaluateTaskKind(registry: registry), PredictTaskKind(registry: registry), DriftTaskKind(readers: readers, registry: registry, runs: runs),
        ]
        for kind in kinds { register(kind) }
    }
}
