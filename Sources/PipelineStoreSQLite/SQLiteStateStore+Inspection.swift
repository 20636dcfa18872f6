internal import GRDB

// Raw access for the module's own tests (pragmas, stored values, schema contract).
extension SQLiteStateStore {
    /// The rows of a query, every value as SQLite's text form (`nil` for NULL).
    ///
    /// - Parameters:
    ///   - sql: One statement (bound values only through `arguments`).
    ///   - arguments: Text arguments.
    ///   - onWriter: Whether to run on the writer connection instead of a reader (pragmas differ).
    func textRows(_ sql: String, arguments: [String] = [], onWriter: Bool = false) throws -> [[String?]] {
        let fetch = { (db: Database) throws -> [[String?]] in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                (0..<row.count).map { index in
                    let value = row[index] as DatabaseValue
                    return value.isNull ? nil : String.fromDatabaseValue(value) ?? value.description
                }
            }
        }
        return onWriter ? try writer.writeWithoutTransaction(fetch) : try writer.read(fetch)
    }

    /// Runs SQL outside the store's API, to plant rows the store would never write.
    func executeRaw(_ sql: String) throws {
        try writer.write { db in try db.execute(sql: sql) }
    }
}
