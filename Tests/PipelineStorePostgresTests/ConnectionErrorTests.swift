@testable import PipelineStorePostgres
import PostgresNIO
import Testing

/// Bad store URLs and unreachable servers fail with one line saying what to check.
@Suite("PostgreSQL connection errors")
struct ConnectionErrorTests {
    @Test(
        "a bad URL says what is wrong, without the password",
        arguments: [
            ("mysql://kiln@db/kiln", "the scheme is 'mysql', not postgres"),
            ("postgres://db:5432/kiln", "no user"),
            ("postgres://kiln@db", "no database name"),
            ("postgres://kiln:s3cret@db/kiln?sslmode=maybe", "sslmode 'maybe' is not one of disable, prefer, require"),
            ("postgres://kiln:s3cret@db/kiln?search_path=a;drop", "search_path 'a;drop' is not one schema name"),
            ("postgres://kiln@db/kiln?pool=3", "unknown parameter 'pool'"),
            ("postgres://kiln@db:70000/kiln", "port 70000 is not between 1 and 65535"),
            ("not a url at all", "not a URL"),
        ])
    func badURL(_ url: String, _ expected: String) throws {
        let error = #expect(throws: PostgresStoreError.self) { try PostgresStoreConfiguration(url: url) }
        let message = error?.description ?? ""
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("s3cret"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("a good URL is read whole")
    func goodURL() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgresql://k%40iln:p%2Fw@db.example:6543/kiln_db?sslmode=disable&search_path=team_a&connect_timeout=3")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "k@iln")
        #expect(configuration.password == "p/w")
        #expect(configuration.database == "kiln_db")
        #expect(configuration.tls == .disable)
        #expect(configuration.schema == "team_a")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.redactedURL == "postgres://k@iln:***@db.example:6543/kiln_db?sslmode=disable&search_path=team_a")
        let defaults = try PostgresStoreConfiguration(url: "postgres://kiln@127.0.0.1/kiln")
        #expect(defaults.port == 5432 && defaults.tls == .prefer && defaults.schema == nil && defaults.password == nil)
    }

    @Test("an unreachable server is one line naming host:port and what to check")
    func unreachableServer() async throws {
        // Port 1 on the loopback address: nothing listens there, so the connection is refused at once.
        let configuration = try PostgresStoreConfiguration(url: "postgres://kiln@127.0.0.1:1/kiln?sslmode=disable")
        let error = await #expect(throws: PostgresStoreError.self) { try await PostgresStoreDatabase.open(configuration) }
        guard case .unreachable(let host, let port, let reason) = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1" && port == 1)
        #expect(reason == "connection refused")
        let message = error?.description ?? ""
        #expect(message.contains("127.0.0.1:1") && message.contains("check that it is running"), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
    }

    @Test(
        "a server that refuses the database names it",
        .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
    func unknownDatabase() async throws {
        var configuration = try PostgresTestServer.configuration()
        configuration.database = "kiln_no_such_database"
        let error = await #expect(throws: PostgresStoreError.self) { try await PostgresStoreDatabase.open(configuration) }
        guard case .refused(_, _, let database, let message) = error else {
            Issue.record("expected refused, got \(String(describing: error))")
            return
        }
        #expect(database == "kiln_no_such_database")
        #expect(message.contains("does not exist"), "\(message)")
    }

    @Test(
        "with KILN_POSTGRES_TESTS=required, the server is set and reachable",
        .enabled(if: PostgresTestServer.required, "KILN_POSTGRES_TESTS is not 'required'"))
    func requiredServerIsThere() async throws {
        let database = try await PostgresStoreDatabase.open(try PostgresTestServer.configuration())
        await database.close()
    }
}

/// What the store counts as a lost connection (and so may retry) rather than a failed statement.
@Suite("PostgreSQL outages")
struct OutageRetryTests {
    @Test(
        "a statement with no reply within the reply timeout fails as a lost connection; its connection is closed and the pool goes on",
        .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
    func noReplyIsConnectionLost() async throws {
        var configuration = try PostgresTestServer.configuration()
        configuration.replyTimeout = .seconds(2)  // far above a reply's time, even on a busy machine
        configuration.outageTolerance = .milliseconds(200)  // one attempt: a read would otherwise be tried again
        configuration.maximumConnections = 1
        let database = try await PostgresStoreDatabase.open(configuration)
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await database.rows("sleep", "SELECT pg_sleep(30)")
        }
        #expect(ContinuousClock.now - started < .seconds(15), "the call waited for the reply")
        if case .connectionLost(let operation, let reason) = error {
            #expect(operation == "sleep")
            #expect(reason.contains("no reply from the server"), "\(reason)")
        } else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
        }
        // The one connection was closed and handed back: the pool opens another for the next calls.
        var answered = false
        for _ in 0..<5 where !answered {
            answered = (try? await database.rows("one", "SELECT 1").count) == 1
        }
        #expect(answered, "the pool gave no connection after the one without a reply was closed")
        await database.close()
    }

    @Test(
        "a transaction given up past the reply timeout is not applied, even after its statements end",
        .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
    func givenUpTransactionIsNotApplied() async throws {
        let schema = PostgresTestServer.newSchemaName()
        // The schema is set up, read and dropped with the usual timeouts; only the slow write has a short one.
        let admin = try await PostgresStoreDatabase.open(try PostgresTestServer.configuration(schema: schema))
        _ = try await admin.rows("create a table", "CREATE TABLE marks (n INT)")
        var configuration = try PostgresTestServer.configuration(schema: schema)
        configuration.replyTimeout = .seconds(1)
        configuration.outageTolerance = .milliseconds(100)  // one attempt
        let database = try await PostgresStoreDatabase.open(configuration)
        let error = await #expect(throws: PostgresStoreError.self) {
            try await database.transaction("a slow write") { connection in
                try await connection.run("INSERT INTO marks VALUES (1)", logger: database.logger)
                try await connection.run("SELECT pg_sleep(2)", logger: database.logger)
            }
        }
        if case .connectionLost(_, let reason) = error {
            #expect(reason.contains("no reply from the server"), "\(reason)")
        } else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
        }
        try await Task.sleep(for: .seconds(2))  // the statements would have ended by now
        let count = try await admin.rows("count", "SELECT count(*) FROM marks").first?.decode(Int.self)
        #expect(count == 0)
        await database.close()
        try await PostgresTestServer.drop(schema, admin)
        await admin.close()
    }

    @Test("a session ended by the server is a lost connection, not a failed statement")
    func endedSessionIsConnectionLost() {
        #expect(PostgresStoreDatabase.isConnectionState("57P01"))
        #expect(PostgresStoreDatabase.isConnectionState("08006"))
        #expect(!PostgresStoreDatabase.isConnectionState("23505"))
        #expect(!PostgresStoreDatabase.isConnectionState(nil))
    }
}
