public import PipelineModel

/// Where a run's owner hands attempts to workers (`kiln worker`) and collects how they ended: the port every store
/// that workers on several processes or machines share implements.
///
/// The owner (the process holding the run's lease) keeps planning; only the execution of attempts moves. Each
/// attempt is one row: `queued` → `claimed` by one worker under a claim lease (fenced by a claim token that grows
/// with every claim) → `done` with its result → collected (removed) by the owner. A claim whose lease lapses without
/// a heartbeat is ended by ``collect(runs:at:)`` as a failed attempt, so the task's retry policy decides what comes
/// next — a new attempt, never a second copy of the same one. Rows carry the epoch of the owner's lease: a new owner
/// adopts the rows of the attempts still under way (``adopt(run:running:epoch:)``), and an owner collects only rows
/// of its own epoch.
///
/// Backends must pass `TaskQueueConformance` in `PipelineTesting`.
public protocol TaskQueue: Sendable {
    /// Adds `attempts` as `queued` rows, in one transaction, fenced like a commit: when the store holds a run of
    /// `attempts` whose lease is no longer the one of the attempts' epoch (another owner took it, or it was
    /// released), nothing is added and ``StateStoreError/leaseLost(_:holder:)`` is thrown. So an owner that lost its
    /// run while it was about to queue never leaves a row the new owner neither adopts nor collects. (A run the
    /// store does not hold is not fenced.) An attempt already queued is left as it is (a replayed enqueue).
    func enqueue(_ attempts: [QueuedAttempt]) async throws

