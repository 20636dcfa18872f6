import KilnOperations
import ServiceLifecycle

/// `kiln serve --gc-keep`: a retention pass every `interval` until the daemon stops; each pass's summary (or error)
/// goes to stderr.
struct RetentionService: Service {
    let collector: GarbageCollector
    let keep: Duration
    let interval: Duration

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await collector.runPeriodically(keep: keep, every: interval) { result in
                switch result {
                case .success(let report): Terminal.err("kiln serve: gc: " + GCCommand.summary(report))
                case .failure(let error): Terminal.err("kiln serve: gc failed (next pass in a day): \(error)")
                }
            }
        }
    }
}
