public import ModelRegistry
public import PipelineModel
import PipelineScheduler
internal import PostgresNIO

// Production metrics (table `model_metrics`).
extension PostgresRegistryStore: MetricStore {
    /// Appends samples in one statement (so atomically), in order.
    ///
    /// - Parameters:
    ///   - samples: The samples; values must be finite.
    /// - Throws: ``PostgresStoreError``.
    public func pushMetrics(_ samples: [MetricSample]) async throws {
        guard !samples.isEmpty else { return }
        _ = try await database.rows(
            "store metric samples",
            """
            INSERT INTO model_metrics (model, version, metric, value, at)
            SELECT model, version, metric, value, at
            FROM unnest(\(samples.map(\.model))::text[], \(samples.map { Int64($0.version) })::bigint[],
                \(samples.map(\.metric))::text[], \(samples.map(\.value))::float8[],
                \(samples.map(\.at.nanosecondsSince1970))::bigint[])
                WITH ORDINALITY AS sample (model, version, metric, value, at, position)
            ORDER BY position
            """)
        // A hint for a listening scheduler: the samples are stored whether or not it goes out.
        _ = try? await database.rows("signal a metric push", database.notify(.metric))
    }

    /// The samples of `metric` of `model` (one version or all) with `from <= at <= through`, oldest first (by time,
    /// then push order).
    ///
    /// - Throws: ``PostgresStoreError``.
    public func metricSamples(
        model: String, version: Int?, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        try await database.rows(
            "read metric samples of \(model)",
            """
            SELECT version, value, at FROM model_metrics
            WHERE model = \(model) AND metric = \(metric) AND at >= \(from.nanosecondsSince1970)
                AND at <= \(through.nanosecondsSince1970) AND (\(version)::bigint IS NULL OR version = \(version))
            ORDER BY at, seq
            """
        ).map { row in
            let (version, value, at) = try row.decode((Int, Double, Int64).self)
            return MetricSample(model: model, version: version, metric: metric, value: value, at: Timestamp(nanosecondsSince1970: at))
        }
    }
}
