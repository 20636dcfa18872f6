import PipelineModel
import Tabular

/// The outputs every dataset-producing kind shares.
enum DatasetOutputs {
    /// `data` (reference), `rows`, `columns` (names).
    static func describe(_ frame: DataFrame, reference: String) -> [String: JSONValue] {
        ["data": .string(reference), "rows": .number(Double(frame.rowCount)),
         "columns": .array(frame.columnNames.map { .string($0) })]
    }
}
