import PipelineEngine
import PipelineModel
@testable import PipelineStorePostgres
import PostgresNIO
import Testing

/// How the server runs a claim: the cost of one must not grow with the length of the queue.
@Suite("PostgreSQL task queue plans", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct QueuePlanTests {
    /// The plan of a claim of `limit` attempts on `connection`, line by line (`mode`: the server's
    /// `plan_cache_mode`, to see the plan made for the values and the one reused for any values).
    static func claimPlan(on connection: PostgresConnection, mode: String, limit: Int) async throws -> [String] {
        let logger = Logger(label: "test")
        try await connection.run(PostgresQuery(unsafeSQL: "SET LOCAL plan_cache_mode = \(mode)"), logger: logger)
        let prepare = "PREPARE kiln_test_claim (text, text, bigint, text[], bigint) AS \(ClaimStatement.sql)"
        try await connection.run(PostgresQuery(unsafeSQL: prepare), logger: logger)
        let rows = try await connection.rows(
            PostgresQuery(unsafeSQL: "EXPLAIN EXECUTE kiln_test_claim('w', 'h', 0, '{}', \(limit))"), logger: logger)
        try await connection.run("DEALLOCATE kiln_test_claim", logger: logger)
        return try rows.map { try $0.decode(String.self) }
    }

    @Test("a claim takes the first queued rows through the queue's index, whatever the statistics say")
    func claimReadsTheIndexInOrder() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            let store = PostgresStateStore(database: database)
            // Statistics of an empty queue: the planner then expects a single queued row.
            _ = try await database.rows("analyze the empty queue", "ANALYZE task_queue")
            try await store.enqueue((0..<1_000).map { QueueEventsTests.attempt("t\($0)") })
            let start = QueueEventsTests.start
            let owner = RunOwner(label: "w", host: "h", pid: 1, started: 1)
            let first = try await store.claim(
                worker: owner, labels: [], limit: 100, at: start, expiresAt: start.adding(.seconds(60)))
            #expect(first.map(\.attempt.taskID) == (0..<100).map { "t\($0)" })
            for mode in ["force_custom_plan", "force_generic_plan"] {
                let plan = try await database.transaction("explain a claim") { connection in
                    try await Self.claimPlan(on: connection, mode: mode, limit: 4)
                }
                let text = plan.joined(separator: "\n")
                #expect(text.contains("Index Scan using task_queue_queued"), "\(mode):\n\(text)")
                #expect(!text.contains("Bitmap"), "\(mode):\n\(text)")
                #expect(!text.contains("Sort"), "\(mode):\n\(text)")
            }
            let next = try await store.claim(
                worker: owner, labels: [], limit: 2, at: start, expiresAt: start.adding(.seconds(60)))
            #expect(next.map(\.attempt.taskID) == ["t100", "t101"])
        }
    }
}
