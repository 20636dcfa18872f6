internal import GRDB
internal import GRDBSQLite

extension Statement {
    /// Runs this one-parameter query with `key` and returns the first column of its first row as an integer (`nil`
    /// when there is no row or the value is NULL), straight through SQLite's C interface.
    ///
    /// The lease confirm runs on every step of a run; through GRDB's `fetchOne` (a cursor, boxed arguments, generic
    /// conversions) it cost five times what SQLite's own work did. The statement is reset and its binding cleared
    /// before returning, so GRDB finds it as it left it. Only for a read outside any transaction this statement
    /// is part of.
    ///
    /// - Throws: `DatabaseError` with SQLite's code and message when the statement fails.
    func firstInteger(forKey key: String) throws -> Int64? {
        let handle = sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let bound = key.utf8CString.withUnsafeBufferPointer { text in
            sqlite3_bind_text(handle, 1, text.baseAddress, Int32(text.count - 1), Self.transient)
        }
        guard bound == SQLITE_OK else { throw failure(bound) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE:
            return nil
        case let code:
            throw failure(code)
        }
    }

    /// SQLite copies the bound text (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}
