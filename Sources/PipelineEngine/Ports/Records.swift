public import PipelineModel

/// One execution of a pipeline, with the snapshot of the pipeline it runs.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The run's id.
    public var id: RunID
    /// The pipeline's name.
    public var pipeline: String
    /// The run's state.
    public var state: RunState
    /// The params the run uses (defaults merged with overrides).
    public var params: [String: JSONValue]
    /// The pipeline as it was when the run was created; `kiln resume` runs this, not the current file.
    public var snapshot: Pipeline
    /// The folder command tasks run in (the pipeline file's folder), absolute.
    public var baseDirectory: String
    /// Why the run started (`{"type": "manual", …}`), if recorded.
    public var trigger: JSONValue?
    /// When the run was created.
    public var createdAt: Timestamp
    /// When execution (last) started.
    public var startedAt: Timestamp?
    /// When the run finished.
    public var finishedAt: Timestamp?
    /// A summary of why the run failed, if it did.
    public var error: String?
    /// Identifies what launched the run (`"<pipeline>/<rule>@<fire time>"` for triggered runs): a store keeps at
    /// most one run per key, so a restarted daemon cannot launch the same fire time twice.
    public var idempotencyKey: String?

    /// Creates a record.
    public init(
        id: RunID, pipeline: String, state: RunState, params: [String: JSONValue], snapshot: Pipeline,
        baseDirectory: String, trigger: JSONValue? = nil, createdAt: Timestamp, startedAt: Timestamp? = nil,
        finishedAt: Timestamp? = nil, error: String? = nil, idempotencyKey: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.id = id
        self.pipeline = pipeline
        self.state = state
        self.params = params
        self.snapshot = snapshot
        self.baseDirectory = baseDirectory
        self.trigger = trigger
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }
}

/// The state of one task within a run.
public struct TaskRecord: Sendable, Hashable, Codable {
    /// The task id.
    public var taskID: String
    /// Its state.
    public var state: TaskState
    /// Attempts started so far (across resumes).
    public var attempts: Int
    /// Outputs of the successful (or cached) attempt.
    public var outputs: [String: JSONValue]?
    /// Why the last attempt failed, or why the task was skipped or cancelled.
    public var error: String?
    /// The cache key, when the task caches.
    public var cacheKey: String?
    /// How the cache was used: `hit: …`, `miss: …`, `disabled: …`.
    public var cacheNote: String?
    /// When the first attempt started.
    public var startedAt: Timestamp?
    /// When the task reached a terminal state.
    public var finishedAt: Timestamp?
    /// When a pending task's next retry is due.
    public var retryAt: Timestamp?
    /// When a waiting task stops waiting and is rejected, if it has a deadline.
    public var deadline: Timestamp?
    /// The decision given to a waiting task (approval or rejection), once given.
    public var decision: Decision?
    /// The process group of the running attempt's command, while one runs: whoever takes the run over stops it
    /// before running the task again.
    public var process: TaskProcess?
    /// What the successful (or cached) attempt depended on: Kiln version, platform, files read, seeds; `nil` before
    /// one succeeded, and for records written before Kiln kept lineage.
    public var lineage: TaskLineage?

    /// Creates a record.
    public init(
        taskID: String, state: TaskState = .pending, attempts: Int = 0, outputs: [String: JSONValue]? = nil,
        error: String? = nil, cacheKey: String? = nil, cacheNote: String? = nil, startedAt: Timestamp? = nil,
        finishedAt: Timestamp? = nil, retryAt: Timestamp? = nil, deadline: Timestamp? = nil, decision: Decision? = nil,
        process: TaskProcess? = nil, lineage: TaskLineage? = nil
    ) {
        self.lineage = lineage
        self.taskID = taskID
        self.state = state
        self.attempts = attempts
        self.outputs = outputs
        self.error = error
        self.cacheKey = cacheKey
        self.cacheNote = cacheNote
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.retryAt = retryAt
        self.deadline = deadline
        self.decision = decision
        self.process = process
    }
}

