import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `extract-csv`: reads CSV into a dataset artifact.
///
/// Inputs: `path` (a file, a folder of `*.csv`, or a glob such as `incoming/*.csv`, relative to the working
/// directory), `types` (optional mapping column → `int`/`double`/`string`/`bool` overriding inference).
/// Outputs: `data` (artifact reference), `rows` (number), `columns` (list of column names).
public struct ExtractCSVTaskKind: TaskKind {
    /// `"extract-csv"`.
    public let name = "extract-csv"

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: Its ``DataReaders/limits`` bound the bytes read per file.
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

    /// Reads and stores the data.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["path", "types"])
        let path = try inputs.string("path", hint: "a CSV file, a folder or a glob, relative to the working directory")
        var options = CSVReadOptions(limits: readers.limits)
        if inputs.has("types") {
            guard let types = context.inputs["types"]?.objectValue else {
                throw inputs.failure("input 'types' must be a mapping of column → type, e.g. {zip: string}")
            }
            for (column, value) in types {
                guard let text = value.stringValue, let type = ColumnType(rawValue: text) else {
                    throw inputs.failure("type of column '\(column)' in 'types' must be one of "
                        + "\(ColumnType.allCases.map(\.rawValue).joined(separator: ", ")), got \(value.compactJSON)")
                }
                options.typeOverrides[column] = type
            }
        }
        let frame: DataFrame
        do {
            let resolved = Datasets.resolve(path, workingDirectory: context.workingDirectory)
            let reader = CSVReader(options: options)
            frame = try await Offload.run { flag in try reader.read(contentsOf: resolved, shouldStop: flag.check) }
            // A folder or a glob: the files it stood for are what the task read.
            for file in (try? CSVReader.files(matching: resolved)) ?? [] { context.recordRead(file) }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw inputs.failure("cannot read '\(path)' (relative to \(context.workingDirectory)): \(error)")
        }
        let reference = try await Datasets.store(frame, artifacts: context.artifacts, what: name)
        context.log("read \(frame.rowCount) rows, \(frame.columnCount) columns from \(path)")
        return DatasetOutputs.describe(frame, reference: reference)
    }
}
