public import Logging
public import PipelineModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs pipelines: plans each step, starts attempts in parallel, retries, caches, and stores every change.
///
/// ```swift
/// var kinds = TaskKindRegistry()
/// kinds.register("hello") { context in ["greeting": "hello"] }
/// let executor = PipelineExecutor(store: InMemoryStateStore(), kinds: kinds)
/// let run = try await executor.run(Plan(pipeline), baseDirectory: "/tmp")
/// ```
public struct PipelineExecutor: Sendable {
    /// Settings of an executor.
    public struct Configuration: Sendable {
        /// Attempts that may run at the same time within one run. Default: the number of online cores.
        public var parallelism: Int
        /// Whether cached results may be reused. `false` (`--no-cache`) still stores new results. Default `true`.
        public var readCache: Bool
        /// The environment that `env.X` expressions see (command tasks inherit the process environment). Default: empty.
        public var environment: [String: String]
        /// Who this executor is in the leases it takes on runs. Default: this process (``RunOwner/current(label:)``).
        public var owner: RunOwner
        /// How often the lease on a run being executed is renewed. Default: 5 seconds.
        public var heartbeat: Duration
        /// How long a lease holds without a heartbeat; then another process may take the run. Default: 30 seconds.
        public var leaseDuration: Duration

        /// Creates a configuration.
        /// - Precondition: `heartbeat` is positive and shorter than `leaseDuration`.
        public init(
            parallelism: Int? = nil, readCache: Bool = true, environment: [String: String] = [:],
            owner: RunOwner = .current(label: "kiln"), heartbeat: Duration = .seconds(5),
            leaseDuration: Duration = .seconds(30)
        ) {
            precondition(heartbeat > .zero && heartbeat < leaseDuration, "the heartbeat must be shorter than the lease")
            let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            self.parallelism = max(1, parallelism ?? (cores > 0 ? cores : 1))
            self.readCache = readCache
            self.environment = environment
            self.owner = owner
            self.heartbeat = heartbeat
            self.leaseDuration = leaseDuration
        }
    }

    /// Why a run could not be started.
    public enum StartError: Error, Sendable, Hashable, CustomStringConvertible {
        /// `--param` named a param the pipeline does not declare.
        case unknownParam(String, known: [String])
        /// The run to resume does not exist.
        case unknownRun(RunID)
        /// The run to resume has already succeeded.
        case alreadySucceeded(RunID)
        /// A decision was given for a run with no task waiting for one, or the task named is not waiting.
        case notWaiting(RunID, task: String?, waiting: [String])
        /// Another live process executes the run.
        case leased(RunLease)

        /// What is wrong and what to do.
        public var description: String {
            switch self {
            case .unknownParam(let name, let known):
                return "unknown param '\(name)'\(Suggestion.hint(for: name, in: known)); the pipeline declares: "
                    + (known.isEmpty ? "none (add them under 'params:')" : known.joined(separator: ", "))
            case .unknownRun(let id): return "no run '\(id)'; list runs with `kiln runs`"
            case .alreadySucceeded(let id): return "run \(id) already succeeded: nothing to resume"
            case .notWaiting(let id, let task, let waiting):
                let list = waiting.isEmpty ? "no task of run \(id) is waiting for a decision" : "waiting: \(waiting.joined(separator: ", "))"
                if let task { return "task '\(task)' of run \(id) is not waiting for a decision; \(list)" }
                return waiting.count > 1 ? "several tasks of run \(id) wait for a decision; name one (\(list))" : list
            case .leased(let lease):
                return "run \(lease.runID) is being executed by \(lease.owner) since \(lease.acquiredAt.iso8601) "
                    + "(last heartbeat \(lease.heartbeatAt.iso8601)); wait for it to finish, or, if that process is "
                    + "stuck or its machine is gone, take the run over with --takeover (its lease lapses at "
                    + "\(lease.expiresAt.iso8601) without heartbeats)"
            }
        }
    }

    /// Where state is committed.
    public let store: any StateStore
    let kinds: TaskKindRegistry
    let clock: any PipelineClock
    /// Where run ids and retry jitter draw their randomness.
    let random: any RandomSource
    let events: (any RunEventSink)?
    let artifacts: (any ArtifactStore)?
    /// Parallelism, cache reading and environment.
    public let configuration: Configuration
    let logger: Logger
    /// Where attempts go when workers execute them (`kiln serve --no-local-workers`), or `nil` to run them here.
    public let queue: (any TaskQueue)?
    /// Collects the results of attempts in workers' hands — those this executor queued, and those it adopted from
    /// a previous owner —, when a task queue is known.
    let remote: RemoteCollector?
    /// Runs whose next cancellation is a hand-over (``handOverOnCancel(_:)``).
    let handOvers = HandOvers()
    /// Renews the leases of the runs being executed.
    let leases: LeaseKeeper

