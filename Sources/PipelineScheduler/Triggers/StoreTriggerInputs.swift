import Foundation
public import ModelRegistry
public import PipelineModel
import Synchronization

/// A flag set once, from any thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    /// Whether it was set.
    var isSet: Bool { value.load(ordering: .relaxed) }
    /// Sets it.
    func set() { value.store(true, ordering: .relaxed) }
}

/// ``TriggerInputs`` read from the registry, the metric store, the file system and an optional drift evaluator:
/// what `kiln serve` and `kiln triggers` use.
public struct StoreTriggerInputs: TriggerInputs {
    let registry: any RegistryStore
    let metrics: any MetricStore
    let rows: RowCounter
    let driftEvaluator: (any DriftEvaluator)?
    let performanceEvaluator: (any PerformanceEvaluator)?

    /// Creates inputs.
    ///
    /// - Parameters:
    ///   - registry: Versions, aliases and alias history.
    ///   - metrics: Pushed production metrics.
    ///   - rows: Counts rows of `data:` sources.
    ///   - drift: Computes drift, or `nil` (then `drift:` rules never fire).
    ///   - performance: Measures models on labelled data, or `nil` (then `performance:` rules with `data:` never
    ///     fire).
    public init(
        registry: any RegistryStore, metrics: any MetricStore, rows: RowCounter = RowCounter(),
        drift: (any DriftEvaluator)? = nil, performance: (any PerformanceEvaluator)? = nil
    ) {
        self.registry = registry
        self.metrics = metrics
        self.rows = rows
        self.driftEvaluator = drift
        self.performanceEvaluator = performance
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
    ///
    /// Counting runs on a thread of its own (a command may take up to its timeout, a large file seconds), so it
    /// holds no thread of the cooperative pool; cancelling the calling task kills a running command's group.
    public func rowCount(of rule: DataRule, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        let timeout = try RowCounter.timeout(of: rule)
        let rows = self.rows
        let stop = StopFlag()
        let result: Result<Int?, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result {
                        try rows.count(rule.source, baseDirectory: baseDirectory, asOf: asOf, timeout: timeout,
                                       shouldStop: { stop.isSet })
                    })
                }
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
        return try result.get()
    }

    /// The drift verdict, or `nil` without an evaluator.
    public func drift(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict? {
        guard let driftEvaluator else { return nil }
        return try await driftEvaluator.evaluate(rule, baseDirectory: baseDirectory, at: at)
    }

    /// The figure on labelled data, or `nil` without an evaluator. A figure on at least `min_samples` rows is
    /// recorded as a metric sample of the version at `at` (so `kiln models show` charts it), unless the newest sample
    /// in the window already holds the same value (an unchanged figure is not recorded again at every evaluation).
    public func labelledPerformance(
        _ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp
    ) async throws -> LabelledMeasurement? {
        guard let performanceEvaluator else { return nil }
        let measured = try await performanceEvaluator.measure(rule, version: version, baseDirectory: baseDirectory, at: at)
        guard measured.rows >= max(rule.minSamples, 1), measured.value.isFinite else { return measured }
        let window = (try? DurationText.parse(rule.window)) ?? .seconds(86_400)
        let recent = try await metrics.metricSamples(
            model: rule.model, version: version, metric: rule.metric, from: at.adding(.zero - window), through: at)
        if recent.last?.value != measured.value {
            try await metrics.pushMetrics([
                MetricSample(model: rule.model, version: version, metric: rule.metric, value: measured.value, at: at),
            ])
        }
        return measured
    }
}
