import Foundation
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

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: Where ``DataReaders/sql`` runs the query.
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

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
        do {
            // A device or FIFO is refused before SQLite opens it (it could block forever); any size is allowed.
            try DataLimits(maxFileBytes: .max).check(path)
        } catch {
            throw inputs.failure("database '\(database)': \(error)")
        }
        guard let sql = readers.sql else {
            throw inputs.failure("this process has no SQL reader; run the pipeline with `kiln`, or give the task kind "
                + "registry `DataReaders(sql:)`")
        }
        let frame: DataFrame
        do {
            frame = try await Offload.run { try sql(path, query) }
        } catch let error as CancellationError {
            throw error
        } catch {
            throw inputs.failure("the query failed on \(database): \(error) (SQL: \(query))")
        }
        let reference = try await Datasets.store(frame, artifacts: context.artifacts, what: name)
        context.log("query returned \(frame.rowCount) rows, \(frame.columnCount) columns")
        return DatasetOutputs.describe(frame, reference: reference)
    }
}
