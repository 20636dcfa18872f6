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
