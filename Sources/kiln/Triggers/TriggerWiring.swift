import Foundation
import ModelRegistry
import MLTasks
import PipelineEngine
import PipelineModel
import PipelineScheduler
import SQLiteData
import Tabular

/// Builds the trigger machinery from the home folder: stores, inputs, the evaluator.
struct TriggerWiring {
    let store: any StateStore & TriggerStateStore
    let registry: any RegistryStore & MetricStore
    let artifacts: any ArtifactStore
    /// Changes other processes signal (metric pushes, promotions, queued or ended runs).
    let signals: (any SchedulerSignalSource)?
    /// The queue of attempts handed to workers.
    let queue: (any TaskQueue)?
    /// The home folder, where `predictions:NAME` and `feedback:NAME` data is.
    let home: String

    /// The command's stores.
    var stores: Stores { Stores(state: store, registry: registry, signals: signals, queue: queue) }

    init(home: HomeOptions) async throws {
        let stores = try await home.openStores()
        store = stores.state
        registry = stores.registry
        signals = stores.signals
        queue = stores.queue
        artifacts = try home.artifactStore
        self.home = home.directory
    }

    /// The inputs rules read: registry, metrics, row counts (with SQLite queries), drift between a production
    /// version's training data (or reference scores) and current data, and performance on labelled data.
    var inputs: StoreTriggerInputs {
        StoreTriggerInputs(
            registry: registry, metrics: registry,
            rows: RowCounter(sqliteCount: { file, query in try SQLiteCount.count(file: file, query: query) },
                             maxFileBytes: DataLimitsSetting.current.maxFileBytes),
            drift: ModelDriftEvaluator(registry: ModelRegistryService(store: registry), artifacts: artifacts,
                                       runs: store, limits: DataLimitsSetting.current, home: home),
            performance: LabelledPerformance(registry: ModelRegistryService(store: registry), artifacts: artifacts,
                                             runs: store, limits: DataLimitsSetting.current, home: home))
    }

    /// Moves the `data:` rule's baseline to now: a run starts outside the daemon.
    func recordDataBaseline(_ pipeline: Pipeline, baseDirectory: String, at now: Timestamp) async throws {
        try await DataBaseline.record(for: pipeline, baseDirectory: baseDirectory, at: now, inputs: inputs, states: store)
    }

    /// Parses a time option: ISO 8601 in UTC (`2026-11-29T02:00:00Z`) or a date, within 1970 … 2261; anything else
    /// is a usage error (exit 2) that says what is wrong.
    static func time(_ text: String, option: String) throws -> Timestamp {
        do {
            return try Timestamp.parse(text)
        } catch {
            throw usageError("\(option): \(error)")
        }
    }
}

/// A bad option value (exit 2).
func usageError(_ message: String) -> CLIError { CLIError(message, exitCode: 2) }
