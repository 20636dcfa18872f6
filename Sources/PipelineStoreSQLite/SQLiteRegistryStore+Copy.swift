internal import GRDB
import ModelRegistry

// Copying another database's registry in: a sandbox starts with the real home's models, versions and aliases.
extension SQLiteRegistryStore {
    /// The registry's tables a copy takes, parents first (`alias_history` and `aliases` reference `models` and
    /// `model_versions`). Deployments and their intents stay behind: they describe the other home's exported files.
    static let copiedTables = ["models", "model_versions", "aliases", "alias_history"]

    /// Copies every model, version, alias and alias move of the database file at `path` into this store, which
    /// must not hold any of them yet (a new sandbox's). `path` is opened read-only: its rows are not changed (SQLite
    /// may still create its `-shm`/`-wal` files; to leave a folder untouched, copy the file out first).
    ///
    /// Columns this store's schema lacks (a database written by a newer `kiln`) are left out; a database older
    /// than the registry (no `models` table) copies nothing.
    ///
    /// - Parameter path: The other database (``SQLiteStateStore/defaultPath(home:)`` of a home).
    /// - Returns: The distinct artifact references of the copied versions (their model files live in the other
    ///   home's artifact store).
    /// - Throws: When the file cannot be opened or read, or the rows do not fit this store.
    public func copyRegistry(fromDatabaseAt path: String) async throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "kiln.registry-source"
        let source = try DatabaseQueue(path: path, configuration: configuration)
        let tables: [(name: String, columns: [String], rows: [[DatabaseValue]])] = try await source.read { db in
            var tables: [(String, [String], [[DatabaseValue]])] = []
            for table in Self.copiedTables where try db.tableExists(table) {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table)")
                let columns = try db.columns(in: table).map(\.name)
                tables.append((table, columns, rows.map { row in columns.map { row[$0] as DatabaseValue } }))
            }
            return tables
        }
        try source.close()
        return try await writer.write { db in
            for table in tables {
                let known = Set(try db.columns(in: table.name).map(\.name))
                let kept = table.columns.indices.filter { known.contains(table.columns[$0]) }
                let columns = kept.map { "\"\(table.columns[$0])\"" }.joined(separator: ", ")
                let marks = Array(repeating: "?", count: kept.count).joined(separator: ", ")
                let insert = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(columns)) VALUES (\(marks))")
                for row in table.rows {
                    try insert.execute(arguments: StatementArguments(kept.map { row[$0] }))
                }
            }
            return try String.fetchAll(db, sql: "SELECT DISTINCT artifact FROM model_versions ORDER BY artifact")
        }
    }
}
