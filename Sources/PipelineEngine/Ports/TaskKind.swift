public import Logging
public import PipelineModel

/// A kind of task that `uses:` can name, or the runner of `run:`/`shell:` commands.
///
/// Kinds are registered by name in a ``TaskKindRegistry``; the pipeline stays plain data, and any process that has
/// the kind registered can execute it.
///
/// ```swift
/// struct Greet: TaskKind {
///     let name = "greet"
///     func run(_ context: TaskContext) async throws -> [String: JSONValue] {
///         context.log("hello, \(context.inputs["who"]?.interpolated ?? "world")")
///         return ["greeted": true]
///     }
/// }
/// ```
public protocol TaskKind: Sendable {
    /// The name pipelines use in `uses:`.
    var name: String { get }

    /// Runs one attempt.
    ///
    /// - Parameter context: The resolved inputs and the run's services.
    /// - Returns: The task's outputs (a JSON object).
    /// - Throws: Anything: the attempt fails with the error's description. Throw ``TaskFailure`` for a clear message.
    ///   Cancellation (timeout, Ctrl-C) arrives as task cancellation: stop promptly.
    func run(_ context: TaskContext) async throws -> [String: JSONValue]
}

/// A failed attempt, with a message for the user.
public struct TaskFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and, where possible, what to do.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Thrown by a kind that must wait for an external decision (a manual approval) before it can go on.
///
/// The engine stores the task as `waiting` (with `deadline`, if any) and stops holding a worker for it. Once
/// `kiln approve`/`kiln reject` records a ``Decision``, the task runs again and sees it in
/// ``TaskContext/decision``. Past the deadline the task fails as rejected.
public struct TaskSuspension: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the task waits for, shown to the user (`approval to deploy fraud-detection v4`).
    public var reason: String
    /// When waiting ends in rejection, or `nil` to wait indefinitely.
    public var deadline: Timestamp?

    /// Creates a suspension.
    public init(reason: String, deadline: Timestamp? = nil) {
        self.reason = reason
        self.deadline = deadline
    }

    /// The reason.
    public var description: String { reason }
}

/// The action of a task after its expressions were evaluated.
public enum ResolvedAction: Sendable, Hashable {
    /// An argv command.
    case run([String])
    /// A `/bin/sh -c` script.
    case shell(String)
    /// A registered kind and its inputs.
    case uses(String)
}

/// Everything one attempt of a task gets to see.
public struct TaskContext: Sendable {
    /// The run.
    public let runID: RunID
    /// The pipeline's name.
    public let pipeline: String
    /// The task's id.
    public let taskID: String
    /// The attempt number, from 1.
    public let attempt: Int
    /// What to run.
    public let action: ResolvedAction
    /// The resolved `with:` inputs (empty for commands).
    public let inputs: [String: JSONValue]
    /// The resolved `env:` of the task (not the whole process environment).
    public let environment: [String: String]
    /// The absolute working directory.
    public let workingDirectory: String
    /// The engine's clock.
    public let clock: any PipelineClock
    /// A logger with `run.id`, `task.key` and `task.attempt` metadata.
    ///
    /// Built when read (most kinds never log through it; a handler may render its metadata on every change).
    public var logger: Logger {
        var logger = baseLogger
        var metadata = logger.handler.metadata
        metadata["run.id"] = .string(runID.rawValue)
        metadata["task.key"] = .string(taskID)
        metadata["task.attempt"] = .stringConvertible(attempt)
        logger.handler.metadata = metadata
        return logger
    }
    /// The logger given to the initializer.
    private let baseLogger: Logger
    /// Where datasets and models are stored, when the process has an artifact store.
    public let artifacts: (any ArtifactStore)?
    /// The decision given to this task while it waited, if any (see ``TaskSuspension``).
    public let decision: Decision?
    /// Variables of this process's environment that the task's processes must not inherit: the secrets the
    /// pipeline's `notify:` rules read (the task's own `env:` may still pass one on explicitly).
    public let withheldEnvironment: Set<String>
    /// When the attempt started, by the engine's clock: the time a kind writes into what it produces (a model
    /// file's `trained_at`), so that the same inputs and start give the same bytes. ``TaskLineage`` records it, and
    /// a reproduction gives the kind the recorded one.
    public let startedAt: Timestamp
    let sink: @Sendable (LogStream, String) -> Void
    let processSink: @Sendable (TaskProcess?) -> Void
    let seedSink: @Sendable (Int64) -> Void
    let readSink: @Sendable (String) -> Void

