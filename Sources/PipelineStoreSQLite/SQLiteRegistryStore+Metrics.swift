internal import GRDB
import PipelineScheduler
public import ModelRegistry
public import PipelineModel

// Production metrics (table `model_metrics`, migration `v3-scheduler`).
extension SQLiteRegistryStore: MetricStore {
    /// Appends samples in one transaction.
    ///
    /// - Parameters:
    ///   - samples: The samples; values must be finite.
    /// - Throws: A database error.
    public func pushMetrics(_ samples: [MetricSample]) async throws {
        try await insertMetrics(samples)
        if !samples.isEmpty { wakeups?.post(.metric) }
    }

    private func insertMetrics(_ samples: [MetricSample]) async throws {
        try await writer.writeRetryingWhileBusy { db in
            for sample in samples {
                try db.execute(
                    sql: "INSERT INTO model_metrics (model, version, metric, value, at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [sample.model, sample.version, sample.metric, sample.value, sample.at.nanosecondsSince1970])
            }
        }
    }

    /// The samples of `metric` of `model` (one version or all) with `from <= at <= through`, oldest first.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - version: The version, or `nil` for every version.
    ///   - metric: The metric's name.
    ///   - from: The earliest time included.
    ///   - through: The latest time included.
    /// - Returns: The samples, ordered by time and push order.
    /// - Throws: A database error.
    public func metricSamples(
        model: String, version: Int?, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        try await readMetrics(model: model, version: version, metric: metric, from: from, through: through)
    }

    private func readMetrics(
        model: String, version: Int?, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT version, value, at FROM model_metrics
                    WHERE model = ? AND metric = ? AND at >= ? AND at <= ? AND (? IS NULL OR version = ?)
                    ORDER BY at, seq
                    """,
                arguments: [model, metric, from.nanosecondsSince1970, through.nanosecondsSince1970, version, version])
            return rows.map { row in
                MetricSample(
                    model: model, version: row["version"], metric: metric, value: row["value"],
                    at: Timestamp(nanosecondsSince1970: row["at"]))
            }
        }
    }
}
