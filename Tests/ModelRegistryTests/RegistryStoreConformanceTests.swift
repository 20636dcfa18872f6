import ModelRegistry
import PipelineStoreSQLite
import PipelineTesting
import Testing

/// Every registry store passes the same `RegistryStore` contract, each check on a new, empty store.
@Suite("RegistryStore conformance")
struct RegistryStoreConformanceTests {
    @Test("InMemoryRegistryStore", arguments: RegistryStoreConformance.checks)
    func inMemoryStore(_ check: RegistryStoreConformance.Check) async throws {
        try await check.run(InMemoryRegistryStore())
    }

    @Test("SQLiteRegistryStore in memory", arguments: RegistryStoreConformance.checks)
    func sqliteInMemory(_ check: RegistryStoreConformance.Check) async throws {
        try await check.run(SQLiteRegistryStore.inMemory())
    }

    @Test("SQLiteRegistryStore in a file", arguments: RegistryStoreConformance.checks)
    func sqliteFile(_ check: RegistryStoreConformance.Check) async throws {
        try await withTemporaryDirectory { folder in
            try await check.run(SQLiteRegistryStore(path: folder + "/kiln.db"))
        }
    }

    @Test("SQLiteRegistryStore sharing a state store's connection", arguments: RegistryStoreConformance.checks)
    func sqliteShared(_ check: RegistryStoreConformance.Check) async throws {
        try await check.run(SQLiteRegistryStore(sharingDatabaseOf: SQLiteStateStore.inMemory()))
    }

    @Test("InMemoryRegistryStore metrics", arguments: MetricStoreConformance.checks)
    func inMemoryMetrics(_ check: MetricStoreConformance.Check) async throws {
        try await check.run(InMemoryRegistryStore())
    }

    @Test("SQLiteRegistryStore metrics", arguments: MetricStoreConformance.checks)
    func sqliteMetrics(_ check: MetricStoreConformance.Check) async throws {
        try await check.run(SQLiteRegistryStore.inMemory())
    }
}
