internal import GRDB

/// Runs a counting query on any SQLite file, read-only: what a `data: {query: …}` trigger rule asks.
public enum SQLiteCount {
    /// The first column of the first row of `query` on the database at `file`, as a whole number.
    ///
    /// - Parameters:
    ///   - file: The SQLite file; it is opened read-only and never created.
    ///   - query: A query such as `SELECT count(*) FROM events`.
    /// - Returns: The number (0 when the query returns no row or `NULL`).
    /// - Throws: When the file cannot be opened or the query fails.
    public static func count(file: String, query: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: file, configuration: configuration)
        return try queue.read { db in try Int.fetchOne(db, sql: query) ?? 0 }
    }
}
