internal import GRDB
public import Tabular

/// Runs a query on a user's SQLite database, opened read-only, into a data frame: what `extract-sql` reads.
///
/// Column types follow the values: integers → `int`, integers mixed with reals → `double`, text → `string`
/// (a column of only NULLs is a string column); blobs are an error.
public enum SQLiteQuery {
    /// The rows of `query` on the database at `file`.
    ///
    /// - Parameters:
    ///   - file: The SQLite file; it is opened read-only and never created.
    ///   - query: One `SELECT` statement.
    /// - Returns: One column per result column, in order.
    /// - Throws: ``SQLiteDataError`` saying what to fix.
    public static func frame(file: String, query: String) throws -> DataFrame {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            return try queue.read { db in try frame(db, query: query) }
        } catch let error as SQLiteDataError {
            throw error
        } catch let error as DatabaseError {
            throw SQLiteDataError.queryFailed(error.message ?? "\(error)")
        }
    }

    private static func frame(_ db: Database, query: String) throws -> DataFrame {
        let statement = try db.makeStatement(sql: query)
        let names = statement.columnNames
        var cells = Array(repeating: [DatabaseValue](), count: names.count)
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() {
            for index in names.indices { cells[index].append(row[index] as DatabaseValue) }
        }
        var seen: Set<String> = []
        return try DataFrame(columns: try names.enumerated().map { index, name in
            guard seen.insert(name).inserted else { throw SQLiteDataError.duplicateColumn(name) }
            return try column(name, cells[index])
        })
    }

    private static func column(_ name: String, _ values: [DatabaseValue]) throws -> Tabular.Column {
        var hasInt = false, hasDouble = false, hasText = false
        for value in values {
            switch value.storage {
            case .null: break
            case .int64: hasInt = true
            case .double: hasDouble = true
            case .string: hasText = true
            case .blob: throw SQLiteDataError.binaryColumn(name)
            }
        }
        if hasText || (!hasInt && !hasDouble) {
            return Tabular.Column(name: name, strings: values.map { value in
                switch value.storage {
                case .null: return nil
                case .string(let text): return text
                case .int64(let number): return String(number)
                case .double(let number): return String(number)
                case .blob: return nil
                }
            })
        }
        if hasDouble {
            return Tabular.Column(name: name, doubles: values.map { value in
                switch value.storage {
                case .int64(let number): return Double(number)
                case .double(let number): return number
                default: return nil
                }
            })
        }
        return Tabular.Column(name: name, ints: values.map { value in
            if case .int64(let number) = value.storage { return Int(number) }
            return nil
        })
    }
}
