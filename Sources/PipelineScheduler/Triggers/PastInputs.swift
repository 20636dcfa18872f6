import ModelRegistry
import PipelineModel

/// ``TriggerInputs`` as they were at a past time: the production version then, alias moves until then, row
/// counts from file modification times.
struct PastInputs: TriggerInputs {
    let base: any TriggerInputs
    let at: Timestamp

    func productionVersion(model: String) async throws -> Int? {
        let moves = try await base.aliasHistory(model: model).filter { $0.alias == RegistryNames.production && $0.at <= at }
        return moves.last?.to
    }

    func metricSamples(
        model: String, version: Int, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        try await base.metricSamples(model: model, version: version, metric: metric, from: from, through: min(through, at))
    }

    func aliasHistory(model: String) async throws -> [AliasChange] {
        try await base.aliasHistory(model: model).filter { $0.at <= at }
    }

    func rowCount(_ source: DataSource, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        try await base.rowCount(source, baseDirectory: baseDirectory, asOf: asOf ?? at)
    }

    func drift(_ rule: DriftRule, baseDirectory: String, at time: Timestamp) async throws -> DriftVerdict? {
        nil  // drift of past data is not replayed
    }

    func labelledPerformance(
        _ rule: PerformanceRule, version: Int, baseDirectory: String, at time: Timestamp
    ) async throws -> LabelledMeasurement? {
        nil  // labelled data as it was then is not known; its recorded samples are
    }
}
