import Logging
public import PipelineModel
import Synchronization

extension PipelineExecutor {
    /// Hands `starts` to workers: one queue transaction for all of them. A task with `runs_on:` labels gets a system
    /// log line saying which worker it waits for.
    func dispatch(
        _ starts: [RunPlanner.Attempt], of run: RunRecord, plan: Plan, lease: RunLease, withheld: Set<String>,
        to remote: RemoteCollector, batch: inout StateBatch
    ) async throws {
        let now = clock.now
        var items: [QueuedAttempt] = []
        items.reserveCapacity(starts.count)
        for attempt in starts {
            let spec = plan.pipeline.tasks[attempt.task]
            let directory = attempt.workdir.map { $0.hasPrefix("/") ? $0 : run.baseDirectory + "/" + $0 }
                ?? run.baseDirectory
            let work = AttemptWork(
                action: attempt.action, inputs: attempt.inputs, environment: attempt.environment,
                workingDirectory: directory, decision: attempt.decision, withheldEnvironment: Array(withheld))
            items.append(QueuedAttempt(
                runID: run.id, epoch: lease.epoch, taskID: spec.id, attempt: attempt.number, labels: spec.runsOn,
                work: work, queuedAt: now))
            if !spec.runsOn.isEmpty {
                batch.logs.append(LogLine(
                    runID: run.id, taskID: spec.id, attempt: attempt.number, stream: .system,
                    text: "queued: waits for a worker with labels \(spec.runsOn.joined(separator: ","))", at: now))
            }
            remote.expect(run.id, taskID: spec.id, task: attempt.task, attempt: attempt.number)
        }
        try await enduringStoreErrors("enqueue attempts") { [queue, items] in try await queue!.enqueue(items) }
    }

    /// Runs one attempt a worker claimed, as the owner would have run it here: cache lookup, then the kind under the
    /// task's timeout. `log` and `process` receive the task's log lines and command process groups.
    ///
    /// - Parameters:
    ///   - claimed: The attempt.
    ///   - pipeline: The run's pipeline snapshot (the task's policies are read from it).
    ///   - task: The attempt's task in `pipeline`, when the caller has looked it up; `nil`: looked up here.
    ///   - log: Receives each log line.
    ///   - process: Receives the process group a command starts (and `nil` when it ends).
    /// - Returns: How the attempt ended.
    public func perform(
        _ claimed: QueuedAttempt, pipeline: Pipeline, task: TaskSpec? = nil, log: @escaping @Sendable (LogLine) -> Void,
        process: @escaping @Sendable (TaskProcess?) -> Void
    ) async -> AttemptResult {
        guard let spec = task ?? pipeline.tasks.first(where: { $0.id == claimed.taskID }) else {
            return .failed(error: "the run's pipeline has no task '\(claimed.taskID)'", cacheKey: nil)
        }
        let seeds = LineageCollector()
        let (runID, taskID, number, clock) = (claimed.runID, claimed.taskID, claimed.attempt, self.clock)
        let work = claimed.work
        let context = TaskContext(
            runID: runID, pipeline: pipeline.name, taskID: taskID, attempt: number, action: work.action,
            inputs: work.inputs, environment: work.environment, workingDirectory: work.workingDirectory, clock: clock,
            logger: logger, artifacts: artifacts, decision: work.decision,
            withheldEnvironment: Set(work.withheldEnvironment), startedAt: clock.now,
            log: { stream, text in
                log(LogLine(runID: runID, taskID: taskID, attempt: number, stream: stream, text: text, at: clock.now))
            },
            process: process, seed: { seeds.add(seed: $0) }, read: { seeds.add(read: $0) })
        return AttemptResult(await attempt(spec, context: context, seeds: seeds))
    }

    /// Pokes the collector of queued attempts' results: it looks at the queue at once instead of at its next poll
    /// (the hook for pushed wake-ups, such as a database notification).
    public func wakeQueueCollector() { remote?.wake() }
}

