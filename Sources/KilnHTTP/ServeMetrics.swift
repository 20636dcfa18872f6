public import CoreMetrics
public import PipelineEngine
import PipelineModel
public import PipelineScheduler
public import Prometheus
import Synchronization

/// The daemon's metrics (through swift-metrics, exposed by `kiln serve` at `/metrics` in Prometheus's text format):
///
/// - `kiln_runs_started_total{pipeline}`, `kiln_runs_finished_total{pipeline,state}`
/// - `kiln_task_duration_seconds{kind,state}` (histogram of finished attempts' durations), `kiln_task_retries_total{kind}`
/// - `kiln_trigger_evaluations_total{pipeline}`, `kiln_trigger_fires_total{type}` (per rule that fired)
/// - `kiln_notification_deliveries_total{outcome}` (`delivered` or `failed`)
/// - `kiln_queue_depth` (runs handed to the daemon and not finished), `kiln_store_commit_seconds` (histogram)
///
/// It is a ``RunEventSink`` (fed by the executor's events, without blocking it) and records what the trigger service
/// and the store report to it.
public final class ServeMetrics: RunEventSink {
    private let factory: any MetricsFactory
    /// Task kinds by run and task, from each run's snapshot.
    private let kinds = Mutex<[RunID: [String: String]]>([:])
    private let depth: CoreMetrics.Gauge
    /// `kiln_task_duration_seconds` by kind and state: made once each (making one looks it up in the registry).
    private let durations = Mutex<[DurationKey: CoreMetrics.Timer]>([:])

    private struct DurationKey: Hashable {
        let kind: String
        let state: TaskState
    }

    /// Creates the metrics on `factory` (a `PrometheusMetricsFactory` in `kiln serve`).
    public init(factory: any MetricsFactory) {
        self.factory = factory
        depth = CoreMetrics.Gauge(label: "kiln_queue_depth", dimensions: [], factory: factory)
        depth.record(0)
    }

    /// Handles an engine event.
    public func receive(_ event: RunEvent) {
        switch event {
        case .runStarted(let run):
            let byTask = Dictionary(uniqueKeysWithValues: run.snapshot.tasks.map { ($0.id, Self.kind(of: $0.action)) })
            kinds.withLock { $0[run.id] = byTask }
            CoreMetrics.Counter(label: "kiln_runs_started_total", dimensions: [("pipeline", run.pipeline)], factory: factory).increment()
        case .runFinished(let run):
            kinds.withLock { _ = $0.removeValue(forKey: run.id) }
            CoreMetrics.Counter(
                label: "kiln_runs_finished_total", dimensions: [("pipeline", run.pipeline), ("state", run.state.rawValue)],
                factory: factory
            ).increment()
        case .taskChanged(let id, let task):
            guard task.state == .succeeded || task.state == .failed || task.state == .cancelled,
                let start = task.startedAt, let end = task.finishedAt, end >= start
            else { return }
            let key = DurationKey(kind: kinds.withLock { $0[id]?[task.taskID] } ?? "unknown", state: task.state)
            let timer = durations.withLock { timers in
                if let timer = timers[key] { return timer }
                let timer = CoreMetrics.Timer(
                    label: "kiln_task_duration_seconds", dimensions: [("kind", key.kind), ("state", key.state.rawValue)],
                    factory: factory)
                timers[key] = timer
                return timer
            }
            timer.recordNanoseconds(end.nanosecondsSince1970 - start.nanosecondsSince1970)
        case .retryScheduled(let id, let task, _, _, _):
            let kind = kinds.withLock { $0[id]?[task] } ?? "unknown"
            CoreMetrics.Counter(label: "kiln_task_retries_total", dimensions: [("kind", kind)], factory: factory).increment()
        case .log:
            break
        }
    }

    /// Records a tick of the trigger service: one evaluation per pipeline, one fire per rule that fired.
    public func record(_ decisions: [TriggerDecision]) {
        for decision in decisions {
            CoreMetrics.Counter(label: "kiln_trigger_evaluations_total", dimensions: [("pipeline", decision.pipeline)], factory: factory).increment()
            for verdict in decision.verdicts where verdict.fires {
                CoreMetrics.Counter(label: "kiln_trigger_fires_total", dimensions: [("type", verdict.type)], factory: factory).increment()
            }
        }
    }

    /// Records a notification delivery's outcome.
    public func recordDelivery(succeeded: Bool) {
        CoreMetrics.Counter(
            label: "kiln_notification_deliveries_total", dimensions: [("outcome", succeeded ? "delivered" : "failed")],
            factory: factory
        ).increment()
    }

    /// Records a store commit's duration.
    public func recordCommit(nanoseconds: Int64) {
        CoreMetrics.Timer(label: "kiln_store_commit_seconds", dimensions: [], factory: factory).recordNanoseconds(nanoseconds)
    }

    /// Sets the queue depth (read when `/metrics` is scraped).
    public func recordQueueDepth(_ runs: Int) {
        depth.record(runs)
    }

    /// Metrics exposed in Prometheus's text format: the metrics and the registry to emit.
    public static func prometheus() -> (metrics: ServeMetrics, registry: PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        return (ServeMetrics(factory: PrometheusMetricsFactory(registry: registry)), registry)
    }

    /// The label of a task's kind: `run`, `shell`, or the `uses:` kind.
    static func kind(of action: TaskAction) -> String {
        switch action {
        case .run: return "run"
        case .shell: return "shell"
        case .uses(let kind, _): return kind
        }
    }
}
