import Logging
import Synchronization

/// Everything logged through an ``InMemoryLogHandler``, as text lines.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        /// The entry as one line: level, message and every metadata pair.
        var line: String {
            let pairs = metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: " ")
            return "\(level) \(message) \(pairs)"
        }
    }

    private let entries: Mutex<[Entry]> = Mutex([])

    /// A logger (level `trace`) writing here.
    var logger: Logger { Logger(label: "notifications-test") { _ in InMemoryLogHandler(recorder: self) } }

    /// What was logged so far.
    var logged: [Entry] { entries.withLock { $0 } }

    /// Every entry as a line.
    var lines: [String] { logged.map(\.line) }

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
}

/// A log handler that keeps entries in memory, for assertions about what was logged.
struct InMemoryLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        recorder.append(LogRecorder.Entry(
            level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
