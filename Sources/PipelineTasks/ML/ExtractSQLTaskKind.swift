import Foundation
import GRDB
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `extract-sql`: runs a query on a SQLite database (opened read-only) into a dataset artifact.
///
/// Inputs: `database` (path of the SQLite file, relative to the working directory), `query` (one `SELECT`).
/// Column types follow the values: integers → `int`, integers mixed with reals → `double`, text → `string`
/// (a column of only NULLs is a string column); blobs are an error.
/// Outputs: `data` (artifact reference), `rows`, `columns` (names).
public struct ExtractSQLTaskKind: TaskKind {
    /// `"extract-sql"`.
    public let name = "extract-sql"

    /// Creates the kind.
    public init() {}

    /// Runs the query and stores the result.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["database", "query"])
        let database = try inputs.string("database", hint: "the SQLite file, relative to the working directory")
        let query = try inputs.string("query", hint: "a SELECT statement")
        let path = Datasets.resolve(database, workingDirectory: context.workingDirectory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw inputs.failure("database '\(database)' not found (looked at \(path)); the path is relative to the "
                + "task's working directory")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let frame: DataFrame
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            frame = try await queue.read { db in try Self.frame(db, query: query) }
        } catch let error as TaskFailure {
            throw error
        } catch let error as DatabaseError {
            throw inputs.failure("the query failed on \(database): \(error.message ?? "\(error)") (SQL: \(query))")
        } catch {
            throw inputs.failure("cannot query \(database): \(error)")
        }
        let reference = try await Datasets.store(frame, artifacts: context.artifacts, what: name)
        context.log("query returned \(frame.rowCount) rows, \(frame.columnCount) columns")
        return DatasetOutputs.describe(frame, reference: reference)
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
            guard seen.insert(name).inserted else {
                throw TaskFailure("extract-sql: the query returns column '\(name)' twice; give one of them an alias (AS)")
            }
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
            case .blob:
                throw TaskFailure("extract-sql: column '\(name)' holds binary data (BLOB); select it as text "
                    + "(e.g. hex(\(name))) or leave it out")
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
