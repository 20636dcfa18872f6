import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import PipelineTesting
import Testing

/// Every store passes the same `StateStore` contract, each check on a new, empty store.
@Suite("StateStore conformance")
struct StateStoreConformanceTests {
    @Test("InMemoryStateStore", arguments: StateStoreConformance.checks + [StateStoreConformance.revisionsAreKept])
    func inMemoryStore(_ check: StateStoreConformance.Check) async throws {
        try await check.run(InMemoryStateStore())
    }

    @Test("SQLiteStateStore in memory", arguments: StateStoreConformance.checks)
    func sqliteInMemory(_ check: StateStoreConformance.Check) async throws {
        try await check.run(SQLiteStateStore.inMemory())
    }

    @Test("SQLiteStateStore in a file", arguments: StateStoreConformance.checks)
    func sqliteFile(_ check: StateStoreConformance.Check) async throws {
        try await withTemporaryDirectory { folder in
            try await check.run(SQLiteStateStore(path: folder + "/kiln.db"))
        }
    }

    @Test("InMemoryStateStore trigger state", arguments: TriggerStateStoreConformance.checks)
    func inMemoryTriggerState(_ check: TriggerStateStoreConformance.Check) async throws {
        try await check.run(InMemoryStateStore())
    }

    @Test("SQLiteStateStore trigger state", arguments: TriggerStateStoreConformance.checks)
    func sqliteTriggerState(_ check: TriggerStateStoreConformance.Check) async throws {
        try await check.run(SQLiteStateStore.inMemory())
    }
}
