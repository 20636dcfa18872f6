import PipelineEngine
import PipelineModel
@testable import PipelineStorePostgres
import Testing

/// The task queue's pushed events: a process listening hears attempts queued and results stored by another process.
@Suite("PostgreSQL task queue events", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct QueueEventsTests {
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_000_000_000)

    static func attempt(_ task: String) -> QueuedAttempt {
        QueuedAttempt(
            runID: RunID(rawValue: "r1"), epoch: 1, taskID: task, attempt: 1, labels: [],
            work: AttemptWork(
                action: .uses("noop"), inputs: [:], environment: [:], workingDirectory: "/w", decision: nil,
                withheldEnvironment: []),
            queuedAt: start)
    }

    /// Whether `events` yields within 20 s while `act` runs every 50 ms (a listener starts listening a moment after
    /// its stream is made, so the first acts may go unheard).
    static func heard(
        _ events: AsyncStream<Void>, while act: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in events { return true }
                return false
            }
            group.addTask {
                for round in 0..<400 {
                    try await act(round)
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("a listener hears attempts queued by another process, and their results stored")
    func eventsReachOtherProcesses() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            let other = try await PostgresStoreDatabase.open(database.configuration)
            do {
                let listener = PostgresStateStore(database: database), writer = PostgresStateStore(database: other)
                let owner = RunOwner(label: "worker", host: "h", pid: 1, started: 1)
                let queued = try await Self.heard(listener.events(.queued)) { round in
                    try await writer.enqueue([Self.attempt("q\(round)")])
                }
                #expect(queued, "no queued event within 20 s")
                let finished = try await Self.heard(listener.events(.finished)) { round in
                    try await writer.enqueue([Self.attempt("f\(round)")])
                    let claimed = try await writer.claim(
                        worker: owner, labels: [], limit: 1, at: Self.start, expiresAt: Self.start.adding(.seconds(60)))
                    let results = claimed.map {
                        ($0.claim, AttemptResult.succeeded(outputs: [:], cacheKey: nil, cacheNote: nil, lineage: nil))
                    }
                    let stored = try await writer.finish(results, at: Self.start)
                    #expect(stored.count == results.count)
                }
                #expect(finished, "no finished event within 20 s")
            } catch {
                await other.close()
                throw error
            }
            await other.close()
        }
    }

    @Test("a notice interval lets one notice through per interval")
    func noticesAreRateLimited() {
        let hourly = NoticeInterval(.seconds(3600))
        #expect(hourly.take())
        #expect(!hourly.take())
        let always = NoticeInterval(.zero)
        #expect(always.take())
        #expect(always.take())
    }
}
