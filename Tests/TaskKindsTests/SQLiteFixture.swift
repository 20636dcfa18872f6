import Foundation
import GRDB
import Tabular

/// Writes a CSV fixture into a SQLite table for `extract-sql` tests.
enum SQLiteFixture {
    /// Creates `path` with a table `customers` holding the CSV's rows (ints, reals and text as SQLite types).
    static func write(csv: String, to path: String) throws {
        let frame = try CSVReader().read(contentsOf: csv)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let sqlTypes = frame.columns.map { column -> String in
                switch column.type {
                case .int, .bool: return "INTEGER"
                case .double: return "REAL"
                case .string: return "TEXT"
                }
            }
            let definition = zip(frame.columnNames, sqlTypes).map { "\($0) \($1)" }.joined(separator: ", ")
            try db.execute(sql: "CREATE TABLE customers (\(definition))")
            let placeholders = Array(repeating: "?", count: frame.columnCount).joined(separator: ", ")
            for row in 0..<frame.rowCount {
                let values: [(any DatabaseValueConvertible)?] = frame.columns.map { column in
                    switch column[row] {
                    case .null: return nil
                    case .int(let v): return v
                    case .double(let v): return v
                    case .string(let v): return v
                    case .bool(let v): return v
                    }
                }
                try db.execute(sql: "INSERT INTO customers VALUES (\(placeholders))", arguments: StatementArguments(values))
            }
        }
    }
}
