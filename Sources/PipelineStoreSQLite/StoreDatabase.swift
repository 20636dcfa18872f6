internal import Foundation
internal import GRDB

/// Opens the one database file that ``SQLiteStateStore`` and ``SQLiteRegistryStore`` share, and migrates it.
///
/// Both stores open through here, so whichever opens a file first brings the whole schema (every migration in
/// ``Schema/migrator``) up to date, and either can open a file the other created.
enum StoreDatabase {
    /// Opens (creating the file and its parent folders when missing) and migrates the database at `path`.
    ///
    /// - Parameters:
    ///   - path: The database file, or `":memory:"` for a private in-memory database.
    /// - Returns: The connection: a WAL pool for a file, a serial queue in memory.
    /// - Throws: When the folder cannot be created, the file cannot be opened, or the schema cannot be migrated.
    static func open(path: String) throws -> any DatabaseWriter {
        let writer: any DatabaseWriter
        if path == ":memory:" {
            writer = try DatabaseQueue(configuration: configuration())
        } else {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            writer = try retryingWhileBusy { try DatabasePool(path: path, configuration: configuration()) }
        }
        try migrate(writer)
        return writer
    }

    /// The connection settings shared by every store.
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "kiln.state"
        configuration.foreignKeysEnabled = true
        // Wait for another process's write instead of failing with SQLITE_BUSY. GRDB 7 already begins
        // every write as IMMEDIATE, so the wait happens at BEGIN, where it can always be retried.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit is durable once it is in the WAL file (survives kill -9);
            // only a power loss can drop the last commits. DatabasePool switches the file to WAL.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    /// Opens a connection, retrying for up to 10 seconds while another process holds the lock.
    ///
    /// Switching a new file to WAL needs an exclusive lock and SQLite does not wait for it (no busy
    /// handler applies), so two processes opening a new database at once would otherwise fail.
    private static func retryingWhileBusy<Value>(_ open: () throws -> Value) throws -> Value {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while true {
            do {
                return try open()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }

    /// Runs a write transaction, retrying it with backoff (50 ms doubling to 2 s, up to 8 more times: about
    /// a minute beyond the 10-second busy timeout) while another process keeps the database locked.
    ///
    /// A transaction that failed with `SQLITE_BUSY` was rolled back whole, so running it again is safe. Writes go
    /// through GRDB's async API: the waiting happens on GRDB's own queue, never on a thread of Swift concurrency's
    /// cooperative pool, so the rest of the process (the daemon's timers, other runs) keeps going meanwhile.
    static func retryingWhileBusy<Value: Sendable>(_ write: () async throws -> Value) async throws -> Value {
        var delay = Duration.milliseconds(50)
        var retries = 0
        while true {
            do {
                return try await write()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && retries < 8 {
                retries += 1
                // Waiting for another process's lock is not the engine's time: real time is right here. A cancelled
                // caller still finishes its write (see `writeRetryingWhileBusy`), without the pause.
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    /// Runs the migrations, retrying when another process migrated the same file at the same moment.
    static func migrate(_ writer: any DatabaseWriter) throws {
        let migrator = Schema.migrator
        var attempt = 0
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                // Two processes opening a new file both see a migration missing; the second one's migration fails
                // (its transaction rolls back) and the retry finds it applied. Real errors fail again.
                attempt += 1
                if attempt >= 3 { throw error }
            }
        }
    }
}

extension DatabaseWriter {
    /// A write transaction on GRDB's writer queue, retried while the database stays busy
    /// (``StoreDatabase/retryingWhileBusy(_:)``).
    ///
    /// It runs to the end even when the calling task is cancelled: the engine stores a cancelled run's final state
    /// from the cancelled task, and a write that was started must not be dropped half-way by the caller.
    func writeRetryingWhileBusy<Value: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> Value
    ) async throws -> Value {
        try await StoreDatabase.retryingWhileBusy {
            try await withCheckedThrowingContinuation { continuation in
                asyncWrite(updates) { _, result in continuation.resume(with: result) }
            }
        }
    }

    /// Like ``writeRetryingWhileBusy(_:)`` without the implicit transaction (the caller opens its own).
    func writeWithoutTransactionRetryingWhileBusy<Value: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> Value
    ) async throws -> Value {
        try await StoreDatabase.retryingWhileBusy {
            try await withCheckedThrowingContinuation { continuation in
                asyncWriteWithoutTransaction { db in continuation.resume(with: Result { try updates(db) }) }
            }
        }
    }
}
