public import ModelRegistry
public import PipelineModel

/// ``TriggerInputs`` read from the registry, the metric store, the file system and an optional drift evaluator:
/// what `kiln serve` and `kiln triggers` use.
public struct StoreTriggerInputs: TriggerInputs {
    let registry: any RegistryStore
    let metrics: any MetricStore
    let rows: RowCounter
    let driftEvaluator: (any DriftEvaluator)?

    /// Creates inputs.
    ///
    /// - Parameters:
    ///   - registry: Versions, aliases and alias history.
    ///   - metrics: Pushed production metrics.
    ///   - rows: Counts rows of `data:` sources.
    ///   - drift: Computes drift, or `nil` (then `drift:` rules never fire).
    public init(
        registry: any RegistryStore, metrics: any MetricStore, rows: RowCounter = RowCounter(),
        drift: (any DriftEvaluator)? = nil
    ) {
        self.registry = registry
        self.metrics = metrics
        self.rows = rows
        self.driftEvaluator = drift
    }

    /// The production version of `model`.
    public func productionVersion(model: String) async throws -> Int? {
        try await registry.model(named: model)?.production
    }

    /// Samples of one version's metric in a range.
    public func metricSamples(
        model: String, version: Int, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        try await metrics.metricSamples(model: model, version: version, metric: metric, from: from, through: through)
    }

    /// The alias history of `model`.
    public func aliasHistory(model: String) async throws -> [AliasChange] {
        try await registry.aliasHistory(model: model)
    }

    /// Rows of `source` as of `asOf`.
    public func rowCount(_ source: DataSource, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        try rows.count(source, baseDirectory: baseDirectory, asOf: asOf)
    }

    /// Rows of `rule`'s source as of `asOf`; a command runs under the rule's timeout.
    public func rowCount(of rule: DataRule, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        try rows.count(rule.source, baseDirectory: baseDirectory, asOf: asOf, timeout: try RowCounter.timeout(of: rule))
    }

    /// The drift verdict, or `nil` without an evaluator.
    public func drift(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict? {
        guard let driftEvaluator else { return nil }
        return try await driftEvaluator.evaluate(rule, baseDirectory: baseDirectory, at: at)
    }
}
