import Foundation
@testable import PipelineStorePostgres
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use: `KILN_TEST_POSTGRES_URL` (start one with `scripts/postgres start`).
///
/// Without the variable the tests are skipped, with the reason printed, unless `KILN_POSTGRES_TESTS=required`
/// (as in CI): then a missing or unreachable server fails them.
enum PostgresTestServer {
    static let environment = ProcessInfo.processInfo.environment

    /// The server's URL, when set.
    static var url: String? { environment["KILN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether a missing server is a failure rather than a reason to skip.
    static var required: Bool { environment["KILN_POSTGRES_TESTS"] == "required" }

    /// Whether the tests that need a server run.
    static var enabled: Bool { url != nil || required }

    /// Why they are skipped.
    static let skipReason: Comment =
        "KILN_TEST_POSTGRES_URL is not set: run `export KILN_TEST_POSTGRES_URL=$(scripts/postgres start)` to test the PostgreSQL store"

    /// The server's configuration, with `schema` as the search path.
    static func configuration(schema: String? = nil) throws -> PostgresStoreConfiguration {
        guard let url else {
            throw PostgresTestFailure(
                "KILN_POSTGRES_TESTS=required but KILN_TEST_POSTGRES_URL is not set: start a server with `scripts/postgres start`")
        }
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.schema = schema
        configuration.maximumConnections = 4
        return configuration
    }

    /// A schema name no other test uses.
    static func newSchemaName() -> String {
        "kiln_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Runs `body` with a database opened on a new, empty schema, and drops the schema afterwards.
    static func withFreshDatabase<T: Sendable>(_ body: (PostgresStoreDatabase) async throws -> T) async throws -> T {
        let schema = newSchemaName()
        let database = try await PostgresStoreDatabase.open(try configuration(schema: schema))
        do {
            let result = try await body(database)
            try await drop(schema, database)
            await database.close()
            return result
        } catch {
            try? await drop(schema, database)
            await database.close()
            throw error
        }
    }

    /// Drops `schema` and everything in it.
    static func drop(_ schema: String, _ database: PostgresStoreDatabase) async throws {
        precondition(PostgresStoreConfiguration.isPlainIdentifier(schema))
        _ = try await database.rows("drop a test schema", PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(schema)\" CASCADE"))
    }
}

/// A test's precondition that does not hold.
struct PostgresTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
