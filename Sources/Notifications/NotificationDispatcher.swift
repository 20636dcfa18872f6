import AsyncHTTPClient
public import Logging
public import PipelineEngine
public import PipelineModel
import Synchronization

/// Turns run events into `notify:` deliveries, off the engine's path: the engine only enqueues; a separate
/// task (or, in `kiln serve`, a service) sends them with retries and records each delivery as a log line of its run
/// (`kiln logs RUN notify`). Each run brings its pipeline's rules in its snapshot.
///
/// Mapping: run failed or cancelled → `failure`; run succeeded → `success`; a retry scheduled → `retrying`; a task
/// now waiting for a decision → `approval_needed`; a task that succeeded → what ``Milestone`` says of its kind and
/// outputs (`deployed`, `rolled_back`: the deployment kinds know which of their results are milestones).
///
/// ```swift
/// let dispatcher = NotificationDispatcher(milestone: DeploymentMilestones.event)
/// let executor = PipelineExecutor(store: store, kinds: kinds, events: dispatcher)
/// async let delivery: Void = dispatcher.deliver(environment: environment, store: store, logger: logger)
/// ```
public final class NotificationDispatcher: RunEventSink {
    /// The notification a task's success announces, from its kind (`uses:` name, or `run`/`shell`) and outputs.
    public typealias Milestone = @Sendable (_ kind: String, _ outputs: [String: JSONValue]?) -> NotificationEventKind?

    /// What one run's events need: its pipeline's rules and what its tasks did so far.
    private struct RunState {
        var rules: [NotificationRule]
        var pipeline: String
        var kinds: [String: String]
        var tasks: [String: TaskRecord] = [:]
        var notifiedWaiting: Set<String> = []
    }

    /// An event and the (unresolved) rules of its pipeline.
    struct Pending: Sendable {
        var event: NotificationEvent
        var rules: [NotificationRule]
    }

    private let runs = Mutex([RunID: RunState]())
    private let continuation: AsyncStream<Pending>.Continuation
    let pending: AsyncStream<Pending>
    private let milestone: Milestone

    /// A dispatcher for any number of runs (each brings its rules in its snapshot).
    /// - Parameter milestone: Which task successes are announced, and as what; by default none.
    public init(milestone: @escaping Milestone = { _, _ in nil }) {
        (pending, continuation) = AsyncStream.makeStream(of: Pending.self)
        self.milestone = milestone
    }

    /// Turns `event` into queued deliveries, if a rule of its run's pipeline asks for them. Never blocks.
    public func receive(_ event: RunEvent) {
        switch event {
        case .log:
            return
        case .runStarted(let run):
            guard !run.snapshot.notify.isEmpty else { return }
            let kinds = Dictionary(uniqueKeysWithValues: run.snapshot.tasks.map { ($0.id, $0.action.kindLabel) })
            runs.withLock { $0[run.id] = RunState(rules: run.snapshot.notify, pipeline: run.pipeline, kinds: kinds) }
        case .taskChanged(let runID, let record):
            let found = runs.withLock { runs -> (RunState, TaskRecord?, Bool)? in
                guard var state = runs[runID] else { return nil }
                let previous = state.tasks[record.taskID]
                state.tasks[record.taskID] = record
                let firstWait = record.state == .waiting && state.notifiedWaiting.insert(record.taskID).inserted
                runs[runID] = state
                return (state, previous, firstWait)
            }
            guard let (state, previous, firstWait) = found else { return }
            if firstWait {
                enqueue(.approvalNeeded, state, runID: runID, task: record, detail: record.error)
            } else if record.state == .succeeded, previous?.state != .succeeded, let kind = state.kinds[record.taskID],
                let announced = milestone(kind, record.outputs)
            {
                enqueue(announced, state, runID: runID, task: record, detail: Self.describe(record.outputs))
            }
        case .retryScheduled(let runID, let task, let attempt, let at, let error):
            guard let state = runs.withLock({ $0[runID] }) else { return }
            continuation.yield(Pending(event: NotificationEvent(
                kind: .retrying, pipeline: state.pipeline, runID: runID.rawValue, state: "running", failedTask: task,
                error: error, details: ["next attempt": "\(attempt) at \(at.iso8601)"], at: at), rules: state.rules))
        case .runFinished(let run):
            guard let state = runs.withLock({ $0.removeValue(forKey: run.id) }) else { return }
            guard run.state.isFinished else { return }  // waiting: the run is parked, not over
            let tasks = Array(state.tasks.values)
            let failed = tasks.first { $0.state == .failed }
            continuation.yield(Pending(event: NotificationEvent(
                kind: run.state == .succeeded ? .success : .failure, pipeline: run.pipeline, runID: run.id.rawValue,
                state: run.state.rawValue, failedTask: failed?.taskID, error: run.error,
                runDocument: RunDocument.make(run, tasks: tasks), at: run.finishedAt ?? run.createdAt), rules: state.rules))
        }
    }

    private func enqueue(_ kind: NotificationEventKind, _ state: RunState, runID: RunID, task: TaskRecord, detail: String?) {
        continuation.yield(Pending(event: NotificationEvent(
            kind: kind, pipeline: state.pipeline, runID: runID.rawValue, state: task.state == .waiting ? "waiting" : "running",
            failedTask: task.taskID, details: detail.map { ["detail": $0] } ?? [:],
            at: task.finishedAt ?? task.startedAt ?? Timestamp(nanosecondsSince1970: 0)), rules: state.rules))
    }

    /// Ends the event stream (idempotent): nothing more will be delivered after what is queued.
    public func finish() { continuation.finish() }

    private static func describe(_ outputs: [String: JSONValue]?) -> String? {
        outputs.map { JSONValue.object($0).compactJSON }
    }

    /// Delivers every queued event until ``finish()``, recording each delivery on its run. Secrets are resolved
    /// from `environment` only here, at send time, and never stored.
    ///
    /// - Parameters:
    ///   - environment: What `${{ env.X }}` in the rules reads.
    ///   - store: Where each delivery is recorded, as a `notify` log line of its run.
    ///   - logger: Diagnostics of the HTTP client.
    ///   - clock: Times deliveries and their retries.
    ///   - report: Told of every delivery that failed for good and of rules that could not be resolved (the CLI
    ///     prints them on stderr).
    ///   - observe: Told of every delivery's outcome.
    public func deliver(
        environment: [String: String], store: any StateStore, logger: Logger, clock: any PipelineClock = SystemClock(),
        report: @Sendable (String) -> Void = { _ in }, observe: @Sendable (DeliveryRecord) -> Void = { _ in }
    ) async {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Notifier.clientConfiguration)
        let notifier = Notifier(client: client, clock: clock, logger: logger)
        for await item in pending {
            let rules: [NotificationRule]
            do {
                rules = try item.rules.map { try $0.rendered(in: EnvironmentScope(environment: environment)) }
            } catch {
                report("notify: the rules of \(item.event.pipeline) could not be resolved: \(error)")
                continue
            }
            let records = await notifier.deliver(item.event, rules: rules)
            for record in records { observe(record) }
            let lines = records.map { record in
                LogLine(runID: RunID(rawValue: item.event.runID), taskID: "notify", attempt: 0, stream: .system,
                        text: "\(item.event.kind.rawValue) → \(record)", at: record.at)
            }
            if !lines.isEmpty { try? await store.commit(StateBatch(logs: lines)) }
            for record in records where !record.ok {
                report("notify: \(item.event.kind.rawValue) → \(record)")
            }
        }
        try? await client.shutdown()
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