    /// Creates a context (the engine does this; tests of a kind may too).
    public init(
        runID: RunID, pipeline: String, taskID: String, attempt: Int, action: ResolvedAction,
        inputs: [String: JSONValue] = [:], environment: [String: String] = [:], workingDirectory: String,
        clock: any PipelineClock, logger: Logger, artifacts: (any ArtifactStore)? = nil, decision: Decision? = nil,
        withheldEnvironment: Set<String> = [], startedAt: Timestamp? = nil,
        log sink: @escaping @Sendable (LogStream, String) -> Void,
        process processSink: @escaping @Sendable (TaskProcess?) -> Void = { _ in },
        seed seedSink: @escaping @Sendable (Int64) -> Void = { _ in },
        read readSink: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.runID = runID
        self.pipeline = pipeline
        self.taskID = taskID
        self.attempt = attempt
        self.action = action
        self.inputs = inputs
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.clock = clock
        self.baseLogger = logger
        self.artifacts = artifacts
        self.decision = decision
        self.withheldEnvironment = withheldEnvironment
        self.startedAt = startedAt ?? clock.now
        self.sink = sink
        self.processSink = processSink
        self.seedSink = seedSink
        self.readSink = readSink
    }

    /// Appends a line to the task's log (stored with the run and streamed to progress displays).
    public func log(_ line: String, stream: LogStream = .stdout) { sink(stream, line) }

    /// Records the process group a command just started (or `nil` once it is gone), so that whoever takes the run
    /// over after this process dies can stop it before running the task again.
    public func recordProcess(_ process: TaskProcess?) { processSink(process) }

    /// Records a seed the attempt used that its inputs do not show (a default, or one read from a config file), for
    /// the task's ``TaskLineage``.
    public func recordSeed(_ seed: Int64) { seedSink(seed) }

    /// Records a file the attempt read that its inputs do not name as such (the files of a folder or a glob), for the
    /// task's ``TaskLineage``. A relative path resolves against the working directory.
    public func recordRead(_ path: String) { readSink(path) }

    /// A copy of this context that starts at `startedAt` and sends logs, processes and seeds to this one: for a
    /// wrapper kind that replays a recorded attempt.
    public func starting(at startedAt: Timestamp) -> TaskContext {
        TaskContext(
            runID: runID, pipeline: pipeline, taskID: taskID, attempt: attempt, action: action, inputs: inputs,
            environment: environment, workingDirectory: workingDirectory, clock: clock, logger: baseLogger,
            artifacts: artifacts, decision: decision, withheldEnvironment: withheldEnvironment, startedAt: startedAt,
            log: sink, process: processSink, seed: seedSink, read: readSink)
    }
}

/// A task kind made from a closure: how the Swift API turns closures into registered kinds.
public struct ClosureTaskKind: TaskKind {
    /// The kind's name.
    public let name: String
    private let body: @Sendable (TaskContext) async throws -> [String: JSONValue]

    /// Wraps `body` as the kind `name`.
    public init(name: String, _ body: @escaping @Sendable (TaskContext) async throws -> [String: JSONValue]) {
        self.name = name
        self.body = body
    }

    /// Runs the closure.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] { try await body(context) }
}

/// The task kinds an engine can run, by name, plus the runner for `run:`/`shell:` commands.
public struct TaskKindRegistry: Sendable {
    private var kinds: [String: any TaskKind] = [:]
    /// The kind that runs `run:` and `shell:` actions, if any.
    public var commandRunner: (any TaskKind)?
    /// Stops commands a dead owner of a run left running (see ``TaskProcessReaper``), if this process runs commands.
    public var reaper: (any TaskProcessReaper)?

    /// An empty registry.
    public init() {}

    /// Adds (or replaces) `kind` under its name.
    public mutating func register(_ kind: any TaskKind) { kinds[kind.name] = kind }

    /// Adds a closure as the kind `name`.
    public mutating func register(
        _ name: String, _ body: @escaping @Sendable (TaskContext) async throws -> [String: JSONValue]
    ) {
        register(ClosureTaskKind(name: name, body))
    }

    /// The kind registered as `name`.
    public func kind(named name: String) -> (any TaskKind)? { kinds[name] }

    /// Every registered name.
    public var names: Set<String> { Set(kinds.keys) }
}
