import PipelineEngine
import PipelineStoreSQLite
import PipelineTesting
import Testing

/// Every task queue passes the same `TaskQueue` contract, each check on a new, empty queue.
@Suite("TaskQueue conformance")
struct TaskQueueConformanceTests {
    @Test("InMemoryTaskQueue", arguments: TaskQueueConformance.checks)
    func inMemory(_ check: TaskQueueConformance.Check) async throws {
        try await check.run(InMemoryTaskQueue(fencedBy: InMemoryStateStore()))
    }

    @Test("SQLiteStateStore in a file", arguments: TaskQueueConformance.checks)
    func sqliteFile(_ check: TaskQueueConformance.Check) async throws {
        try await withTemporaryDirectory { folder in
            try await check.run(SQLiteStateStore(path: folder + "/kiln.db"))
        }
    }
}