    /// Creates an executor.
    /// - Parameters:
    ///   - store: Where state is committed.
    ///   - kinds: The task kinds (and command runner) available to `uses:`/`run:`/`shell:`.
    ///   - clock: The time source for retries, timeouts and cache expiry.
    ///   - random: The randomness of run ids and retry jitter. Default: the system's secure generator.
    ///   - events: Receives run events after they are stored.
    ///   - artifacts: Where tasks store datasets and models.
    ///   - configuration: Parallelism, cache reading, environment.
    ///   - logger: Engine diagnostics.
    ///   - queue: Hands every attempt to workers through this queue instead of running it in this process; the
    ///     executor still plans, commits and owns its runs.
    ///   - workerQueue: The task queue of the store's workers, for an executor that runs attempts itself (`queue`
    ///     is `nil`): attempts a previous owner of a resumed run left in workers' hands are adopted — their results
    ///     awaited — instead of run a second time beside them.
    public init(
        store: any StateStore, kinds: TaskKindRegistry, clock: any PipelineClock = SystemClock(),
        random: any RandomSource = SystemRandomSource(), events: (any RunEventSink)? = nil,
        artifacts: (any ArtifactStore)? = nil, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "kiln.engine"), queue: (any TaskQueue)? = nil,
        workerQueue: (any TaskQueue)? = nil
    ) {
        self.queue = queue
        self.remote = (queue ?? workerQueue).map { RemoteCollector(queue: $0, clock: clock, logger: logger) }
        self.store = store
        self.kinds = kinds
        self.clock = clock
        self.random = random
        self.events = events
        self.artifacts = artifacts
        self.configuration = configuration
        self.logger = logger
        self.leases = LeaseKeeper(
            store: store, clock: clock, heartbeat: configuration.heartbeat, leaseDuration: configuration.leaseDuration,
            logger: logger)
    }

    /// Creates a run of `plan` and executes it to the end.
    ///
    /// - Parameters:
    ///   - plan: The checked pipeline.
    ///   - params: Overrides of the pipeline's params.
    ///   - baseDirectory: Absolute folder that command tasks run in (and relative paths resolve against).
    ///   - trigger: Why the run started, stored with it.
    ///   - idempotencyKey: Identifies what launched the run; the store keeps at most one run per key.
    ///   - onCreate: Called with the new run's id once it is stored (before any task starts).
    /// - Returns: The finished run. Task cancellation ends it as `cancelled`.
    /// - Throws: ``StartError`` for bad params; the store's errors (``StateStoreError/duplicateIdempotencyKey(_:)``).
    @discardableResult
    public func run(
        _ plan: Plan, params: [String: JSONValue] = [:], baseDirectory: String, trigger: JSONValue? = nil,
        idempotencyKey: String? = nil, onCreate: @Sendable (RunID) -> Void = { _ in }
    ) async throws -> RunRecord {
        let (run, records, lease) = try await create(
            plan, params: params, baseDirectory: baseDirectory, trigger: trigger, idempotencyKey: idempotencyKey,
            leased: true)
        onCreate(run.id)
        // Created with its lease in one transaction: nobody else can have taken the run yet.
        return try await executeReleasing(run, plan: plan, records: records, lease: lease!)
    }

    /// Stores a new `queued` run of `plan` without executing it; ``resume(_:)`` executes it later.
    ///
    /// - Parameters:
    ///   - plan: The checked pipeline.
    ///   - params: Overrides of the pipeline's params.
    ///   - baseDirectory: Absolute folder that command tasks run in.
    ///   - trigger: Why the run started.
    ///   - idempotencyKey: Identifies what launched the run; the store keeps at most one run per key.
    /// - Returns: The stored run.
    /// - Throws: ``StartError`` for bad params; ``StateStoreError/duplicateIdempotencyKey(_:)`` when a run with
    ///   the key exists; the store's errors.
    @discardableResult
    public func createRun(
        _ plan: Plan, params: [String: JSONValue] = [:], baseDirectory: String, trigger: JSONValue? = nil,
        idempotencyKey: String? = nil
    ) async throws -> RunRecord {
        try await create(
            plan, params: params, baseDirectory: baseDirectory, trigger: trigger, idempotencyKey: idempotencyKey,
            leased: false
        ).run
    }

    /// Stores a new run; with `leased`, takes its lease for this executor in the same transaction.
    private func create(
        _ plan: Plan, params: [String: JSONValue], baseDirectory: String, trigger: JSONValue?, idempotencyKey: String?,
        leased: Bool
    ) async throws -> (run: RunRecord, records: [TaskRecord], lease: RunLease?) {
        var merged = plan.pipeline.params
        for (name, value) in params {
            guard merged[name] != nil else { throw StartError.unknownParam(name, known: merged.keys.sorted()) }
            merged[name] = value
        }
        var generator = RandomSourceGenerator(source: random)
        let now = clock.now
        var run = RunRecord(
            id: RunID.make(at: now, using: &generator), pipeline: plan.pipeline.name, state: .queued, params: merged,
            snapshot: plan.pipeline, baseDirectory: baseDirectory, trigger: trigger, createdAt: now,
            idempotencyKey: idempotencyKey)
        let records = plan.pipeline.tasks.map { TaskRecord(taskID: $0.id) }
        // An id is the second it was made in and 24 random bits: thousands of runs created in one second (a daemon
        // under load, a benchmark) can draw an id that exists. Nothing is stored then, so another id is drawn.
        var draws = 1
        while true {
            do {
                guard leased else {
                    try await store.createRun(run, tasks: records)
                    return (run, records, nil)
                }
                let lease = try await store.createRun(
                    run, tasks: records, leasedTo: configuration.owner, at: now,
                    expiresAt: now.adding(configuration.leaseDuration))
                return (run, records, lease)
            } catch StateStoreError.duplicateRun(let taken) where taken == run.id && draws < Self.idDraws {
                draws += 1
                run.id = RunID.make(at: now, using: &generator)
            }
        }
    }

    /// How many ids a new run draws before a collision is reported (each is new with odds of at least 1 − 2⁻¹⁰ even
    /// with 16,000 runs made in its second).
    static var idDraws: Int { 8 }

    /// Continues a stored run with its snapshot: tasks that succeeded, were skipped or cached are kept;
    /// failed, cancelled and unfinished ones run again (with a fresh retry budget), and so do tasks that were
    /// skipped only because something upstream of them had not succeeded.
    ///
    /// The run is taken only when no other live process executes it (see ``RunLease``): a holder whose lease lapsed,
    /// or a holder on this host whose process is gone, is replaced; `takeover` replaces any holder. A command that a
    /// replaced holder started is stopped (its process group killed) before its task runs again.
    ///
    /// - Parameters:
    ///   - id: The run.
    ///   - takeover: Take the run even from a live holder (`kiln resume --takeover`): for a holder that is stuck
    ///     or whose machine is gone. The old holder's later writes are refused (fencing) and it stops.
    /// - Throws: ``StartError`` when the run is unknown, already succeeded, or executed by another live process;
    ///   ``PipelineValidationError`` when the snapshot no longer checks (for example a kind is no longer registered).
    @discardableResult
    public func resume(_ id: RunID, takeover: Bool = false) async throws -> RunRecord {
        guard try await store.run(id) != nil else { throw StartError.unknownRun(id) }
        let lease = try await takeLease(id, takeover: takeover)
        let prepared: (run: RunRecord, plan: Plan, records: [TaskRecord])
        do {
            prepared = try await prepareResume(id, lease: lease)
        } catch StateStoreError.leaseLost(let lostID, let holder) {
            throw ExecutionError.leaseLost(lostID, holder: holder)  // taken over before it started: nothing to release
        } catch {
            try? await store.releaseLease(lease)
            throw error
        }
        return try await executeReleasing(prepared.run, plan: prepared.plan, records: prepared.records, lease: lease)
    }

    /// Resets what runs again (under `lease`), after stopping the commands a previous owner left running.
    private func prepareResume(_ id: RunID, lease: RunLease) async throws -> (RunRecord, Plan, [TaskRecord]) {
        guard var run = try await store.run(id) else { throw StartError.unknownRun(id) }
        guard run.state != .succeeded else { throw StartError.alreadySucceeded(id) }
        let plan = try Plan(run.snapshot, knownKinds: kinds.names)
        var records = try await store.tasks(of: id)
        await reapOrphans(of: records)
        // Attempts a previous owner left to workers: those of tasks still running are adopted (their workers go on;
        // their results come to this owner), the others removed, so that nothing runs twice side by side.
        // A pending task's next attempt counts too: the owner queues attempts before their `running` state is
        // stored (with the next commit), so one that died meanwhile leaves a row its records do not show yet.
        var adopted: [String: Int] = [:]
        if let remote {
            var wanted: [String: Int] = [:]
            for record in records where record.state == .running || record.state == .pending {
                wanted[record.taskID] = record.state == .running ? record.attempts : record.attempts + 1
            }
            adopted = try await remote.queue.adopt(run: id, running: wanted, epoch: lease.epoch)
        }
        // Tasks that run again: failed, cancelled and unfinished ones (but those adopted), plus tasks skipped
        // downstream of any of them, adopted ones included (their condition is decided again once the upstream work
        // has run).
        let stateByID = Dictionary(records.map { ($0.taskID, $0.state) }, uniquingKeysWith: { first, _ in first })
        let rerun = Set(plan.order.filter { task in
            if adopted[plan.pipeline.tasks[task].id] != nil { return false }
            let state = stateByID[plan.pipeline.tasks[task].id] ?? .pending
            if state == .waiting { return false }  // still waits for its decision
            if !state.isKeptOnResume { return true }
            return state == .skipped && plan.upstream(of: task).contains {
                !(stateByID[plan.pipeline.tasks[$0].id] ?? .pending).isKeptOnResume
            }
        }.map { plan.pipeline.tasks[$0].id })
        var updates: [TaskUpdate] = []
        let now = clock.now
        for index in records.indices where records[index].state == .pending {
            guard let attempt = adopted[records[index].taskID] else { continue }
            records[index].state = .running
            records[index].attempts = attempt
            records[index].error = nil
            records[index].retryAt = nil
            records[index].startedAt = records[index].startedAt ?? now
            updates.append(TaskUpdate(runID: id, record: records[index], expected: .pending))
        }
        for index in records.indices where rerun.contains(records[index].taskID) {
            let previous = records[index].state
            records[index].state = .pending
            records[index].error = nil
            records[index].retryAt = nil
            records[index].finishedAt = nil
            updates.append(TaskUpdate(runID: id, record: records[index], expected: previous))
        }
        run.finishedAt = nil
        run.error = nil
        run.state = .queued
        try await store.commit(StateBatch(run: run, tasks: updates, fence: lease))
        return (run, plan, records)
    }

    /// Records a decision (approval or rejection) for a waiting task, so the next resume acts on it.
    ///
    /// - Parameters:
    ///   - decision: The decision.
    ///   - task: The waiting task, or `nil` for the run's only waiting task.
    ///   - id: The run.
    /// - Returns: The id of the task decided.
    /// - Throws: ``StartError/notWaiting(_:task:waiting:)`` when there is no such waiting task;
    ///   ``StateStoreError/conflict(run:task:expected:actual:)`` when another process changed it meanwhile.
    @discardableResult
    public func decide(_ decision: Decision, task: String?, of id: RunID) async throws -> String {
        guard try await store.run(id) != nil else { throw StartError.unknownRun(id) }
        let records = try await store.tasks(of: id)
        let waiting = records.filter { $0.state == .waiting && $0.decision == nil }.map(\.taskID).sorted()
        let chosen: String
        if let task {
            guard waiting.contains(task) else { throw StartError.notWaiting(id, task: task, waiting: waiting) }
            chosen = task
        } else {
            guard waiting.count == 1 else { throw StartError.notWaiting(id, task: nil, waiting: waiting) }
            chosen = waiting[0]
        }
        var record = records.first { $0.taskID == chosen }!
        record.decision = decision
        do {
            try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: record, expected: .waiting, undecided: true)]))
        } catch StateStoreError.alreadyDecided, StateStoreError.conflict {
            // Decided (or ended) meanwhile by another process: exactly one decision is recorded.
            let left = try await store.tasks(of: id).filter { $0.state == .waiting && $0.decision == nil }.map(\.taskID).sorted()
            throw StartError.notWaiting(id, task: chosen, waiting: left)
        }
        return chosen
    }
}

extension PipelineExecutor {
    /// Makes the next cancellation of run `id`'s execution a hand-over to the next owner (`kiln serve` stopping
    /// with runs under way), instead of the run's end: attempts in workers' hands go on, and their tasks stay
    /// `running` for the next owner to adopt; attempts in this process are stopped and stored cancelled; the run is
    /// stored `queued`, its lease released. Without workers it is the same as a cancellation, but for the run's
    /// state.
    public func handOverOnCancel(_ id: RunID) {
        handOvers.insert(id)
    }
}

/// Runs whose cancellation is a hand-over: shared by every copy of an executor.
final class HandOvers: Sendable {
    private let ids = Mutex<Set<RunID>>([])

    func insert(_ id: RunID) { ids.withLock { _ = $0.insert(id) } }

    /// Whether run `id` is to be handed over; forgets it.
    func take(_ id: RunID) -> Bool { ids.withLock { $0.remove(id) != nil } }
}
