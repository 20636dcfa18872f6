public import PipelineModel

/// Where production metrics of model versions are kept (table `model_metrics` in SQLite).
public protocol MetricStore: Sendable {
    /// Appends samples, atomically.
    func pushMetrics(_ samples: [MetricSample]) async throws

    /// The samples of `metric` of `model` (version `version`, or every version when `nil`) with
    /// `from <= at <= through`, oldest first.
    func metricSamples(
        model: String, version: Int?, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample]
}
