import Foundation
import Logging
import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization

/// Collects the lines a kind logs, per stream, in arrival order.
final class LogRecorder: Sendable {
    private let entries = Mutex<[(stream: LogStream, line: String)]>([])

    /// Every line logged to `stream`, in order.
    func lines(_ stream: LogStream) -> [String] {
        entries.withLock { $0.filter { $0.stream == stream }.map(\.line) }
    }

    /// Every line, both streams, in arrival order.
    var all: [String] { entries.withLock { $0.map(\.line) } }

    /// Records a line (the context's log sink).
    func record(_ stream: LogStream, _ line: String) {
        entries.withLock { $0.append((stream, line)) }
    }
}

/// Builds the context the engine would pass, logging into `recorder`.
func makeContext(
    _ action: ResolvedAction, inputs: [String: JSONValue] = [:], environment: [String: String] = [:],
    workingDirectory: String = FileManager.default.temporaryDirectory.path, attempt: Int = 1,
    recorder: LogRecorder = LogRecorder()
) -> TaskContext {
    TaskContext(
        runID: RunID(rawValue: "20261129-143000-abc123"), pipeline: "test", taskID: "train", attempt: attempt,
        action: action, inputs: inputs, environment: environment, workingDirectory: workingDirectory,
        clock: ManualClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        log: { stream, line in recorder.record(stream, line) }
    )
}

/// A new empty directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tasks-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.resolvingSymlinksInPath().path)
}

/// Waits until `condition` holds, checking every 10 ms, for at most `timeout` (real subprocesses only).
///
/// The default is generous on purpose: the whole package's tests run in one process, and CPU-heavy synchronous
/// tests (model training in the numeric modules) can occupy every thread of the cooperative pool for seconds on a
/// small, busy machine, delaying the tasks that read a subprocess's output. A passing test returns at once anyway.
/// - Returns: Whether the condition held in time.
func eventually(within timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Whether process `pid` has ended (gone, or a zombie nobody has reaped yet).
func processHasEnded(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return false }
    return stat[afterName.upperBound...].hasPrefix("Z")
}

/// The message of a ``TaskFailure`` thrown by `body`, or `nil` when it threw nothing or something else.
func failureMessage(_ body: () async throws -> [String: JSONValue]) async -> String? {
    do {
        _ = try await body()
        return nil
    } catch let failure as TaskFailure {
        return failure.message
    } catch {
        return nil
    }
}
