public import PipelineEngine
public import PipelineModel
internal import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs `run:` actions (an argv, never through a shell) and `shell:` actions (`/bin/sh -c SCRIPT`).
///
/// The process runs in the task's working directory with this process's environment (minus the variables in
/// ``TaskContext/withheldEnvironment``: the secrets `notify:` rules read), plus the task's `env:`, plus:
/// - `KILN_OUTPUTS`: the path of a fresh empty file; a JSON object written there becomes the task's outputs
///   (an empty or deleted file means no outputs). The file is removed afterwards.
/// - `KILN_RUN_ID`, `KILN_TASK_ID`, `KILN_ATTEMPT`: which run, task and attempt (from 1) this is.
///
/// A program name without a `/` is looked up in `PATH` (the task's `env:` may set `PATH`); a relative path such
/// as `./train.sh` is taken relative to the working directory. Standard output and error are sent to the task's
/// log line by line as they arrive (see ``maxLineBytes``). Standard input is empty.
///
/// The process leads a new session, so it and everything it starts form one process group. When the calling
/// task is cancelled (the engine's timeout, or Ctrl-C), the whole group gets `SIGTERM`, then `SIGKILL` after
/// ``terminationGrace``, and `run` throws `CancellationError` once the group is gone.
///
/// ```swift
/// var kinds = TaskKindRegistry()
/// kinds.commandRunner = CommandTaskKind(terminationGrace: .seconds(5))
/// ```
public struct CommandTaskKind: TaskKind {
    /// The kind's name, `"command"`.
    public let name = "command"
    /// How long a cancelled process group may take to exit after `SIGTERM` before it gets `SIGKILL`.
    public let terminationGrace: Duration
    /// The most bytes of one output line that are logged; the rest of a longer line is dropped.
    public let maxLineBytes: Int

    /// Creates the command runner.
    ///
    /// - Parameters:
    ///   - terminationGrace: Time between `SIGTERM` and `SIGKILL` on cancellation. Default: 2 seconds.
    ///   - maxLineBytes: The longest output line logged, in bytes (at least 1). Default: 64 KiB.
    public init(terminationGrace: Duration = .seconds(2), maxLineBytes: Int = 64 * 1024) {
        precondition(terminationGrace >= .zero, "terminationGrace must not be negative.")
        precondition(maxLineBytes > 0, "maxLineBytes must be at least 1.")
        self.terminationGrace = terminationGrace
        self.maxLineBytes = maxLineBytes
    }

    /// Runs the command of `context.action` to completion.
    ///
    /// - Parameter context: The task's action, environment, working directory and log.
    /// - Returns: The JSON object the process wrote to `KILN_OUTPUTS`, or `[:]` when it wrote nothing.
    /// - Throws: ``TaskFailure`` when the program is missing, exits with a non-zero status, is killed by a
    ///   signal, or writes invalid outputs; `CancellationError` when the task was cancelled (after the process
    ///   group is gone).
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let program = try CommandProgram(context.action, workingDirectory: context.workingDirectory)
        try Task.checkCancellation()
        let outputs = try OutputsFile.makeTemporary()
        let configuration = Configuration(
            executable: program.executable,
            arguments: Arguments(program.arguments),
            environment: try environment(for: context, outputsPath: outputs.path),
            workingDirectory: FilePath(context.workingDirectory),
            platformOptions: platformOptions
        )

        let group = Mutex<ProcessGroup?>(nil)
        let status: TerminationStatus
        let lastErrorLine: String?
        do {
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) {
                execution in
                let pid = execution.processIdentifier.value
                group.withLock { $0 = ProcessGroup(id: pid) }
                // Stored with the task, so whoever takes the run over after this process dies stops the group first.
                context.recordProcess(
                    TaskProcess(host: RunOwner.thisHost, pid: pid, started: RunOwner.processStart(pid) ?? 0))
                return try await streamOutput(execution.standardOutput, execution.standardError, to: context)
            }
            status = result.terminationStatus
            lastErrorLine = result.closureResult
        } catch {
            await cleanUpIfCancelled(group.withLock { $0 })
            try Task.checkCancellation()
            guard let error = error as? SubprocessError else { throw error }
            throw program.failure(error, workingDirectory: context.workingDirectory)
        }
        await cleanUpIfCancelled(group.withLock { $0 })
        try Task.checkCancellation()

        switch status {
        case .exited(0):
            return try outputs.read()
        case .exited(let code):
            throw TaskFailure("exited with status \(code)" + Self.suffix(lastErrorLine))
        case .signaled(let signal):
            throw TaskFailure("killed by signal \(signal)" + Self.suffix(lastErrorLine))
        }
    }

    private var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        // A new session: the command and its descendants form one process group (pgid = pid), detached from
        // the terminal, so the group can be signalled as a whole and Ctrl-C reaches only the engine.
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        return options
    }

    private func environment(for context: TaskContext, outputsPath: String) throws -> Environment {
        var values: [Environment.Key: String?] = [:]
        // Secrets of `notify:` rules stay with the engine, unless the task's own `env:` passes one on.
        for name in context.withheldEnvironment { values[Environment.Key(stringLiteral: name)] = .some(nil) }
        for (name, value) in context.environment {
            guard !name.isEmpty, !name.contains("="), !name.utf8.contains(0), !value.utf8.contains(0) else {
                throw TaskFailure("invalid environment variable name or value: '\(name)'")
            }
            values[Environment.Key(stringLiteral: name)] = value
        }
        values["KILN_OUTPUTS"] = outputsPath
        values["KILN_RUN_ID"] = context.runID.rawValue
        values["KILN_TASK_ID"] = context.taskID
        values["KILN_ATTEMPT"] = String(context.attempt)
        return .inherit.updating(values)
    }

    /// Logs both streams line by line as they arrive; returns the last non-blank standard error line.
    private func streamOutput(
        _ standardOutput: SubprocessOutputSequence, _ standardError: SubprocessOutputSequence, to context: TaskContext
    ) async throws -> String? {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await pump(standardOutput, stream: .stdout, to: context) }
            group.addTask { try await pump(standardError, stream: .stderr, to: context) }
            var lastErrorLine: String?
            while let result = try await group.next() {
                if let result { lastErrorLine = result }
            }
            return lastErrorLine
        }
    }

    private func pump(_ sequence: SubprocessOutputSequence, stream: LogStream, to context: TaskContext) async throws
        -> String?
    {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        var lastNonBlank: String?
        func emit(_ line: String) {
            context.log(line, stream: stream)
            if line.contains(where: { !$0.isWhitespace }) { lastNonBlank = line }
        }
        for try await buffer in sequence {
            for line in buffer.withUnsafeBytes({ splitter.append($0) }) { emit(line) }
        }
        if let line = splitter.finish() { emit(line) }
        return stream == .stderr ? lastNonBlank : nil
    }

    /// After cancellation, waits for (and if needed kills) whatever is left of the process group.
    private func cleanUpIfCancelled(_ group: ProcessGroup?) async {
        guard Task.isCancelled, let group else { return }
        await group.finish(grace: terminationGrace)
    }

    private static func suffix(_ lastErrorLine: String?) -> String {
        guard let line = lastErrorLine else { return "" }
        let trimmed = line.trimmingPrefix(while: \.isWhitespace)
        let shown = trimmed.count > 500 ? trimmed.prefix(500) + "…" : Substring(trimmed)
        return "; last stderr line: \(shown)"
    }
}
