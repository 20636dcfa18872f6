import PipelineEngine
public import PipelineScheduler
internal import PostgresNIO
import Synchronization

// Scheduler wake-ups on PostgreSQL: writers send `NOTIFY` on the channel `kiln_wake` (`kiln_wake_<schema>` in a
// schema of its own) in the transaction of the change, so it is delivered when that commits; `kiln serve` listens.
extension PostgresStoreDatabase: SchedulerSignalSource {
    /// The channel of this database's kiln schema.
    var wakeChannel: String { channel("wake") }

    /// The statement that posts `signal` when its transaction commits.
    func notify(_ signal: SchedulerSignal) -> PostgresQuery {
        "SELECT pg_notify(\(wakeChannel), \(signal.rawValue))"
    }

    /// The signals any process posts on this database from now on, until the consumer stops.
    ///
    /// One pooled connection listens. When it is lost (a server restart), listening starts again after a pause that
    /// doubles up to 5 seconds, and a ``SchedulerSignal/run`` is delivered once it listens again: signals sent
    /// meanwhile were lost, so the scheduler should look.
    public func signals() -> AsyncStream<SchedulerSignal> {
        listen(on: wakeChannel, bufferingNewest: 8) { payload in payload.flatMap(SchedulerSignal.init(rawValue:)) ?? .run }
    }

    /// The notifications on `channel` from now on, until the consumer stops or the database is closed, each as
    /// `element` makes it of its payload; `element(nil)` once a lost listening connection listens again
    /// (notifications sent meanwhile were lost). The newest `bufferingNewest` wait for a slow consumer. One pooled
    /// connection listens; after a loss, listening starts again after a pause that doubles up to 5 seconds.
    func listen<Element: Sendable>(
        on channel: String, bufferingNewest: Int, _ element: @escaping @Sendable (String?) -> Element
    ) -> AsyncStream<Element> {
        let (client, pool) = (client, runner)
        return AsyncStream(bufferingPolicy: .bufferingNewest(bufferingNewest)) { continuation in
            let listener = Task {
                var pause = Duration.milliseconds(100)
                var lost = false
                while !Task.isCancelled && !pool.isCancelled {  // a closed database ends the stream
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: channel) { notifications in
                                pause = .milliseconds(100)
                                if lost { continuation.yield(element(nil)) }
                                for try await notification in notifications {
                                    continuation.yield(element(notification.payload))
                                }
                            }
                        }
                    } catch {}
                    lost = true
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(5))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in listener.cancel() }
        }
    }

    /// The channel of this database's kiln schema on which task queue `kind` events are posted.
    func queueChannel(_ kind: TaskQueueEvent) -> String { channel(kind.rawValue) }

    /// The channel `kiln_<name>`, or `kiln_<name>_<schema>` in a schema of its own.
    private func channel(_ name: String) -> String {
        "kiln_" + name + (configuration.schema.map { "_" + $0 } ?? "")
    }
}

/// A rate limit for notifications: ``take()`` says yes at most once per interval.
final class NoticeInterval: Sendable {
    private let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(_ interval: Duration) {
        self.interval = interval
    }

    /// Whether a notification may go now (the interval has passed since the last one that went).
    func take() -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            if let previous = last, now - previous < interval { return false }
            last = now
            return true
        }
    }
}