extension AttemptResult {
    /// The stored form of how an attempt ended.
    init(_ outcome: AttemptOutcome) {
        switch outcome {
        case .succeeded(let outputs, let cache, let lineage):
            self = .succeeded(outputs: outputs, cacheKey: cache?.key, cacheNote: cache?.note, lineage: lineage)
        case .cached(let entry, let note, let lineage): self = .cached(entry, note: note, lineage: lineage)
        case .failed(let error, let key): self = .failed(error: error, cacheKey: key)
        case .cancelled: self = .cancelled
        case .suspended(let suspension): self = .suspended(reason: suspension.reason, deadline: suspension.deadline)
        }
    }

    /// The executor's form.
    var outcome: AttemptOutcome {
        switch self {
        case .succeeded(let outputs, let key, let note, let lineage):
            let cache = (key != nil || note != nil) ? (key: key, note: note ?? "") : nil
            return .succeeded(outputs, cache: cache, lineage: lineage)
        case .cached(let entry, let note, let lineage): return .cached(entry, note: note, lineage: lineage)
        case .failed(let error, let key): return .failed(error, cacheKey: key)
        case .cancelled: return .cancelled
        case .suspended(let reason, let deadline):
            return .suspended(TaskSuspension(reason: reason, deadline: deadline))
        }
    }
}

/// Collects the results of the attempts an executor queued, for all its runs at once: one query per poll, however
/// many runs are executing. With a queue that pushes its ``TaskQueueEvent/finished`` events, it looks when told, and
/// 10 ms after a look that found results; otherwise every millisecond while results keep coming. A look that finds
/// nothing doubles the wait, up to 50 ms. Attempts just queued bring the wait down to 2 ms (a quick attempt's result
/// is then collected within milliseconds, whether or not a worker tells of it), without a look before they can have
/// ended. Idle (nothing outstanding) it waits for ``wake()`` or the next attempt. A store error backs off up to 5 s.
final class RemoteCollector: Sendable {
    private struct Run {
        var inbox: Inbox<PipelineExecutor.Message>
        /// The epoch of the owner's lease: only the queue rows of this epoch are collected.
        var epoch: Int64
        /// Attempts in the queue, by task id: the task's index and the attempt's number.
        var outstanding: [String: (task: Int, attempt: Int)] = [:]
    }

    private struct State {
        var runs: [RunID: Run] = [:]
        var polling = false
        /// The runs whose rows a look under way takes out of the queue (and has yet to deliver).
        var collecting: Set<RunID> = []
        /// Callers of ``settle(_:)`` waiting for that look to deliver (resumed with `nil`: look again).
        var settling: [CheckedContinuation<[Int]?, Never>] = []
        /// Whether the queue pushes its `finished` events (then they are listened to): looked up when the first
        /// attempt is awaited, so an executor that never hands one to workers pays nothing for it; `nil` until then.
        var told: Bool?
        /// Attempts were queued since the poll loop last waited: its wait starts again from ``afterQueueing``.
        var queued = false
    }

    /// The wait before looking for the results of attempts just queued (then doubling while none come).
    static let afterQueueing = Duration.milliseconds(2)

    let queue: any TaskQueue
    private let clock: any PipelineClock
    private let logger: Logger
    private let state = Mutex(State())
    private let signal = WakeSignal()

    init(queue: any TaskQueue, clock: any PipelineClock, logger: Logger) {
        self.queue = queue
        self.clock = clock
        self.logger = logger
    }

    /// Starts delivering results of run `id`, owned under a lease of `epoch`, to `inbox`; `adopted` are the attempts
    /// already in the queue that the run waits for (task id → its index and the attempt's number).
    ///
    /// They are noted all at once, before any look at the queue: a look takes every ended attempt of the run out of
    /// the queue, and drops those it does not expect.
    func register(
        _ id: RunID, epoch: Int64, inbox: Inbox<PipelineExecutor.Message>,
        adopted: [String: (task: Int, attempt: Int)] = [:]
    ) {
        state.withLock { $0.runs[id] = Run(inbox: inbox, epoch: epoch, outstanding: adopted) }
        if !adopted.isEmpty { startPolling() }
    }

