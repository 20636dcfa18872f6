internal import GRDB
internal import GRDBSQLite

/// A value bound to a statement parameter by `Statement.run(_:)` (below): what the store's hot rows hold.
enum SQLValue {
    case null
    case integer(Int64)
    case text(String)

    /// Text, or NULL for `nil`.
    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    /// An integer, or NULL for `nil`.
    init(_ integer: Int64?) { self = integer.map(SQLValue.integer) ?? .null }
}

// The statements on the path of every step of a run go through SQLite's C interface. Through GRDB (boxed
// `StatementArguments`, a cursor for a one-row read, per-execution bookkeeping for observers this store never
// registers) they cost several times SQLite's own work. Each call leaves the statement reset with no bindings, so
// GRDB finds a cached statement as it left it. Only for statements that do not begin or end a transaction.
extension Statement {
    /// Runs this statement once with `values` bound to `?1`…`?n`.
    ///
    /// - Throws: `DatabaseError` with SQLite's extended code and message when the statement fails.
    func run(_ values: [SQLValue]) throws {
        let handle = sqliteStatement
        defer { finish(handle) }
        try bind(values, to: handle)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code) }
    }

    /// Runs this one-parameter query with `key` and returns the first column of its first row as an integer (`nil`
    /// when there is no row or the value is NULL).
    ///
    /// - Throws: `DatabaseError` with SQLite's extended code and message when the statement fails.
    func firstInteger(forKey key: String) throws -> Int64? {
        let handle = sqliteStatement
        defer { finish(handle) }
        try bind([.text(key)], to: handle)
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE:
            return nil
        case let code:
            throw failure(code)
        }
    }

    private func bind(_ values: [SQLValue], to handle: OpaquePointer) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let integer):
                code = sqlite3_bind_int64(handle, index, integer)
            case .text(var text):
                code = text.withUTF8 { bytes in
                    // An empty buffer may have no address, which SQLite would take for NULL.
                    bytes.isEmpty
                        ? sqlite3_bind_text(handle, index, "", 0, Self.transient)
                        : sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private func finish(_ handle: OpaquePointer) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// SQLite copies the bound text (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The error for `code`, with the connection's extended code and message when they are about it.
    private func failure(_ code: Int32) -> DatabaseError {
        let connection = sqlite3_db_handle(sqliteStatement)
        let extended = sqlite3_extended_errcode(connection)
        guard extended & 0xFF == code & 0xFF else {
            return DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errstr(code)), sql: sql)
        }
        return DatabaseError(
            resultCode: ResultCode(rawValue: extended), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}