    /// Claims up to `limit` queued attempts whose labels are all among `labels`, oldest first, for `worker` until
    /// `expiresAt`; concurrent callers never get the same row.
    func claim(
        worker: RunOwner, labels: Set<String>, limit: Int, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> [ClaimedAttempt]

    /// Extends the leases of `claims` (a worker's heartbeat, one statement for all of them).
    /// - Returns: The claims still held; a missing one was withdrawn or reclaimed, and its attempt must stop.
    func renewClaims(_ claims: [QueueClaim], at now: Timestamp, expiresAt: Timestamp) async throws -> Set<QueueClaim>

    /// Records the process group the claimed attempt's command started (or `nil` once it ended), so that a worker
    /// restarted on that host can stop it when this worker dies.
    func recordProcess(_ process: TaskProcess?, of claim: QueueClaim) async throws

    /// Stores the results of claimed attempts, each only while its claim is still held (fencing).
    /// - Returns: The claims whose result was stored.
    func finish(_ results: [(QueueClaim, AttemptResult)], at now: Timestamp) async throws -> Set<QueueClaim>

    /// Stores `results` as ``finish(_:at:)`` does, then claims as ``claim(worker:labels:limit:at:expiresAt:)`` does:
    /// a worker's usual step, its slots freed and filled again, in one statement where the backend can. (A default
    /// makes the two calls; when the claim fails after the results are stored, it claims nothing.)
    /// - Returns: The claims whose result was stored, and the attempts claimed.
    func finishAndClaim(
        _ results: [(QueueClaim, AttemptResult)], at now: Timestamp, worker: RunOwner, labels: Set<String>,
        limit: Int, expiresAt: Timestamp
    ) async throws -> (stored: Set<QueueClaim>, claimed: [ClaimedAttempt])

    /// Puts claimed attempts back in the queue unchanged (a worker that stops before running them to the end: their
    /// commands were stopped first).
    func handBack(_ claims: [QueueClaim]) async throws

    /// Removes and returns the ended attempts of the runs `runs` (each with the epoch of its owner's lease: only
    /// rows of that epoch are looked at, so an owner that lost the run to another one collects nothing of it).
    /// Claims of those runs whose lease lapsed before `now` end first, as failed (`worker NAME on HOST stopped
    /// heartbeating`); a process group they recorded is kept for ``orphans(on:)``.
    func collect(runs: [RunID: Int64], at now: Timestamp) async throws -> [FinishedAttempt]

    /// Removes every row of run `id` (the owner cancels the run). A worker holding one learns it at its next
    /// heartbeat and stops the attempt.
    func withdraw(run id: RunID) async throws

    /// Hands the attempts of run `id` that are still wanted to a new owner: the rows of `running` (task id →
    /// attempt number: the attempts the new owner's records say are under way) are kept, whatever their state —
    /// queued, claimed by a worker that goes on running it, or ended and not collected yet — and move to `epoch`,
    /// the new owner's; every other row of the run is removed, as ``withdraw(run:)`` does. In one transaction.
    /// - Returns: The attempts kept (task id → attempt number): their results reach the new owner's
    ///   ``collect(runs:at:)``.
    func adopt(run id: RunID, running: [String: Int], epoch: Int64) async throws -> [String: Int]

    /// Claims held by workers on `host`, with who holds them: a worker starting on that host ends those of a
    /// previous incarnation that died.
    func claims(on host: String) async throws -> [HeldClaim]

    /// The workers holding run `id`'s attempts now, by task id: where its running tasks run (`kiln show`).
    func workers(of id: RunID) async throws -> [String: RunOwner]

    /// Removes and returns the process groups of reclaimed attempts that ran on `host`: a worker starting there
    /// stops them.
    func orphans(on host: String) async throws -> [TaskProcess]
}

extension TaskQueue {
    /// ``finish(_:at:)``, then ``claim(worker:labels:limit:at:expiresAt:)`` (nothing claimed when that fails).
    public func finishAndClaim(
        _ results: [(QueueClaim, AttemptResult)], at now: Timestamp, worker: RunOwner, labels: Set<String>,
        limit: Int, expiresAt: Timestamp
    ) async throws -> (stored: Set<QueueClaim>, claimed: [ClaimedAttempt]) {
        let stored = try await finish(results, at: now)
        let claimed = (try? await claim(worker: worker, labels: labels, limit: limit, at: now, expiresAt: expiresAt)) ?? []
        return (stored, claimed)
    }
}

extension TaskQueue {
    /// The workers holding the attempts of run `id`'s tasks that `tasks` (its records) show running, by task id:
    /// ``workers(of:)``, asked only when one runs, less a claim whose task's record no longer says so.
    public func workers(of id: RunID, tasks: [TaskRecord]) async throws -> [String: RunOwner] {
        let running = Set(tasks.lazy.filter { $0.state == .running }.map(\.taskID))
        guard !running.isEmpty else { return [:] }
        return try await workers(of: id).filter { running.contains($0.key) }
    }
}

/// What a task queue tells the processes waiting on it, so that they look at once instead of at their next poll.
public enum TaskQueueEvent: String, Sendable, Hashable, CaseIterable {
    /// Attempts were queued: an idle worker claims them.
    case queued
    /// Workers stored results: the runs' owners collect them.
    case finished
}

/// A task queue whose changes are pushed to every process sharing it (PostgreSQL: `LISTEN`/`NOTIFY`, sent in the
/// statement of the change, so delivered once it commits).
///
/// Events are hints, never state: one may be lost (while a listening connection is re-established) or several
/// merged, so listeners keep polling, only less often.
public protocol TaskQueueEvents: Sendable {
    /// One element per `kind` event any process posts from now on (and one after a lost listening connection is
    /// back: events may have been missed meanwhile), until the consuming task is cancelled.
    func events(_ kind: TaskQueueEvent) -> AsyncStream<Void>
}

/// One attempt the owner of a run hands to workers.
public struct QueuedAttempt: Sendable, Hashable {
    /// The run.
    public var runID: RunID
    /// The epoch of the owner's lease on the run when it enqueued the attempt.
    public var epoch: Int64
    /// The task.
    public var taskID: String
    /// The attempt's number.
    public var attempt: Int
    /// The labels a worker must have (`runs_on:`), sorted.
    public var labels: [String]
    /// What the worker needs besides the run's snapshot.
    public var work: AttemptWork
    /// When it was enqueued.
    public var queuedAt: Timestamp

    /// Creates a queued attempt.
    public init(
        runID: RunID, epoch: Int64, taskID: String, attempt: Int, labels: [String], work: AttemptWork,
        queuedAt: Timestamp
    ) {
        self.runID = runID
        self.epoch = epoch
        self.taskID = taskID
        self.attempt = attempt
        self.labels = labels.sorted()
        self.work = work
        self.queuedAt = queuedAt
    }
}

/// The resolved parts of an attempt: what the owner evaluated (templates against params and upstream outputs).
public struct AttemptWork: Sendable, Hashable, Codable {
    /// What to run.
    public var action: ResolvedAction
    /// The resolved `with:` inputs.
    public var inputs: [String: JSONValue]
    /// The resolved `env:`.
    public var environment: [String: String]
    /// The absolute working directory.
    public var workingDirectory: String
    /// The decision the task waited for, if any.
    public var decision: Decision?
    /// Environment variables the task's processes must not inherit.
    public var withheldEnvironment: [String]