    /// Stops delivering results of run `id` (its execution ended, or lost the run to another owner: nothing of it
    /// is left to collect under its epoch).
    func unregister(_ id: RunID) {
        state.withLock { _ = $0.runs.removeValue(forKey: id) }
    }

    /// Stops delivering results of run `id` once no look at the queue is under way for it: results already taken
    /// out of the queue reach its inbox first (or they would be lost with their rows). Returns the task indexes of
    /// its attempts still in the queue.
    func settle(_ id: RunID) async -> [Int] {
        while true {
            let left: [Int]? = await withCheckedContinuation { continuation in
                let left = state.withLock { state -> [Int]?? in
                    if state.collecting.contains(id) {
                        state.settling.append(continuation)
                        return .none
                    }
                    return .some(state.runs.removeValue(forKey: id)?.outstanding.values.map(\.task))
                }
                if let left { continuation.resume(returning: left ?? []) }
            }
            if let left { return left }
        }
    }

    /// Notes an attempt about to be queued, and makes sure the poll loop runs and looks for its result soon.
    func expect(_ id: RunID, taskID: String, task: Int, attempt: Int) {
        state.withLock { $0.runs[id]?.outstanding[taskID] = (task, attempt) }
        startPolling(queued: true)
    }

    /// Starts the poll loop (and listening to the queue's events) unless it runs; otherwise pokes it: to look now,
    /// or, for attempts just `queued`, to wait ``afterQueueing`` first.
    private func startPolling(queued: Bool = false) {
        let (start, listen) = state.withLock { state -> (Bool, (any TaskQueueEvents)?) in
            let start = !state.polling
            state.polling = true
            if queued, !start { state.queued = true }
            guard state.told == nil else { return (start, nil) }
            let events = queue as? any TaskQueueEvents
            state.told = events != nil
            return (start, events)
        }
        if let events = listen {
            // For the process's lifetime: each batch of results a worker stores wakes the poll loop.
            Task.detached { [signal] in
                for await _ in events.events(.finished) { signal.wake() }
            }
        }
        if start {
            Task.detached { [self] in await poll() }
        } else {
            signal.wake()
        }
    }

    /// Looks at the queue now.
    func wake() { signal.wake() }

    private func poll() async {
        let fastest = Duration.milliseconds(1)
        var delay = fastest
        while true {
            let (runs, told) = state.withLock { state -> ([RunID: Int64]?, Bool) in
                let runs = state.runs.compactMapValues { $0.outstanding.isEmpty ? nil : $0.epoch }
                if runs.isEmpty { state.polling = false }
                state.collecting = Set(runs.keys)
                return (runs.isEmpty ? nil : runs, state.told == true)
            }
            guard let runs else { return }  // the next expect() starts the loop again
            do {
                let finished = try await queue.collect(runs: runs, at: clock.now)
                deliver(finished)
                // Told of results as workers store them, the loop waits for that, looking again after 10 ms in case
                // a notification was lost; untold, it looks again at once while results come.
                let next = told ? .milliseconds(10) : fastest
                delay = finished.isEmpty ? min(delay * 2, .milliseconds(50)) : next
            } catch {
                logger.warning("Could not collect results from the task queue; retrying", metadata: [
                    "error": "\(error)", "retry.in": "\(delay)"])
                delay = min(max(delay * 2, .milliseconds(100)), .seconds(5))
            }
            let settled = state.withLock { state in
                state.collecting = []
                defer { state.settling = [] }
                return state.settling
            }
            for waiter in settled { waiter.resume(returning: nil) }
            var lookAt = ContinuousClock.now + delay
            while true {
                await signal.wait(upTo: lookAt - ContinuousClock.now)
                // Poked for attempts just queued: nothing of theirs can have ended yet, so look a little later
                // (never later than planned: pokes that keep coming do not hold the look off), not now.
                let queued = state.withLock { state in
                    defer { state.queued = false }
                    return state.queued
                }
                guard queued else { break }
                delay = Self.afterQueueing
                lookAt = min(lookAt, ContinuousClock.now + delay)
            }
        }
    }

