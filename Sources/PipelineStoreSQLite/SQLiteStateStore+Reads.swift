internal import GRDB
import PipelineEngine
import PipelineModel

// Reads. On a file store they run on reader connections (WAL snapshots) and never wait for writers.
extension SQLiteStateStore {
    /// The run with `id`.
    func readRun(_ id: RunID) async throws -> RunRecord? {
        let run = try await writer.read { db in
            let select = try db.cachedStatement(sql: "SELECT \(Self.runColumns) FROM runs WHERE id = ?")
            return try Row.fetchOne(select, arguments: [id.rawValue]).map(self.runRecord(from:))
        }
        if let run { snapshots.remember(run.snapshot, for: run.id) }
        return run
    }

    /// The task records of run `id`, in the order they were first stored.
    func readTasks(of id: RunID) async throws -> [TaskRecord] {
        try await writer.read { db in
            let select = try db.cachedStatement(
                sql: "SELECT \(Self.taskColumns) FROM task_runs WHERE run_id = ? ORDER BY rowid")
            return try Array(Row.fetchCursor(select, arguments: [id.rawValue]).map(Self.taskRecord(from:)))
        }
    }

    /// The newest runs, optionally of one pipeline.
    func readRuns(pipeline: String?, limit: Int) async throws -> [RunRecord] {
        guard limit > 0 else { return [] }
        return try await writer.read { db in
            let rows: RowCursor
            if let pipeline {
                let select = try db.cachedStatement(
                    sql: """
                        SELECT \(Self.runColumns) FROM runs WHERE pipeline = ?
                        ORDER BY created_at DESC, id DESC LIMIT ?
                        """)
                rows = try Row.fetchCursor(select, arguments: [pipeline, limit])
            } else {
                let select = try db.cachedStatement(
                    sql: "SELECT \(Self.runColumns) FROM runs ORDER BY created_at DESC, id DESC LIMIT ?")
                rows = try Row.fetchCursor(select, arguments: [limit])
            }
            return try Array(rows.map(self.runRecord(from:)))
        }
    }

    /// Ids starting with `prefix`, in id order, at most ``prefixMatchLimit``.
    func readRunIDs(withPrefix prefix: String) async throws -> [RunID] {
        // A range on the primary key: uses its index, and `%` or `_` in the prefix need no escaping.
        // U+10FFFF encodes as F4 8F BF BF, above every UTF-8 sequence that can follow the prefix.
        try await writer.read { db in
            let select = try db.cachedStatement(sql: "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?")
            return try String.fetchAll(select, arguments: [prefix, prefix + "\u{10FFFF}", Self.prefixMatchLimit])
                .map(RunID.init(rawValue:))
        }
    }

    /// Log lines of a run in write order, optionally filtered.
    func readLogs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        try await writer.read { db in
            var sql = "SELECT \(Self.logColumns) FROM logs WHERE run_id = ?"
            var arguments: StatementArguments = [id.rawValue]
            if let task {
                sql += " AND task_id = ?"
                arguments += [task]
            }
            if let attempt {
                sql += " AND attempt = ?"
                arguments += [attempt]
            }
            sql += " ORDER BY seq"
            let select = try db.cachedStatement(sql: sql)
            return try Array(Row.fetchCursor(select, arguments: arguments).map(Self.logLine(from:)))
        }
    }

    /// The run's log lines after its first `count`: the database skips the rest, nothing is decoded for them.
    func readLogs(of id: RunID, after count: Int) async throws -> [LogLine] {
        try await writer.read { db in
            let select = try db.cachedStatement(
                sql: "SELECT \(Self.logColumns) FROM logs WHERE run_id = ? ORDER BY seq LIMIT -1 OFFSET ?")
            return try Array(
                Row.fetchCursor(select, arguments: [id.rawValue, max(0, count)]).map(Self.logLine(from:)))
        }
    }

    /// Runs `read`, a few indexed lookups that need no transaction around them, on the calling thread with the
    /// writer's connection.
    ///
    /// The lease confirm and the cache lookups are on the path of every step of a run, right after its commits. The
    /// writer's connection already holds the pages its own commits wrote, while a reader connection of the pool
    /// finds the file changed and reads them again, and the pool checks the schema version (a second statement)
    /// before every read. Measured on the 1,000-wide run, this takes 9 µs off every task. The cost: a lookup waits
    /// while this process writes something else, which is a single short transaction. Never call it inside a write
    /// (it is not reentrant).
    func pointRead<T>(_ read: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction(read)
    }

    /// The cache entry under `key`.
    ///
    /// A synchronous read on the calling thread: one indexed lookup, far shorter than the hop to a reader queue that
    /// the asynchronous API makes (cache lookups are on every cached task's path).
    func readCacheEntry(forKey key: String) async throws -> CacheEntry? {
        try readCacheEntryNow(forKey: key)
    }

    /// ``readCacheEntry(forKey:)`` outside an async context, so that the synchronous read is the one called.
    /// One statement, consistent on its own: no transaction around it (see ``pointRead(_:)``).
    private func readCacheEntryNow(forKey key: String) throws -> CacheEntry? {
        try pointRead { db in
            let select = try db.cachedStatement(sql: "SELECT \(Self.cacheColumns) FROM cache_entries WHERE key = ?")
            return try Row.fetchOne(select, arguments: [key]).map(Self.cacheEntry(from:))
        }
    }

    /// ``readCacheEntryNow(forKey:)`` for several keys, in one call. Each lookup is one statement, consistent on its
    /// own, and entries are independent of each other: no transaction around them (see ``pointRead(_:)``).
    func readCacheEntriesNow(forKeys keys: [String]) throws -> [String: CacheEntry] {
        guard !keys.isEmpty else { return [:] }
        return try pointRead { db in
            let select = try db.cachedStatement(sql: "SELECT \(Self.cacheColumns) FROM cache_entries WHERE key = ?")
            var found: [String: CacheEntry] = [:]
            for key in keys where found[key] == nil {
                if let row = try Row.fetchOne(select, arguments: [key]) { found[key] = try Self.cacheEntry(from: row) }
            }
            return found
        }
    }

    /// Every cache entry, newest first.
    func readCacheEntries() async throws -> [CacheEntry] {
        try await writer.read { db in
            let select = try db.cachedStatement(
                sql: "SELECT \(Self.cacheColumns) FROM cache_entries ORDER BY created_at DESC, key DESC")
            return try Array(Row.fetchCursor(select).map(Self.cacheEntry(from:)))
        }
    }
}
