@testable import PipelineStorePostgres
import PostgresNIO
import Testing

/// Schema migrations: safe when several processes open a new database at once, and refused when the database is newer.
@Suite("PostgreSQL migrations", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct MigrationTests {
    /// The versions recorded in `kiln_schema_migrations`, in order.
    static func appliedVersions(_ database: PostgresStoreDatabase) async throws -> [Int] {
        try await database.rows("read migrations", "SELECT version FROM kiln_schema_migrations ORDER BY version")
            .map { try $0.decode(Int.self) }
    }

    @Test("several opens of an empty schema at once all succeed, and each migration is applied once")
    func concurrentOpens() async throws {
        let schema = PostgresTestServer.newSchemaName()
        let configuration = try PostgresTestServer.configuration(schema: schema)
        let databases = try await withThrowingTaskGroup(of: PostgresStoreDatabase.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStoreDatabase.open(configuration) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(databases.count == 4)
        let versions = try await Self.appliedVersions(databases[0])
        #expect(versions == PostgresSchema.migrations.map(\.version))
        // Every connection works on the migrated tables.
        for database in databases {
            #expect(try await PostgresStateStore(database: database).runs(pipeline: nil, limit: 5).isEmpty)
        }
        try await PostgresTestServer.drop(schema, databases[0])
        for database in databases { await database.close() }
    }

    @Test("opening an up-to-date schema again applies nothing")
    func reopenAppliesNothing() async throws {
        let schema = PostgresTestServer.newSchemaName()
        let configuration = try PostgresTestServer.configuration(schema: schema)
        let first = try await PostgresStoreDatabase.open(configuration)
        let second = try await PostgresStoreDatabase.open(configuration)
        #expect(try await Self.appliedVersions(second) == PostgresSchema.migrations.map(\.version))
        try await PostgresTestServer.drop(schema, first)
        await first.close()
        await second.close()
    }

    @Test("a schema migrated by a newer kiln is refused with the versions found and known")
    func newerSchemaIsRefused() async throws {
        let schema = PostgresTestServer.newSchemaName()
        let configuration = try PostgresTestServer.configuration(schema: schema)
        let database = try await PostgresStoreDatabase.open(configuration)
        let future = PostgresSchema.latestVersion + 1
        _ = try await database.rows(
            "plant a newer migration", "INSERT INTO kiln_schema_migrations (version, name) VALUES (\(future), 'from-the-future')")
        let error = await #expect(throws: PostgresStoreError.self) { try await PostgresStoreDatabase.open(configuration) }
        #expect(error == .newerSchema(found: future, known: PostgresSchema.latestVersion))
        #expect(error?.description.contains("upgrade this kiln") == true)
        try await PostgresTestServer.drop(schema, database)
        await database.close()
    }
}

/// The list of migrations itself (no server needed).
@Suite("PostgreSQL migration list")
struct MigrationListTests {
    @Test("migration numbers are consecutive from 1, and every step has statements")
    func migrationNumbers() {
        #expect(PostgresSchema.migrations.map(\.version) == Array(1...PostgresSchema.migrations.count))
        #expect(PostgresSchema.migrations.allSatisfy { !$0.statements.isEmpty })
    }
}
