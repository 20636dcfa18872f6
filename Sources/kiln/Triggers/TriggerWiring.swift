import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite
import SQLiteData

/// Builds the trigger machinery from the home folder: stores, inputs, the evaluator.
struct TriggerWiring {
    let store: SQLiteStateStore
    let registry: SQLiteRegistryStore
    let artifacts: any ArtifactStore

    init(home: HomeOptions) throws {
        store = try home.openStore()
        registry = SQLiteRegistryStore(sharingDatabaseOf: store)
        artifacts = home.artifactStore
    }

    /// The inputs rules read: registry, metrics, row counts (with SQLite queries), and drift between a production
    /// version's training data and current data.
    var inputs: StoreTriggerInputs {
        StoreTriggerInputs(
            registry: registry, metrics: registry,
            rows: RowCounter(sqliteCount: { file, query in try SQLiteCount.count(file: file, query: query) }),
            drift: ModelDriftEvaluator(registry: ModelRegistryService(store: registry), artifacts: artifacts))
    }

    /// Stores the current row count of `pipeline`'s `data:` source as the count at its last run, so the rule
    /// counts rows arriving after a run started by hand too. Does nothing without a `data:` rule; a source that
    /// cannot be counted now is left for the daemon to report.
    func recordDataBaseline(_ pipeline: Pipeline, baseDirectory: String, at now: Timestamp) async throws {
        guard let rule = pipeline.triggers?.data,
            let total = try? await inputs.rowCount(rule.source, baseDirectory: baseDirectory, asOf: nil)
        else { return }
        var state = try await store.triggerState(pipeline: pipeline.name) ?? TriggerState(pipeline: pipeline.name, since: now)
        state.rules["data", default: .init()].mark = Int64(total)
        try await store.saveTriggerState(state)
    }

    /// Parses a time option: ISO 8601 in UTC (`2026-11-29T02:00:00Z`) or a date.
    static func time(_ text: String, option: String) throws -> Timestamp {
        guard let time = Timestamp(iso8601: text) else {
            throw usageError("\(option) expects a UTC time such as 2026-11-29T02:00:00Z, got '\(text)'")
        }
        return time
    }
}

/// A bad option value (exit 2).
func usageError(_ message: String) -> CLIError { CLIError(message, exitCode: 2) }
