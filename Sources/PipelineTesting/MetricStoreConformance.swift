public import ModelRegistry
import PipelineModel

/// The behaviour every ``MetricStore`` must have, as named checks to run against a fresh, empty store.
///
/// ```swift
/// @Test("SQLite metrics", arguments: MetricStoreConformance.checks)
/// func conforms(_ check: MetricStoreConformance.Check) async throws {
///     try await check.run(SQLiteRegistryStore.inMemory())
/// }
/// ```
public enum MetricStoreConformance {
    /// One requirement of the `MetricStore` contract and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement on `store`, which must be empty.
        public let run: @Sendable (any MetricStore) async throws -> Void

        /// Creates a check.
        ///
        /// - Parameters:
        ///   - name: The requirement, as a sentence.
        ///   - run: Checks the requirement on an empty store; throws ``ConformanceFailure`` when it is not met.
        public init(_ name: String, run: @escaping @Sendable (any MetricStore) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty store.
    public static let checks: [Check] = [
        Check("samples read back oldest first, filtered by model, metric, version and an inclusive time range",
              run: samplesAreFiltered),
        Check("samples with equal times come back in push order; an empty push stores nothing", run: equalTimesKeepPushOrder),
    ]

    /// A time with nanosecond digits, so stores that round timestamps fail.
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)

    static func at(_ seconds: Int64) -> Timestamp { start.adding(.seconds(seconds)) }

    static func expectEqual(_ actual: [MetricSample], _ expected: [MetricSample], _ what: String) throws {
        guard actual == expected else {
            throw ConformanceFailure("\(what): expected \(expected), read \(actual)")
        }
    }

    static func samplesAreFiltered(_ store: any MetricStore) async throws {
        let pushed = [
            MetricSample(model: "fraud", version: 2, metric: "f1", value: 0.81, at: at(30)),
            MetricSample(model: "fraud", version: 1, metric: "f1", value: 0.7, at: at(10)),
            MetricSample(model: "fraud", version: 2, metric: "auc", value: 0.9, at: at(20)),
            MetricSample(model: "churn", version: 2, metric: "f1", value: 0.5, at: at(20)),
            MetricSample(model: "fraud", version: 2, metric: "f1", value: -1.25e-7, at: at(0)),
            MetricSample(model: "fraud", version: 2, metric: "f1", value: 0.99, at: at(40)),
        ]
        try await store.pushMetrics(Array(pushed[0..<3]))
        try await store.pushMetrics(Array(pushed[3...]))
        try expectEqual(
            try await store.metricSamples(model: "fraud", version: nil, metric: "f1", from: at(0), through: at(40)),
            [pushed[4], pushed[1], pushed[0], pushed[5]], "f1 of every fraud version, both ends included")
        try expectEqual(
            try await store.metricSamples(model: "fraud", version: 2, metric: "f1", from: at(1), through: at(30)),
            [pushed[0]], "f1 of fraud version 2 from 1 s through 30 s")
        try expectEqual(
            try await store.metricSamples(model: "fraud", version: 3, metric: "f1", from: at(0), through: at(40)),
            [], "a version without samples")
        try expectEqual(
            try await store.metricSamples(model: "other", version: nil, metric: "f1", from: at(0), through: at(40)),
            [], "an unknown model")
    }

    static func equalTimesKeepPushOrder(_ store: any MetricStore) async throws {
        try await store.pushMetrics([])
        let samples = (0..<5).map { MetricSample(model: "fraud", version: 1, metric: "f1", value: Double(5 - $0), at: at(7)) }
        for sample in samples { try await store.pushMetrics([sample]) }
        try expectEqual(
            try await store.metricSamples(model: "fraud", version: 1, metric: "f1", from: at(7), through: at(7)),
            samples, "samples pushed one by one at one time")
    }
}