    private func deliver(_ finished: [FinishedAttempt]) {
        let posts = state.withLock { state -> [(Inbox<PipelineExecutor.Message>, Int, AttemptResult)] in
            var posts: [(Inbox<PipelineExecutor.Message>, Int, AttemptResult)] = []
            for item in finished {
                guard let expected = state.runs[item.runID]?.outstanding[item.taskID],
                    expected.attempt == item.attempt
                else { continue }  // a stale attempt (a previous owner's, or one withdrawn)
                state.runs[item.runID]!.outstanding[item.taskID] = nil
                posts.append((state.runs[item.runID]!.inbox, expected.task, Self.naming(item.worker, in: item.result)))
            }
            return posts
        }
        for (inbox, task, result) in posts { inbox.post(.finished(task: task, result.outcome)) }
    }

    /// A failure a worker stored says which worker it happened on (`on worker w1 (pid 4242 on gpu-1): exit code
    /// 1`), so that a machine's own trouble shows in the task's error.
    static func naming(_ worker: RunOwner?, in result: AttemptResult) -> AttemptResult {
        guard let worker, case .failed(let error, let key) = result else { return result }
        return .failed(error: "on worker \(worker): \(error)", cacheKey: key)
    }
}

/// A wake-up one sleeper at a time can wait for with a time limit: how pollers sleep between looks and are poked
/// when something happened meanwhile.
///
/// Waits share timers: a wait whose limit falls after that of a timer already sleeping uses it (woken by it early,
/// it sleeps again until its own limit). A poller woken long before its limit, as a busy one is, arms no timer per
/// wait: each armed timer wakes the process's timer thread, which cost more than the look it delimited.
public final class WakeSignal: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        /// The time limit of ``waiter``'s wait.
        var deadline: ContinuousClock.Instant = .now
        /// A wake-up came while nobody waited: the next wait returns at once.
        var pending = false
        /// When the earliest timer sleeping for this signal fires (`nil`: none is known to sleep).
        var timer: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    /// A signal nobody waits on yet.
    public init() {}

    /// Ends the current wait (or the next one, when nobody waits).
    public func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            if state.waiter == nil { state.pending = true }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns after `limit`, or earlier when woken. One waiter at a time.
    public func wait(upTo limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        await withCheckedContinuation { continuation in
            let (now, arm) = state.withLock { state -> (Bool, Bool) in
                if state.pending {
                    state.pending = false
                    return (true, false)
                }
                state.waiter = continuation
                state.deadline = deadline
                return (false, Self.arms(deadline, &state))
            }
            if now { continuation.resume() }
            if arm { startTimer(until: deadline) }
        }
    }

    /// Whether a wait until `deadline` needs a timer of its own (none sleeping fires by then); notes it when so.
    private static func arms(_ deadline: ContinuousClock.Instant, _ state: inout State) -> Bool {
        if let timer = state.timer, timer <= deadline { return false }
        state.timer = deadline
        return true
    }

    private func startTimer(until deadline: ContinuousClock.Instant) {
        // Never cancelled: a wait that ends early leaves it for the next waits. It holds the signal weakly, so a
        // signal nobody uses any more goes when its last wait ends.
        Task.detached { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            self?.fired(deadline)
        }
    }

    /// A timer set for `instant` fired: the waiter goes on when its limit has come, or sleeps on until it.
    private func fired(_ instant: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let (waiter, rearm) = state.withLock { state -> (CheckedContinuation<Void, Never>?, ContinuousClock.Instant?) in
            if state.timer == instant { state.timer = nil }
            guard state.waiter != nil else { return (nil, nil) }
            if state.deadline <= now {
                defer { state.waiter = nil }
                return (state.waiter, nil)
            }
            return (nil, Self.arms(state.deadline, &state) ? state.deadline : nil)
        }
        waiter?.resume()
        if let rearm { startTimer(until: rearm) }
    }
}
