import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
import Synchronization
import Testing

/// The daemon's log of run events: one info line per change, with its metadata; nothing below the logger's level.
@Suite struct RunEventLoggerTests {
    /// Keeps the lines logged through it.
    struct Capture: LogHandler {
        let captured: Lines
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            captured.lines.withLock { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
        }
    }

    /// The lines a ``Capture`` keeps.
    final class Lines: Sendable {
        let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
    }

    static func events(at level: Logger.Level) -> [(Logger.Level, String, Logger.Metadata)] {
        let captured = Lines()
        let logger = Logger(label: "test") { _ in Capture(captured: captured, logLevel: level) }
        let sink = RunEventLogger(logger: logger)
        let run = RunID(rawValue: "r1")
        sink.receive(.taskChanged(run, TaskRecord(taskID: "train", state: .failed, attempts: 2, error: "exit code 1")))
        sink.receive(.retryScheduled(
            run, task: "train", attempt: 3, at: Timestamp(nanosecondsSince1970: 0), error: "exit code 1"))
        return captured.lines.withLock { $0 }
    }

    @Test("at info level each change is a line with its run, task, state and error")
    func logsChanges() {
        let lines = Self.events(at: .info)
        #expect(lines.map(\.1) == ["Task state changed", "Task retry scheduled"])
        let change = lines.first?.2 ?? [:]
        #expect(change["run.id"] == "r1")
        #expect(change["task.state"] == "failed")
        #expect(change["task.attempts"] == "2")
        #expect(change["error.message"] == "exit code 1")
    }

    @Test("above info level nothing is logged")
    func quietAboveInfo() {
        #expect(Self.events(at: .warning).isEmpty)
    }
}