    /// Creates the work of an attempt.
    public init(
        action: ResolvedAction, inputs: [String: JSONValue], environment: [String: String], workingDirectory: String,
        decision: Decision?, withheldEnvironment: [String]
    ) {
        self.action = action
        self.inputs = inputs
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.decision = decision
        self.withheldEnvironment = withheldEnvironment.sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case run, shell, uses, inputs, env, workdir, decision, withheld
    }

    /// Decodes the stored form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let argv = try c.decodeIfPresent([String].self, forKey: .run) {
            action = .run(argv)
        } else if let script = try c.decodeIfPresent(String.self, forKey: .shell) {
            action = .shell(script)
        } else {
            action = .uses(try c.decode(String.self, forKey: .uses))
        }
        inputs = try c.decodeIfPresent([String: JSONValue].self, forKey: .inputs) ?? [:]
        environment = try c.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        workingDirectory = try c.decode(String.self, forKey: .workdir)
        decision = try c.decodeIfPresent(Decision.self, forKey: .decision)
        withheldEnvironment = try c.decodeIfPresent([String].self, forKey: .withheld) ?? []
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch action {
        case .run(let argv): try c.encode(argv, forKey: .run)
        case .shell(let script): try c.encode(script, forKey: .shell)
        case .uses(let name): try c.encode(name, forKey: .uses)
        }
        if !inputs.isEmpty { try c.encode(inputs, forKey: .inputs) }
        if !environment.isEmpty { try c.encode(environment, forKey: .env) }
        try c.encode(workingDirectory, forKey: .workdir)
        try c.encodeIfPresent(decision, forKey: .decision)
        if !withheldEnvironment.isEmpty { try c.encode(withheldEnvironment, forKey: .withheld) }
    }
}

/// Identifies one claim of a queued attempt: the row and the claim token (fencing).
public struct QueueClaim: Sendable, Hashable, Codable {
    /// The queue row.
    public var id: Int64
    /// The claim token: higher for every claim, so a stale worker's writes miss.
    public var token: Int64

    /// Creates a claim identity.
    public init(id: Int64, token: Int64) {
        self.id = id
        self.token = token
    }
}

/// An attempt a worker claimed.
public struct ClaimedAttempt: Sendable, Hashable {
    /// The claim.
    public var claim: QueueClaim
    /// The attempt.
    public var attempt: QueuedAttempt

    /// Creates a claimed attempt.
    public init(claim: QueueClaim, attempt: QueuedAttempt) {
        self.claim = claim
        self.attempt = attempt
    }
}

/// A claim held by a worker, as ``TaskQueue/claims(on:)`` lists it.
public struct HeldClaim: Sendable, Hashable {
    /// The claim.
    public var claim: QueueClaim
    /// The worker holding it.
    public var worker: RunOwner
    /// The process group its command started, if recorded.
    public var process: TaskProcess?

    /// Creates a held claim.
    public init(claim: QueueClaim, worker: RunOwner, process: TaskProcess?) {
        self.claim = claim
        self.worker = worker
        self.process = process
    }
}

/// An attempt that ended on a worker (or whose worker was lost), as the owner collects it.
public struct FinishedAttempt: Sendable, Hashable {
    /// The run.
    public var runID: RunID
    /// The task.
    public var taskID: String
    /// The attempt's number.
    public var attempt: Int
    /// How it ended.
    public var result: AttemptResult
    /// The worker that stored the result (`nil` for a claim that lapsed: its failure names the worker).
    public var worker: RunOwner?

    /// Creates a finished attempt.
    public init(runID: RunID, taskID: String, attempt: Int, result: AttemptResult, worker: RunOwner? = nil) {
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
        self.result = result
        self.worker = worker
    }
}

/// How a remote attempt ended, in the form stored in the queue.
public enum AttemptResult: Sendable, Hashable, Codable {
    /// The kind returned outputs; `cacheKey`/`cacheNote` are set when the task caches.
    case succeeded(outputs: [String: JSONValue], cacheKey: String?, cacheNote: String?, lineage: TaskLineage?)
    /// A cache entry was reused.
    case cached(CacheEntry, note: String, lineage: TaskLineage?)
    /// The attempt failed.
    case failed(error: String, cacheKey: String?)
    /// The attempt was stopped before it ended.
    case cancelled
    /// The kind asked to wait for a decision.
    case suspended(reason: String, deadline: Timestamp?)
}

extension AttemptResult {
    /// The result of an attempt whose worker stopped heartbeating.
    public static func lost(worker: RunOwner, expiredAt: Timestamp) -> AttemptResult {
        .failed(
            error: "worker \(worker.label) on \(worker.host) stopped heartbeating (its claim lapsed at "
                + "\(expiredAt.iso8601))",
            cacheKey: nil)
    }
}
