public import Logging
public import PipelineEngine
import PipelineModel
public import ServiceLifecycle

/// Executes runs on the local executor: unfinished runs (`queued`, `running`) found at start — except those another
/// live process executes (their lease is held; they are looked at again when it would lapse) —, runs the trigger
/// service launches, and `waiting` runs once their waiting task has a decision (or its deadline passed).
///
/// On graceful shutdown it starts nothing more, lets running runs finish for ``Configuration/grace``, then hands
/// them over (``PipelineExecutor/handOverOnCancel(_:)``): attempts that workers run go on, attempts in this process
/// are stopped, and the runs are stored `queued`, so the next start (here or in another `kiln serve`) resumes them
/// and adopts what the workers were running.
public struct RunQueueService: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    public var description: String { "RunQueueService" }

    /// Tunables.
    public struct Configuration: Sendable {
        /// How often the queue and waiting runs are looked at. Default: 1 second.
        public var poll: Duration
        /// How long running runs may go on after a shutdown request before they are handed over. Default: 30 seconds.
        public var grace: Duration
        /// How old a decision on a waiting task must be before this service continues the run: `kiln approve`
        /// continues the run itself right after deciding, and this leaves it the time to. Default: 5 seconds.
        public var decisionDelay: Duration
        /// Whether runs stored `queued` without a lease (`kiln run --remote`) are executed when a poll finds them.
        /// Default: `true`.
        public var adoptsQueuedRuns: Bool

        /// Creates a configuration.
        public init(
            poll: Duration = .seconds(1), grace: Duration = .seconds(30), decisionDelay: Duration = .seconds(5),
            adoptsQueuedRuns: Bool = true
        ) {
            precondition(poll > .zero, "poll must be longer than zero.")
            precondition(grace >= .zero, "grace must not be negative.")
            precondition(decisionDelay >= .zero, "decisionDelay must not be negative.")
            self.poll = poll
            self.grace = grace
            self.decisionDelay = decisionDelay
            self.adoptsQueuedRuns = adoptsQueuedRuns
        }
    }

    private enum Event: Sendable {
        case finished(RunID)
        /// Another live process executes the run; look again at `until`.
        case deferred(RunID, until: Timestamp)
        case tick
    }

    let executor: PipelineExecutor
    let queue: RunQueue
    let clock: any PipelineClock
    let configuration: Configuration
    let logger: Logger
    let wakeups: (any SchedulerSignalSource)?

    /// Creates the service.
    ///
    /// - Parameter wakeups: Signals of runs queued or ended elsewhere (`kiln run --remote`): each makes the service
    ///   look at the store at once instead of at its next poll; `nil` keeps to the polls.
    public init(
        executor: PipelineExecutor, queue: RunQueue, clock: any PipelineClock,
        configuration: Configuration = Configuration(), logger: Logger, wakeups: (any SchedulerSignalSource)? = nil
    ) {
        self.wakeups = wakeups
        self.executor = executor
        self.queue = queue
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until graceful shutdown and until every run it started has ended.
    public func run() async throws {
        let store = executor.store
        let listener = wakeups.map { source in
            Task { [queue] in
                for await signal in source.signals() where signal == .run { queue.arrivals.ring() }
            }
        }
        defer { listener?.cancel() }
        for run in try await store.runs(pipeline: nil, limit: 10_000).reversed()
        where run.state == .queued || run.state == .running {
            queue.enqueue(run.id)
        }
        try await withThrowingTaskGroup(of: Event.self) { group in
            var executing: Set<RunID> = []
            // Runs another live process executes: looked at again once their lease would have lapsed.
            var deferred: [RunID: Timestamp] = [:]
            var shutdownAt: Timestamp?
            var handedOver = false
            group.addTask { await tick(untilShutdown: true, deadline: clock.now.adding(configuration.poll)) }
            while let event = try await group.next() {
                switch event {
                case .deferred(let id, let until):
                    executing.remove(id)
                    deferred[id] = until
                    if shutdownAt != nil && executing.isEmpty {
                        group.cancelAll()
                        return
                    }
                case .finished(let id):
                    executing.remove(id)
                    if shutdownAt != nil && executing.isEmpty {
                        group.cancelAll()
                        return
                    }
                case .tick:
                    if Task.isShuttingDownGracefully && shutdownAt == nil {
                        shutdownAt = clock.now
                        logger.info("Run queue stopping", metadata: ["runs.active": "\(executing.count)"])
                    }
                    guard let stopAt = shutdownAt else {
                        let now = clock.now
                        let due = deferred.filter { $0.value <= now }.keys.sorted()
                        for id in due { deferred[id] = nil }
                        let adopted = configuration.adoptsQueuedRuns ? await queuedRuns(excluding: deferred) : []
                        let decided: [RunID]
                        do {
                            decided = try await decidedWaitingRuns()
                        } catch {
                            // The store is unreachable for now: look again at the next poll.
                            logger.warning("Could not list waiting runs", metadata: ["error.message": "\(error)"])
                            decided = []
                        }
                        for id in queue.drain() + due + adopted + decided
                        where !executing.contains(id) {
                            executing.insert(id)
                            group.addTask { await execute(id) }
                        }
                        group.addTask { await tick(untilShutdown: true, deadline: clock.now.adding(configuration.poll)) }
                        continue
                    }
                    if executing.isEmpty {
                        group.cancelAll()
                        return
                    }
                    let graceEnd = stopAt.adding(configuration.grace)
                    if clock.now >= graceEnd {
                        if !handedOver {
                            logger.info("Grace period over: handing runs over", metadata: ["runs.active": "\(executing.count)"])
                            handedOver = true
                            for id in executing { executor.handOverOnCancel(id) }
                            group.cancelAll()
                        }
                    } else {
                        let next = min(clock.now.adding(configuration.poll), graceEnd)
                        group.addTask { await tick(untilShutdown: false, deadline: next) }
                    }
                }
            }
        }
    }

    private func tick(untilShutdown: Bool, deadline: Timestamp) async -> Event {
        if untilShutdown {
            // A run handed over ends the wait early: a trigger's run starts at once, not at the next poll.
            try? await cancelWhenGracefulShutdown { [clock, queue] in
                _ = await queue.arrivals.wait(until: deadline, clock: clock)
                try Task.checkCancellation()
            }
        } else {
            try? await clock.sleep(until: deadline)
        }
        return .tick
    }

    private func execute(_ id: RunID) async -> Event {
        var logger = logger
        logger[metadataKey: "run.id"] = "\(id)"
        do {
            logger.info("Run starting")
            let run = try await queue.executing(id) { [executor] in try await executor.resume(id) }
            logger.info("Run ended", metadata: ["run.state": "\(run.state.rawValue)"])
        } catch PipelineExecutor.StartError.leased(let lease) {
            // Another live process executes it (a `kiln run`): leave it, and look again once its lease would lapse.
            logger.info("Run executed elsewhere", metadata: ["run.owner": "\(lease.owner)", "lease.expires": "\(lease.expiresAt.iso8601)"])
            return .deferred(id, until: lease.expiresAt.adding(configuration.poll))
        } catch PipelineExecutor.StartError.alreadySucceeded {
            logger.info("Run already succeeded elsewhere")
        } catch {
            logger.error("Run could not be executed", metadata: ["error.message": "\(error)"])
        }
        return .finished(id)
    }

    /// Waiting runs (among the newest 200 runs) whose every waiting task has a decision at least
    /// ``Configuration/decisionDelay`` old or a passed deadline.
    private func decidedWaitingRuns() async throws -> [RunID] {
        let store = executor.store
        var ready: [RunID] = []
        let now = clock.now
        let decidedBefore = now.adding(.zero - configuration.decisionDelay)
        for run in try await store.waitingRuns(limit: 200) {
            let waiting = try await store.tasks(of: run).filter { $0.state == .waiting }
            let decided = !waiting.isEmpty && waiting.allSatisfy { task in
                if let decision = task.decision { return decision.at <= decidedBefore }
                return task.deadline.map { $0 <= now } ?? false
            }
            if decided { ready.append(run) }
        }
        return ready
    }

    /// Runs stored `queued` without a lease (left by `kiln run --remote`), except those deferred; a store error is
    /// logged and finds none.
    private func queuedRuns(excluding deferred: [RunID: Timestamp]) async -> [RunID] {
        do {
            return try await executor.store.unclaimedQueuedRuns(limit: 100).filter { deferred[$0] == nil }
        } catch {
            logger.warning("Could not list queued runs", metadata: ["error.message": "\(error)"])
            return []
        }
    }
}
