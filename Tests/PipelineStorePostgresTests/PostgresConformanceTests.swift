import ModelRegistry
import PipelineEngine
import PipelineScheduler
import PipelineStorePostgres
import PipelineTesting
import Testing

/// The PostgreSQL stores pass the same contracts as the SQLite and in-memory ones, each check on a new schema.
@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct PostgresConformanceTests {
    @Test("PostgresStateStore", arguments: StateStoreConformance.checks + [StateStoreConformance.revisionsAreKept])
    func stateStore(_ check: StateStoreConformance.Check) async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await check.run(PostgresStateStore(database: database))
        }
    }

    @Test("PostgresStateStore trigger state", arguments: TriggerStateStoreConformance.checks)
    func triggerState(_ check: TriggerStateStoreConformance.Check) async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await check.run(PostgresStateStore(database: database))
        }
    }

    @Test("PostgresRegistryStore", arguments: RegistryStoreConformance.checks)
    func registryStore(_ check: RegistryStoreConformance.Check) async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await check.run(PostgresRegistryStore(database: database))
        }
    }

    @Test("PostgresRegistryStore metrics", arguments: MetricStoreConformance.checks)
    func metrics(_ check: MetricStoreConformance.Check) async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await check.run(PostgresRegistryStore(database: database))
        }
    }
}

/// The PostgreSQL task queue passes the queue contract.
@Suite("PostgreSQL task queue conformance", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct PostgresTaskQueueConformanceTests {
    @Test("PostgresStateStore task queue", arguments: TaskQueueConformance.checks)
    func taskQueue(_ check: TaskQueueConformance.Check) async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await check.run(PostgresStateStore(database: database))
        }
    }
}
