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

    /// How long a connection waits for another process's write lock before SQLite reports it busy: 10 seconds.
    static let busyTimeoutMilliseconds = 10_000
    static let restoreBusyTimeoutSQL = "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)"

    /// The connection settings shared by every store.
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "kiln.state"
        configuration.foreignKeysEnabled = true
        // Wait for another process's write instead of failing with SQLITE_BUSY. GRDB 7 already begins
        // every write as IMMEDIATE, so the wait happens at BEGIN, where it can always be retried.
        configuration.busyMode = .timeout(Double(busyTimeoutMilliseconds) / 1000)
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

    /// Runs `attempt` — a write that fails at once with `SQLITE_BUSY` while another process holds the write lock
    /// (see `DatabaseWriter.writeRetryingWhileBusy`) — again after a pause (1 ms doubling to 100 ms) until it gets
    /// the lock, for up to ``busyWaitLimit``.
    ///
    /// A transaction that failed with `SQLITE_BUSY` was rolled back whole, so running it again is safe. The pauses
    /// suspend the task instead of blocking a thread, so while another process writes, the cooperative pool (the
    /// daemon's timers, other runs) keeps going; and they do not end early when the task is cancelled: a write that
    /// was started finishes (the engine stores a cancelled run's state from the cancelled task).
    static func retryingWhileBusy<Value>(_ attempt: () throws -> Value) async throws -> Value {
        let clock = ContinuousClock()  // waiting for another process's lock is real time, not the engine's
        let deadline = clock.now.advanced(by: busyWaitLimit)
        var pause = Duration.milliseconds(1)
        while true {
            do {
                return try attempt()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && clock.now < deadline {
                await sleepIgnoringCancellation(pause)
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }

    /// How long a write waits for another process's lock before it fails with "database is locked": 70 seconds.
    static let busyWaitLimit = Duration.seconds(70)

    /// Suspends for `duration` without blocking a thread, even in a cancelled task.
    private static func sleepIgnoringCancellation(_ duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { continuation.resume() }
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
    /// A write transaction that waits for another process's lock without tying up a thread
    /// (``StoreDatabase/retryingWhileBusy(_:)``).
    ///
    /// Each try runs on the calling thread and asks for the lock without waiting (busy timeout 0): when the lock is
    /// free — nearly always — the write happens at once, with no thread hop; when another process holds it, the task
    /// pauses and tries again.
    ///
    /// `BEGIN IMMEDIATE` and `COMMIT` run as cached statements (GRDB's `inTransaction` parses them on every call,
    /// a measurable part of a small commit); any error rolls the transaction back.
    func writeRetryingWhileBusy<Value>(_ updates: (Database) throws -> Value) async throws -> Value {
        try await StoreDatabase.retryingWhileBusy {
            try writeWithoutWaiting { db in
                try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
                do {
                    let result = try updates(db)
                    try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                    return result
                } catch {
                    if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK TRANSACTION") }
                    throw error
                }
            }
        }
    }

    /// Like ``writeRetryingWhileBusy(_:)`` without the implicit transaction: `updates` opens its own.
    func writeWithoutTransactionRetryingWhileBusy<Value>(_ updates: (Database) throws -> Value) async throws -> Value {
        try await StoreDatabase.retryingWhileBusy { try writeWithoutWaiting(updates) }
    }

    /// Runs `updates` on the writer connection with a busy timeout of 0, so a held lock fails at once with
    /// `SQLITE_BUSY` instead of blocking this thread.
    private func writeWithoutWaiting<Value>(_ updates: (Database) throws -> Value) throws -> Value {
        try writeWithoutTransaction { db in
            try db.cachedStatement(sql: "PRAGMA busy_timeout = 0").execute()
            defer { try? db.cachedStatement(sql: StoreDatabase.restoreBusyTimeoutSQL).execute() }
            return try updates(db)
        }
    }
}
