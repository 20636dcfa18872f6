public import PipelineScheduler
internal import PostgresNIO

// Scheduler wake-ups on PostgreSQL: writers send `NOTIFY` on the channel `kiln_wake` (`kiln_wake_<schema>` in a
// schema of its own) in the transaction of the change, so it is delivered when that commits; `kiln serve` listens.
extension PostgresStoreDatabase: SchedulerSignalSource {
    /// The channel of this database's kiln schema.
    var wakeChannel: String { configuration.schema.map { "kiln_wake_\($0)" } ?? "kiln_wake" }

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
        let client = client
        let channel = wakeChannel
        return AsyncStream(bufferingPolicy: .bufferingNewest(8)) { continuation in
            let listener = Task {
                var pause = Duration.milliseconds(100)
                var lost = false
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: channel) { notifications in
                                pause = .milliseconds(100)
                                if lost { continuation.yield(.run) }
                                for try await notification in notifications {
                                    continuation.yield(SchedulerSignal(rawValue: notification.payload) ?? .run)
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
}
