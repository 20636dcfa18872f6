internal import Foundation
public import Logging
internal import PostgresNIO
import Synchronization

/// One PostgreSQL database holding kiln's state and registry: a connection pool, opened and migrated by ``open(_:logger:)``.
///
/// ```swift
/// let database = try await PostgresStoreDatabase.open(PostgresStoreConfiguration(url: url))
/// let store = PostgresStateStore(database: database)
/// let registry = PostgresRegistryStore(database: database)
/// …
/// await database.close()
/// ```
///
/// Opening checks that the server can be reached and accepts the session (failing with one clear
/// ``PostgresStoreError``), then brings the schema up to date (``PostgresSchema``) before any store uses it.
/// The pool runs until ``close()``; every store operation borrows one connection for one transaction.
public final class PostgresStoreDatabase: Sendable {
    /// What the database was opened with.
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    /// Runs the pool's background work (`PostgresClient.run()`) until ``close()`` cancels it.
    let runner: Task<Void, Never>
    /// The calls waiting for the server, and the watchdog that fails those past the reply timeout.
    let calls: PendingCalls
    let watchdog: Task<Void, Never>

    private init(configuration: PostgresStoreConfiguration, client: PostgresClient, logger: Logger, runner: Task<Void, Never>) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.runner = runner
        let calls = PendingCalls()
        self.calls = calls
        let timeout = configuration.replyTimeout
        // Checks a few times per timeout (at least every second, at most every 10 ms): a call ends at most a quarter
        // late.
        let period = max(min(timeout / 4, .seconds(1)), .milliseconds(10))
        watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                await calls.expire(olderThan: timeout)
            }
        }
    }

    /// Connects to the database of `configuration`, migrates its schema, and starts the connection pool.
    ///
    /// Several processes may open one database at once: migrations take a transaction-scoped advisory lock, so
    /// exactly one applies each and the others find it applied.
    ///
    /// - Parameters:
    ///   - configuration: Where the database is.
    ///   - logger: Where the pool logs its background work (connection failures, …); silent by default.
    /// - Returns: The open database.
    /// - Throws: ``PostgresStoreError/unreachable(host:port:reason:)``, ``PostgresStoreError/refused(host:port:database:message:)``,
    ///   ``PostgresStoreError/newerSchema(found:known:)``, or ``PostgresStoreError/statementFailed(operation:sqlState:message:)``
    ///   when a migration fails.
    public static func open(
        _ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "kiln.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> PostgresStoreDatabase {
        let connection = try await connect(configuration, logger: logger)
        do {
            try await PostgresSchema.migrate(connection, schema: configuration.schema, logger: logger)
        } catch {
            try? await connection.close()
            throw mapped(error, operation: "migrate the kiln schema")
        }
        try? await connection.close()
        let client = PostgresClient(configuration: try clientConfiguration(configuration), backgroundLogger: logger)
        // The pool works only while its run() runs: until close() cancels it (or the process ends).
        let runner = Task { await client.run() }
        return PostgresStoreDatabase(configuration: configuration, client: client, logger: logger, runner: runner)
    }

    /// Stops the pool and closes its connections. Operations after it fail.
    public func close() async {
        watchdog.cancel()
        runner.cancel()
        await runner.value
    }

    // MARK: Connections

    /// Opens one connection, turning connection failures into ``PostgresStoreError``.
    static func connect(_ configuration: PostgresStoreConfiguration, logger: Logger) async throws -> PostgresConnection {
        var connectionConfiguration = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: try connectionTLS(configuration.tls))
        connectionConfiguration.options.connectTimeout = .nanoseconds(configuration.connectTimeout.wholeNanoseconds)
        connectionConfiguration.options.additionalStartupParameters = startupParameters(configuration)
        do {
            return try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
        } catch let error as PSQLError {
            if error.code == .server, let info = error.serverInfo {
                throw PostgresStoreError.refused(
                    host: configuration.host, port: configuration.port, database: configuration.database,
                    message: info[.message] ?? "SQLSTATE \(info[.sqlState] ?? "?")")
            }
            throw PostgresStoreError.unreachable(
                host: configuration.host, port: configuration.port, reason: connectionFailureReason(error))
        } catch {
            throw PostgresStoreError.unreachable(
                host: configuration.host, port: configuration.port, reason: "\(error)")
        }
    }

    /// A short reason for a failed connection: the operating system's words when there are some.
    static func connectionFailureReason(_ error: PSQLError) -> String {
        guard let underlying = error.underlying else { return "\(error.code)" }
        if let io = underlying as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if case .connectTimeout = underlying as? ChannelError { return "timed out" }
        // NIO's connection errors print as nested values; the operating system's words are inside.
        let text = "\(underlying)"
        let known: [(String, String)] = [
            ("Connection refused", "connection refused"), ("connectTimeout", "timed out"), ("timed out", "timed out"),
            ("No route to host", "no route to host"), ("Network is unreachable", "network is unreachable"),
            ("resolution", "host name not found"), ("Name or service not known", "host name not found"),
            ("dnsAError", "host name not found"), ("SSL", "TLS handshake failed"),
        ]
        if let (_, reason) = known.first(where: { text.contains($0.0) }) { return reason }
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }

    /// The pool's configuration.
    private static func clientConfiguration(_ configuration: PostgresStoreConfiguration) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch configuration.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        client.options.connectTimeout = configuration.connectTimeout
        client.options.maximumConnections = configuration.maximumConnections
        // A connection going back to the pool arms the pool's idle and keep-alive timers, and taking it disarms
        // them: each a task and a system timer, per statement. The first connections stay open (no idle timer), and
        // a connection's silence is caught by the reply timeout instead of pings.
        client.options.minimumConnections = min(2, configuration.maximumConnections)
        client.options.keepAliveBehavior = nil
        client.options.additionalStartupParameters = startupParameters(configuration)
        return client
    }

    private static func connectionTLS(_ mode: PostgresStoreConfiguration.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// Session settings sent when connecting: the schema (the search path), UTC for any server-side time, and no
    /// bitmap scans.
    ///
    /// Kiln's statements read a few rows through an index. The task queue's statistics are those of whenever it was
    /// last analyzed (often empty), so the planner expects one queued row and picks a bitmap scan and a sort for a
    /// claim: every queued row, and every dead version of one, read for each claim, however long the queue. An
    /// ordered index scan stops at the first free row. (A bitmap scan also never marks dead index entries, so the
    /// waste grew until the next vacuum.)
    private static func startupParameters(_ configuration: PostgresStoreConfiguration) -> [(String, String)] {
        var parameters = [("application_name", "kiln"), ("TimeZone", "UTC"), ("enable_bitmapscan", "off")]
        if let schema = configuration.schema { parameters.append(("search_path", schema)) }
        return parameters
    }

    // MARK: Running statements

    /// Runs `body` in one transaction on a pooled connection: committed when it returns, rolled back when it throws.
    ///
    /// The transaction runs in its own task, so cancelling the caller does not abandon a write half-way (the engine
    /// stores a cancelled run's state from the cancelled task). Server and connection failures become
    /// ``PostgresStoreError`` naming `operation`; errors `body` throws itself pass unchanged.
    ///
    /// With `snapshot`, the transaction is `REPEATABLE READ READ ONLY`: every statement sees one committed state.
    func transaction<Value: Sendable>(
        _ operation: String, snapshot: Bool = false, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let logger = logger
        let begin: PostgresQuery = snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"
        return try await retryingOutages(operation) { [self, logger] in
            // Whether COMMIT was sent, or the call given up (past the reply timeout) first: then it is never sent,
            // so a transaction given up before its COMMIT cannot also apply after the call was retried.
            let commit = Mutex(CommitState.notYet)
            do {
                return try await onConnection { connection in
                    try await connection.query(begin, logger: logger)
                    let value: Value
                    do {
                        value = try await body(connection)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                    let send = commit.withLock { state in
                        guard state == .notYet else { return false }
                        state = .sent
                        return true
                    }
                    guard send else {
                        // The call was given up: no one waits for it, and its writes must not reach another user of
                        // this connection (which the watchdog is closing).
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw NoReply(timeout: .zero)
                    }
                    do {
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        // Sent: whether it was applied is unknown, so it is never retried.
                        throw CommitOutcomeUnknown(underlying: error)
                    }
                    return value
                }
            } catch let error as NoReply {
                let sent = commit.withLock { state in
                    guard state == .notYet else { return true }
                    state = .givenUp
                    return false
                }
                if sent { throw CommitOutcomeUnknown(underlying: error) }
                throw error
            }
        }
    }

    /// Where a transaction stands with its `COMMIT` (see ``transaction(_:snapshot:_:)``).
    private enum CommitState {
        case notYet, sent, givenUp
    }

    /// Runs `body` on a pooled connection, in a task of its own (cancelling the caller does not abandon a write
    /// half-way), waiting at most ``PostgresStoreConfiguration/replyTimeout`` for it (a watchdog checks): past that,
    /// the connection is closed (the pool opens another) and the call throws ``NoReply``, which maps to a lost
    /// connection.
    func onConnection<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let client = client
        let calls = calls
        return try await withCheckedThrowingContinuation { continuation in
            let id = calls.add { continuation.resume(throwing: $0) }
            // Started on this thread (up to its first wait, the pool or the server) instead of queued for another.
            Task.immediate {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await client.withConnection { connection in
                        calls.use(connection, for: id)
                        return try await body(connection)
                    })
                } catch {
                    result = .failure(error)
                }
                // Unless the watchdog already failed the call.
                if calls.remove(id) { continuation.resume(with: result) }
            }
        }
    }

    /// The calls of ``onConnection(_:)`` still waiting: when each started, its connection once leased, and how to fail
    /// it. Whoever takes a call out (its end, or the watchdog) answers it: exactly once.
    final class PendingCalls: Sendable {
        private struct Call {
            let started: ContinuousClock.Instant
            var connection: PostgresConnection?
            let fail: @Sendable (any Error) -> Void
        }

        private let calls = Mutex<(next: UInt64, waiting: [UInt64: Call])>((0, [:]))

        func add(fail: @escaping @Sendable (any Error) -> Void) -> UInt64 {
            calls.withLock { state in
                state.next += 1
                state.waiting[state.next] = Call(started: .now, connection: nil, fail: fail)
                return state.next
            }
        }

        func use(_ connection: PostgresConnection, for id: UInt64) {
            calls.withLock { $0.waiting[id]?.connection = connection }
        }

        /// Takes call `id` out; `false` when the watchdog already has.
        func remove(_ id: UInt64) -> Bool {
            calls.withLock { $0.waiting.removeValue(forKey: id) != nil }
        }

        /// Fails the calls waiting longer than `timeout` and closes their connections.
        func expire(olderThan timeout: Duration) async {
            let now = ContinuousClock.now
            let late = calls.withLock { state -> [Call] in
                let ids = state.waiting.filter { now - $0.value.started >= timeout }.map(\.key)
                return ids.compactMap { state.waiting.removeValue(forKey: $0) }
            }
            for call in late {
                call.fail(NoReply(timeout: timeout))
                // Closing the connection ends what waits on it, and hands its lease back to the pool.
                try? await call.connection?.close()
            }
        }
    }

    /// No reply came from the server within the reply timeout.
    struct NoReply: Error {
        let timeout: Duration
    }

    /// A `COMMIT` whose reply did not arrive: the transaction may or may not have been applied.
    struct CommitOutcomeUnknown: Error {
        let underlying: any Error
    }

    /// Runs `attempt`, trying again while the server cannot be reached and the failure is certain to have changed
    /// nothing (see ``PostgresStoreConfiguration/outageTolerance``); maps the driver's errors.
    ///
    /// - Parameter readOnly: The attempt only reads: any connection failure may be retried.
    func retryingOutages<Value: Sendable>(
        _ operation: String, readOnly: Bool = true, _ attempt: @Sendable () async throws -> Value
    ) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.outageTolerance)
        var pause = Duration.milliseconds(100)
        while true {
            do {
                return try await attempt()
            } catch let error as CommitOutcomeUnknown {
                throw Self.mapped(error.underlying, operation: operation)
            } catch {
                let mapped = Self.mapped(error, operation: operation)
                guard case PostgresStoreError.connectionLost = mapped, readOnly || Self.isPoolError(error),
                    !Task.isCancelled, clock.now.advanced(by: pause) < deadline
                else { throw mapped }
                logger.warning(
                    "PostgreSQL unreachable: retrying", metadata: ["operation": "\(operation)", "error": "\(mapped)"])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// Whether a server error's SQLSTATE means the session ended rather than the statement failed: a connection
    /// exception (class 08) or the server shutting down, crashing or starting (57P01, 57P02, 57P03).
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// Whether `error` is the pool's own: no connection could be leased, so nothing was sent.
    static func isPoolError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasSuffix(".ConnectionPoolError")
    }

    /// Runs one statement (atomic by itself: no `BEGIN`/`COMMIT` round trips) on a pooled connection and returns its
    /// rows; like ``transaction(_:snapshot:_:)``, in a task of its own and with the driver's errors mapped.
    ///
    /// A `SELECT` is retried while the server cannot be reached; another statement only when no connection could be
    /// leased for it (it was never sent).
    func rows(_ operation: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        let readOnly = query.sql.drop { $0 == " " || $0 == "\n" }.prefix(7).uppercased() == "SELECT "
        return try await retryingOutages(operation, readOnly: readOnly) { [self, logger] in
            try await onConnection { connection in try await connection.rows(query, logger: logger) }
        }
    }

    /// Runs one prepared statement (prepared once per pooled connection, so the server parses and plans it once, not on
    /// every call) and returns its decoded rows; retried and mapped as ``rows(_:_:)`` (`readOnly`: it only reads).
    func execute<Statement: PostgresPreparedStatement>(
        _ operation: String, _ statement: Statement, readOnly: Bool = false
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await retryingOutages(operation, readOnly: readOnly) { [self, logger] in
            try await onConnection { connection in
                var rows: [Statement.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                return rows
            }
        }
    }

    /// `error` as a ``PostgresStoreError`` when it is the driver's.
    static func mapped(_ error: any Error, operation: String) -> any Error {
        if let error = error as? NoReply {
            return PostgresStoreError.connectionLost(
                operation: operation, reason: "no reply from the server for \(error.timeout) (the connection was closed)")
        }
        // The pool's own error (module `_ConnectionPoolModule`, not imported here): no connection could be leased.
        if isPoolError(error) {
            let reason =
                "\(error)".contains("CircuitBreaker")
                ? "no new connection could be opened for 60 s" : "no connection could be leased from the pool"
            return PostgresStoreError.connectionLost(operation: operation, reason: reason)
        }
        guard let error = error as? PSQLError else { return error }
        switch error.code {
        case .server where Self.isConnectionState(error.serverInfo?[.sqlState]):
            return PostgresStoreError.connectionLost(
                operation: operation, reason: error.serverInfo?[.message] ?? "the server ended the session")
        case .server:
            return PostgresStoreError.statementFailed(
                operation: operation, sqlState: error.serverInfo?[.sqlState] ?? "?",
                message: error.serverInfo?[.message] ?? "no message")
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            return PostgresStoreError.connectionLost(operation: operation, reason: "\(error.code)")
        default:
            return PostgresStoreError.statementFailed(operation: operation, sqlState: "-", message: "\(error.code)")
        }
    }
}

extension PostgresConnection {
    /// The rows of `query`, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs `query` and returns how many rows it returned (the SQL ends with `RETURNING` for a changed-row count).
    func count(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await rows(query, logger: logger).count
    }

    /// Runs `query`, discarding its rows.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

extension PSQLError {
    /// The server's SQLSTATE, when the server reported the error.
    var sqlState: String? { code == .server ? serverInfo?[.sqlState] : nil }
    /// The constraint a server error names.
    var constraint: String? { serverInfo?[.constraintName] }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating at `Int64.max`).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}

/// A statement prepared once per pooled connection (see ``PostgresStoreDatabase/execute(_:_:readOnly:)``), whose
/// bindings are its ``arguments``, `$1` first.
protocol StoreStatement: PostgresPreparedStatement {
    /// The values bound to `$1`, `$2`, …
    var arguments: [any PostgresEncodable] { get }
}

extension StoreStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { try bindings.append(argument) }
        return bindings
    }
}
