public import Logging
public import PipelineEngine
public import PipelineModel
public import ServiceLifecycle
import Synchronization

/// `kiln worker`: claims attempts from a ``TaskQueue``, runs them with this process's task kinds, and stores their
/// results, fenced by each claim's token.
///
/// - **Claims.** Up to ``Configuration/concurrency`` attempts run at once; free slots are filled with one claim
///   statement (attempts whose `runs_on:` labels are all among ``Configuration/labels``). It looks again every
///   millisecond while there is work, backing off to ``Configuration/idlePoll`` when the queue is empty; a queue that
///   pushes its ``TaskQueueEvent/queued`` events (PostgreSQL) wakes it as soon as attempts are queued.
/// - **Heartbeat.** Every ``Configuration/heartbeat`` one statement extends all its claims by
///   ``Configuration/lease``. A claim that is gone (the run was cancelled or taken over) stops its attempt. When
///   heartbeats keep failing (the store is unreachable) until a claim's lease has lapsed, the worker stops that
///   attempt itself: the owner counts it as failed, so it must not go on.
/// - **Results and logs.** Results finished meanwhile are stored in one statement, which also claims what fits in
///   the slots they free (``TaskQueue/finishAndClaim(_:at:worker:labels:limit:expiresAt:)``); log lines go to the
///   store in batches, before the results of their attempts.
/// - **Start.** Claims held on this host by a worker process that is gone (a previous incarnation killed with
///   SIGKILL) are ended as failed after their commands' process groups are stopped, and so are the recorded commands
///   of claims that lapsed meanwhile (``TaskQueue/orphans(on:)``).
/// - **Shutdown.** On graceful shutdown (SIGTERM) it claims nothing more, lets running attempts finish for
///   ``Configuration/grace``, then stops them and hands them back to the queue unchanged.
/// - **Store outages.** A failing store call is logged and tried again with backoff (up to 5 s); results and log
///   lines are kept until they are stored.
public struct QueueWorker: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    public var description: String { "QueueWorker" }

    /// Tunables of a worker.
    public struct Configuration: Sendable {
        /// The worker's name, in claims and messages.
        public var name: String
        /// The labels it offers to `runs_on:`.
        public var labels: Set<String>
        /// Attempts it runs at once.
        public var concurrency: Int
        /// How long a claim holds without a heartbeat.
        public var lease: Duration
        /// How often claims are renewed.
        public var heartbeat: Duration
        /// How long running attempts may go on after a shutdown request.
        public var grace: Duration
        /// The longest wait between looks at an empty queue.
        public var idlePoll: Duration

        /// Creates a configuration.
        /// - Precondition: `concurrency` ≥ 1 and `heartbeat` < `lease`.
        public init(
            name: String, labels: Set<String> = [], concurrency: Int = 1, lease: Duration = .seconds(30),
            heartbeat: Duration = .seconds(10), grace: Duration = .seconds(30), idlePoll: Duration = .milliseconds(100)
        ) {
            precondition(concurrency >= 1, "concurrency must be at least 1")
            precondition(heartbeat > .zero && heartbeat < lease, "the heartbeat must be shorter than the lease")
            self.name = name
            self.labels = labels
            self.concurrency = concurrency
            self.lease = lease
            self.heartbeat = heartbeat
            self.grace = grace
            self.idlePoll = idlePoll
        }
    }

    let queue: any TaskQueue
    let executor: PipelineExecutor
    let clock: any PipelineClock
    let reaper: (any TaskProcessReaper)?
    let configuration: Configuration
    let identity: RunOwner
    let logger: Logger
    let onClaim: @Sendable (ClaimedAttempt) -> Void

    /// Creates a worker.
    /// - Parameters:
    ///   - queue: Where attempts come from and results go.
    ///   - executor: Runs each attempt (its store gives run snapshots and takes log lines; its kinds run the tasks).
    ///   - clock: The time of claims and their leases.
    ///   - reaper: Stops the commands a dead previous worker on this host left running.
    ///   - configuration: Name, labels, concurrency and timings.
    ///   - logger: Diagnostics.
    ///   - onClaim: Called for every attempt claimed (progress output, tests).
    public init(
        queue: any TaskQueue, executor: PipelineExecutor, clock: any PipelineClock, reaper: (any TaskProcessReaper)?,
        configuration: Configuration, logger: Logger, onClaim: @escaping @Sendable (ClaimedAttempt) -> Void = { _ in }
    ) {
        self.queue = queue
        self.executor = executor
        self.clock = clock
        self.reaper = reaper
        self.configuration = configuration
        self.identity = .current(label: configuration.name)
        self.logger = logger
        self.onClaim = onClaim
    }

    /// A run's pipeline, with its tasks' positions by id (a wide run's attempts each find theirs at once).
    private struct Snapshot: Sendable {
        let pipeline: Pipeline
        let index: [String: Int]

        init(_ pipeline: Pipeline) {
            self.pipeline = pipeline
            index = Dictionary(pipeline.tasks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// What the attempts running in this worker share with its loop.
    private final class Shared: Sendable {
        struct State {
            var running: [QueueClaim: (stop: StopSignal, expires: Timestamp)] = [:]
            var results: [(QueueClaim, AttemptResult)] = []
            var logs: [LogLine] = []
            /// Claims stopped by the shutdown: handed back instead of reported.
            var handBack: Set<QueueClaim> = []
            var snapshots: [RunID: Snapshot] = [:]
            /// Snapshot reads under way, shared by every attempt of the run that waits for one.
            var loading: [RunID: Task<Snapshot?, Never>] = [:]
        }

        let state = Mutex(State())
        let signal = WakeSignal()
    }

    /// Runs until graceful shutdown, then until its attempts are finished or handed back.
    public func run() async throws {
        await cleanUpAfterDeadWorkers()
        let shared = Shared()
        let ticks = ContinuousClock()
        var lastBeat = ticks.now
        var lastGoodBeat = ticks.now
        var idle = Duration.milliseconds(1)
        var storeDelay = Duration.zero
        var shutdownAt: ContinuousClock.Instant?
        logger.info("Worker started", metadata: [
            "worker": "\(identity)", "labels": "\(configuration.labels.sorted().joined(separator: ","))",
            "concurrency": "\(configuration.concurrency)",
        ])
        // A queue that pushes its events wakes an idle worker as soon as attempts are queued.
        let listener = (queue as? any TaskQueueEvents).map { events in
            Task { [signal = shared.signal] in
                for await _ in events.events(.queued) { signal.wake() }
            }
        }
        defer { listener?.cancel() }
        await withDiscardingTaskGroup { group in
            while true {
                if shutdownAt == nil && Task.isShuttingDownGracefully {
                    shutdownAt = ticks.now
                    logger.info("Worker stopping: claiming nothing more", metadata: [
                        "attempts.running": "\(shared.state.withLock { $0.running.count })"])
                }
                // Results go with the next claim when there is room: one statement frees the slots and fills them.
                let flushed = await flush(shared, claiming: shutdownAt == nil)
                var failed = !flushed.ok
                start(flushed.claimed, shared: shared, group: &group)
                let running = shared.state.withLock { $0.running }
                if let stopAt = shutdownAt {
                    if running.isEmpty { break }
                    if ticks.now - stopAt >= configuration.grace {
                        shared.state.withLock { state in
                            for (claim, entry) in state.running where !state.handBack.contains(claim) {
                                state.handBack.insert(claim)
                                entry.stop.fire()
                            }
                        }
                    }
                }
                // Heartbeat: one statement for every claim.
                if !running.isEmpty, ticks.now - lastBeat >= configuration.heartbeat {
                    lastBeat = ticks.now
                    let now = clock.now
                    do {
                        let held = try await queue.renewClaims(
                            Array(running.keys), at: now, expiresAt: now.adding(configuration.lease))
                        lastGoodBeat = lastBeat
                        shared.state.withLock { state in
                            for (claim, entry) in state.running where !held.contains(claim) {
                                entry.stop.fire()  // withdrawn or reclaimed: its result would be refused anyway
                            }
                            for claim in held { state.running[claim]?.expires = now.adding(configuration.lease) }
                        }
                    } catch {
                        failed = true
                        logger.warning("Heartbeat failed", metadata: ["error": "\(error)"])
                        if ticks.now - lastGoodBeat >= configuration.lease {
                            // Our claims have lapsed: the owners count these attempts as failed; stop them.
                            for entry in running.values { entry.stop.fire() }
                        }
                    }
                }
                // Claim what fits (unless storing the results just did).
                var claimed = flushed.claimed.count
                var free = configuration.concurrency - running.count
                if shutdownAt == nil, free > 0, !failed, !flushed.claimTried {
                    let now = clock.now
                    do {
                        let attempts = try await queue.claim(
                            worker: identity, labels: configuration.labels, limit: free, at: now,
                            expiresAt: now.adding(configuration.lease))
                        claimed = attempts.count
                        free -= claimed
                        start(attempts, shared: shared, group: &group)
                    } catch {
                        failed = true
                        logger.warning("Claiming attempts failed", metadata: ["error": "\(error)"])
                    }
                }
                if failed {
                    storeDelay = min(max(storeDelay * 2, .milliseconds(100)), .seconds(5))
                    await shared.signal.wait(upTo: storeDelay)
                    continue
                }
                storeDelay = .zero
                if claimed > 0 && free > 0 {
                    idle = .milliseconds(1)
                    continue  // the queue may hold more
                }
                idle = claimed > 0 ? .milliseconds(1) : min(idle * 2, configuration.idlePoll)
                // Full: wait for a slot (an attempt ending wakes us) or the next heartbeat.
                let wait = free > 0 ? idle : min(configuration.heartbeat, .milliseconds(500))
                await shared.signal.wait(upTo: wait)
            }
        }
        _ = await flush(shared, claiming: false)
        logger.info("Worker stopped", metadata: ["worker": "\(identity)"])
    }

    /// Starts claimed attempts as children of `group`, each held in `shared` until its result is stored.
    private func start(_ attempts: [ClaimedAttempt], shared: Shared, group: inout DiscardingTaskGroup) {
        let expires = clock.now.adding(configuration.lease)
        for attempt in attempts {
            let stop = StopSignal()
            shared.state.withLock { $0.running[attempt.claim] = (stop, expires) }
            onClaim(attempt)
            group.addTask { await execute(attempt, stop: stop, shared: shared) }
        }
    }

    /// Runs one claimed attempt; its result (or its hand-back) waits in `shared` for the loop to store it.
    private func execute(_ claimed: ClaimedAttempt, stop: StopSignal, shared: Shared) async {
        let attempt = claimed.attempt
        var result: AttemptResult
        if let snapshot = await snapshot(of: attempt.runID, shared: shared) {
            let pipeline = snapshot.pipeline
            let task = snapshot.index[attempt.taskID].map { pipeline.tasks[$0] }
            let (queue, claim, logger) = (self.queue, claimed.claim, self.logger)
            // Both children start on this task's thread (the waiter parks at once): no hand-off to another thread.
            result = await withTaskGroup(of: AttemptResult?.self) { group in
                group.addImmediateTask { [executor] in
                    await executor.perform(
                        attempt, pipeline: pipeline, task: task,
                        log: { line in
                            shared.state.withLock { $0.logs.append(line) }
                        },
                        process: { process in
                            // Recorded in the claim, so a restarted worker on this host can stop it.
                            Task {
                                do { try await queue.recordProcess(process, of: claim) } catch {
                                    logger.warning("Could not record a command's process", metadata: ["error": "\(error)"])
                                }
                            }
                        })
                }
                group.addImmediateTask {
                    await stop.wait()
                    return nil
                }
                var result: AttemptResult = .cancelled
                while let next = await group.next() {
                    if let next {
                        result = next
                        break
                    }
                    group.cancelAll()  // stopped: the attempt ends as cancelled (its command is killed)
                }
                group.cancelAll()
                return result
            }
        } else {
            result = .failed(error: "run \(attempt.runID) is not in the store this worker uses", cacheKey: nil)
        }
        logger.debug("Attempt ended", metadata: [
            "run.id": "\(attempt.runID)", "task.id": "\(attempt.taskID)", "task.attempt": "\(attempt.attempt)",
            "attempt.result": "\(result.kind)",
        ])
        shared.state.withLock { state in
            state.results.append((claimed.claim, result))
        }
        shared.signal.wake()
    }

    /// What ``flush(_:claiming:)`` did: whether the store took everything, and the attempts it claimed with the
    /// results (`claimTried`: it claimed, finding these).
    private struct Flushed {
        var ok = true
        var claimed: [ClaimedAttempt] = []
        var claimTried = false
    }

    /// Stores pending log lines, then pending results (hands back the claims stopped by the shutdown). With
    /// `claiming`, the results' statement also claims what fits in the slots they free, and those they leave.
    /// `ok` is `false` when the store failed (what was pending stays pending).
    private func flush(_ shared: Shared, claiming: Bool) async -> Flushed {
        let (logs, results, handBack, runningCount) = shared.state.withLock { state in
            (state.logs, state.results, state.handBack, state.running.count)
        }
        if !logs.isEmpty {
            do {
                try await executor.store.commit(StateBatch(logs: logs))
                shared.state.withLock { $0.logs.removeFirst(logs.count) }
            } catch {
                logger.warning("Storing log lines failed", metadata: ["error": "\(error)"])
                return Flushed(ok: false)
            }
        }
        guard !results.isEmpty else { return Flushed() }
        let returned = results.filter { handBack.contains($0.0) }.map(\.0)
        let reported = results.filter { !handBack.contains($0.0) }
        let free = configuration.concurrency - runningCount + results.count
        var flushed = Flushed()
        do {
            if !returned.isEmpty { try await queue.handBack(returned) }
            let now = clock.now
            let stored: Set<QueueClaim>
            if claiming, !reported.isEmpty, free > 0 {
                (stored, flushed.claimed) = try await queue.finishAndClaim(
                    reported, at: now, worker: identity, labels: configuration.labels, limit: free,
                    expiresAt: now.adding(configuration.lease))
                flushed.claimTried = true
            } else {
                stored = try await queue.finish(reported, at: now)
            }
            if stored.count < reported.count {
                logger.info("Results of withdrawn or reclaimed attempts were dropped", metadata: [
                    "attempts": "\(reported.count - stored.count)"])
            }
        } catch {
            logger.warning("Storing results failed", metadata: ["error": "\(error)"])
            return Flushed(ok: false)
        }
        shared.state.withLock { state in
            state.results.removeFirst(results.count)
            for (claim, _) in results {
                state.running[claim] = nil
                state.handBack.remove(claim)
            }
        }
        return flushed
    }

    /// The pipeline snapshot of run `id`, read once per run.
    private func snapshot(of id: RunID, shared: Shared) async -> Snapshot? {
        // The attempts of a new run arrive together: one read serves them all (a 1,000-task snapshot decoded by
        // each of 16 slots cost more than running the tasks).
        let (known, load) = shared.state.withLock { state -> (Snapshot?, Task<Snapshot?, Never>?) in
            if let known = state.snapshots[id] { return (known, nil) }
            if let load = state.loading[id] { return (nil, load) }
            let load = Task { await readSnapshot(of: id, shared: shared) }
            state.loading[id] = load
            return (nil, load)
        }
        if let known { return known }
        return await withTaskCancellationHandler { await load!.value } onCancel: { load!.cancel() }
    }

    /// Reads the snapshot of run `id` into the cache, trying again while the store fails.
    private func readSnapshot(of id: RunID, shared: Shared) async -> Snapshot? {
        defer { shared.state.withLock { _ = $0.loading.removeValue(forKey: id) } }
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                guard let run = try await executor.store.run(id) else { return nil }
                let snapshot = Snapshot(run.snapshot)
                shared.state.withLock { state in
                    if state.snapshots.count >= 256 { state.snapshots.removeAll() }
                    state.snapshots[id] = snapshot
                }
                return snapshot
            } catch {
                logger.warning("Reading a run's pipeline failed", metadata: ["run.id": "\(id)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        return nil
    }

    /// Ends the claims that dead workers of this host still hold (after stopping their commands) and stops the
    /// commands of claims that lapsed meanwhile.
    private func cleanUpAfterDeadWorkers() async {
        do {
            var ended: [(QueueClaim, AttemptResult)] = []
            for held in try await queue.claims(on: identity.host) where held.worker.isGoneFromThisHost {
                if let process = held.process { await reaper?.reap(process) }
                ended.append((held.claim, .failed(
                    error: "worker \(held.worker.label) on \(held.worker.host) stopped (its process \(held.worker.pid) "
                        + "is gone); its command was stopped", cacheKey: nil)))
            }
            if !ended.isEmpty {
                _ = try await queue.finish(ended, at: clock.now)
                logger.info("Ended the attempts of a dead worker on this host", metadata: ["attempts": "\(ended.count)"])
            }
            let orphans = try await queue.orphans(on: identity.host)
            for process in orphans { await reaper?.reap(process) }
            if !orphans.isEmpty {
                logger.info("Stopped commands left by lapsed claims", metadata: ["processes": "\(orphans.count)"])
            }
        } catch {
            logger.warning("Could not look for a dead worker's attempts", metadata: ["error": "\(error)"])
        }
    }
}

/// A one-shot stop request for one attempt.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Fires the signal (once).
    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once fired, or when the calling task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.fired { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
    }
}

extension AttemptResult {
    /// `succeeded`, `cached`, `failed`, `cancelled` or `suspended`, for logs.
    var kind: String {
        switch self {
        case .succeeded: "succeeded"
        case .cached: "cached"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .suspended: "suspended"
        }
    }
}