/// A command's process group, identified well enough to survive pid reuse: the group leader's pid and start time.
public struct TaskProcess: Sendable, Hashable, Codable {
    /// The host it runs on.
    public var host: String
    /// The process group id (the leader's pid: commands lead their own session).
    public var pid: Int32
    /// When the leader started, in the system's units (Linux: clock ticks since boot); 0 when unknown.
    public var started: Int64

    /// Creates a process identity.
    public init(host: String, pid: Int32, started: Int64) {
        self.host = host
        self.pid = pid
        self.started = started
    }
}

/// Stops the process group a command task left behind when its owner died: what a takeover does before it runs
/// the task again, so no command runs twice at once.
public protocol TaskProcessReaper: Sendable {
    /// Stops `process`'s group (terminate, then kill after a grace period) and returns once it is gone. Does
    /// nothing when the process no longer runs, was started at another time (pid reuse), or runs on another host.
    func reap(_ process: TaskProcess) async
}

/// An approval or rejection given to a waiting task.
public struct Decision: Sendable, Hashable, Codable {
    /// Whether the task may go ahead.
    public var approved: Bool
    /// Why, as the person or rule gave it.
    public var reason: String?
    /// Who decided: `cli`, `deadline`, a user name.
    public var actor: String
    /// When.
    public var at: Timestamp

    /// Creates a decision; `at` is kept to the millisecond (the precision of its stored form).
    public init(approved: Bool, reason: String?, actor: String, at: Timestamp) {
        self.approved = approved
        self.reason = reason
        self.actor = actor
        self.at = Timestamp(millisecondsSince1970: at.millisecondsSince1970)
    }

    /// The JSON form stored and shown: `{"approved", "reason", "actor", "at"}` (`at` in ISO 8601).
    public var json: JSONValue {
        ["approved": .bool(approved), "reason": reason.map(JSONValue.string) ?? .null, "actor": .string(actor),
         "at": .string(at.iso8601)]
    }

    /// Reads the JSON form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let approved = members["approved"]?.boolValue,
            let actor = members["actor"]?.stringValue, let at = members["at"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else { return nil }
        self.init(approved: approved, reason: members["reason"]?.stringValue, actor: actor, at: at)
    }
}

/// Which stream a log line came from.
public enum LogStream: String, Sendable, Hashable, Codable {
    case stdout, stderr
    /// Lines the engine itself writes (retries, timeouts).
    case system
}

/// One line of a task's log.
public struct LogLine: Sendable, Hashable, Codable {
    /// The run.
    public var runID: RunID
    /// The task.
    public var taskID: String
    /// The attempt that wrote it (1-based).
    public var attempt: Int
    /// The stream.
    public var stream: LogStream
    /// The text, without the line break.
    public var text: String
    /// When it was written.
    public var at: Timestamp

    /// Creates a line.
    public init(runID: RunID, taskID: String, attempt: Int, stream: LogStream, text: String, at: Timestamp) {
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
        self.stream = stream
        self.text = text
        self.at = at
    }
}

/// Outputs stored for reuse by a later task with the same cache key.
public struct CacheEntry: Sendable, Hashable, Codable {
    /// The key: a SHA-256 hex digest of everything the result depends on.
    public var key: String
    /// The pipeline of the task that stored it.
    public var pipeline: String
    /// The task that stored it.
    public var taskID: String
    /// The run that stored it.
    public var runID: RunID
    /// The outputs to reuse.
    public var outputs: [String: JSONValue]
    /// When it was stored.
    public var createdAt: Timestamp
    /// When it stops being valid, or `nil` for never.
    public var expiresAt: Timestamp?

    /// Creates an entry.
    public init(
        key: String, pipeline: String, taskID: String, runID: RunID, outputs: [String: JSONValue],
        createdAt: Timestamp, expiresAt: Timestamp?
    ) {
        self.key = key
        self.pipeline = pipeline
        self.taskID = taskID
        self.runID = runID
        self.outputs = outputs
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
