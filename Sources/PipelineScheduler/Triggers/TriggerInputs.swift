public import ModelRegistry
public import PipelineModel

/// What trigger rules read from the world: production metrics, the registry's alias history, row counts and
/// drift. The evaluator only reads through this port, so rules are tested with plain values.
public protocol TriggerInputs: Sendable {
    /// The production version of `model`, or `nil` when it has none (or is unknown).
    func productionVersion(model: String) async throws -> Int?

    /// Samples of `metric` of version `version` of `model` with `from <= at <= through`, oldest first.
    func metricSamples(
        model: String, version: Int, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample]

    /// Every move of every alias of `model`, oldest first.
    func aliasHistory(model: String) async throws -> [AliasChange]

    /// How many rows `source` holds, as of `asOf` (`nil`: now), or `nil` when that cannot be known (a query or
    /// a command asked about the past).
    func rowCount(_ source: DataSource, baseDirectory: String, asOf: Timestamp?) async throws -> Int?

    /// How many rows the source of `rule` holds, as ``rowCount(_:baseDirectory:asOf:)``, with the rule's settings
    /// (a command's ``DataRule/timeout``). The default implementation counts the source alone.
    func rowCount(of rule: DataRule, baseDirectory: String, asOf: Timestamp?) async throws -> Int?

    /// The drift verdict for `rule`, or `nil` when no drift evaluator is configured.
    func drift(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict?

    /// `rule.metric` of version `version` measured on the labelled rows of `rule.data` that arrived in the window
    /// ending at `at`, or `nil` when no performance evaluator is configured. An implementation that keeps metrics
    /// records the figure as a sample. The default implementation returns `nil`.
    func labelledPerformance(
        _ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp
    ) async throws -> LabelledMeasurement?
}

extension TriggerInputs {
    /// `nil`: no performance evaluator.
    public func labelledPerformance(
        _ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp
    ) async throws -> LabelledMeasurement? {
        nil
    }

    /// Counts `rule.source` with ``rowCount(_:baseDirectory:asOf:)``.
    public func rowCount(of rule: DataRule, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        try await rowCount(rule.source, baseDirectory: baseDirectory, asOf: asOf)
    }
}
