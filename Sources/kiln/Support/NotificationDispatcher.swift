import AsyncHTTPClient
import Foundation
import Logging
import Notifications
import PipelineEngine
import PipelineModel
import Synchronization

/// Turns run events into `notify:` deliveries, off the engine's path: the engine only enqueues; a separate
/// child task sends (with retries) and records each delivery as a log line of the run (`kiln logs RUN notify`).
///
/// Mapping: run failed or cancelled → `failure`; run succeeded → `success`; a retry scheduled → `retrying`; a task
/// now waiting for a decision → `approval_needed`; a `deploy` task that deployed → `deployed`; a `rollback` task that
/// succeeded → `rolled_back`.
final class NotificationDispatcher: RunEventSink {
    private struct State {
        var tasks: [String: TaskRecord] = [:]
        var notifiedWaiting: Set<String> = []
    }

    let rules: [NotificationRule]
    private let pipelineName: String
    private let kinds: [String: String]
    private let state = Mutex(State())
    private let continuation: AsyncStream<NotificationEvent>.Continuation
    /// Events to deliver, in order; finishes when the run is over.
    let events: AsyncStream<NotificationEvent>

    /// A dispatcher for `pipeline`'s rules.
    init(pipeline: Pipeline) {
        rules = pipeline.notify
        pipelineName = pipeline.name
        kinds = Dictionary(uniqueKeysWithValues: pipeline.tasks.map { ($0.id, $0.action.kindLabel) })
        (events, continuation) = AsyncStream.makeStream(of: NotificationEvent.self)
    }

    func receive(_ event: RunEvent) {
        switch event {
        case .runStarted, .log:
            return
        case .taskChanged(let runID, let record):
            let (previous, firstWait) = state.withLock { state in
                let previous = state.tasks[record.taskID]
                state.tasks[record.taskID] = record
                let firstWait = record.state == .waiting && state.notifiedWaiting.insert(record.taskID).inserted
                return (previous, firstWait)
            }
            let pipelineKind = kinds[record.taskID]
            if firstWait {
                enqueue(.approvalNeeded, runID: runID, state: "waiting", task: record, detail: record.error)
            } else if record.state == .succeeded, previous?.state != .succeeded {
                if pipelineKind == "deploy", record.outputs?["deployed"] == true {
                    enqueue(.deployed, runID: runID, state: "running", task: record, detail: Self.describe(record.outputs))
                } else if pipelineKind == "rollback" {
                    enqueue(.rolledBack, runID: runID, state: "running", task: record, detail: Self.describe(record.outputs))
                }
            }
        case .retryScheduled(let runID, let task, let attempt, let at, let error):
            continuation.yield(NotificationEvent(
                kind: .retrying, pipeline: pipelineName, runID: runID.rawValue, state: "running", failedTask: task,
                error: error, details: ["next attempt": "\(attempt) at \(at.iso8601)"], at: at))
        case .runFinished(let run):
            let tasks = state.withLock { Array($0.tasks.values) }
            switch run.state {
            case .succeeded, .failed, .cancelled:
                let failed = tasks.first { $0.state == .failed }
                continuation.yield(NotificationEvent(
                    kind: run.state == .succeeded ? .success : .failure, pipeline: run.pipeline, runID: run.id.rawValue,
                    state: run.state.rawValue, failedTask: failed?.taskID, error: run.error,
                    runDocument: RunDocument.make(run, tasks: tasks), at: run.finishedAt ?? run.createdAt))
            case .queued, .running, .waiting:
                break
            }
            continuation.finish()
        }
    }

    private func enqueue(_ kind: NotificationEventKind, runID: RunID, state: String, task: TaskRecord, detail: String?) {
        continuation.yield(NotificationEvent(
            kind: kind, pipeline: pipelineName, runID: runID.rawValue, state: state, failedTask: task.taskID,
            details: detail.map { ["detail": $0] } ?? [:], at: task.finishedAt ?? task.startedAt ?? Timestamp(nanosecondsSince1970: 0)))
    }

    /// Ends the event stream (idempotent): the run is over, or it stopped waiting for a decision.
    func finish() { continuation.finish() }

    private static func describe(_ outputs: [String: JSONValue]?) -> String? {
        outputs.map { JSONValue.object($0).compactJSON }
    }

    /// Delivers every event until the run is over, recording each delivery on the run. Secrets are resolved from
    /// `environment` only here, at send time, and never stored.
    func deliver(environment: [String: String], store: any StateStore, logger: Logger) async {
        let rendered: [NotificationRule]
        do {
            rendered = try rules.map { try $0.rendered(in: EnvironmentScope(environment: environment)) }
        } catch {
            logger.warning("notify rules could not be resolved", metadata: ["error": "\(error)"])
            for await _ in events {}
            return
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Notifier.clientConfiguration)
        let notifier = Notifier(client: client, clock: SystemClock(), logger: logger)
        for await event in events {
            let records = await notifier.deliver(event, rules: rendered)
            let lines = records.map { record in
                LogLine(runID: RunID(rawValue: event.runID), taskID: "notify", attempt: 0, stream: .system,
                        text: "\(event.kind.rawValue) → \(record)", at: record.at)
            }
            if !lines.isEmpty { try? await store.commit(StateBatch(logs: lines)) }
            for record in records where !record.ok {
                Terminal.err("notify: \(event.kind.rawValue) → \(record)")
            }
        }
        try? await client.shutdown()
    }
}

/// Fans run events out to several sinks.
struct EventFanOut: RunEventSink {
    let sinks: [any RunEventSink]

    func receive(_ event: RunEvent) {
        for sink in sinks { sink.receive(event) }
    }
}

/// What `notify:` expressions can read: the environment only.
struct EnvironmentScope: ExpressionContext {
    let environment: [String: String]

    func value(at path: [String]) throws(ExpressionError) -> JSONValue? {
        path.count == 2 && path[0] == "env" ? environment[path[1]].map(JSONValue.string) : nil
    }

    func status(_ function: PipelineModel.Expression.StatusFunction) -> Bool { false }
}
