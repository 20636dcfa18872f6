import PipelineEngine
import PipelineModel
import Tabular

/// Reads a binary label column as 0/1 doubles.
enum LabelValues {
    /// The label of every row: numeric 0/1, booleans, or the texts `0`/`1`, `true`/`false`, `yes`/`no`.
    /// - Throws: ``TaskFailure`` naming the column when it is missing, has nulls, or holds other values.
    static func read(_ frame: DataFrame, label: String, kind: String) throws -> [Double] {
        guard let column = frame[label] else {
            throw TaskFailure("\(kind): label column '\(label)' not found; columns are: "
                + frame.columnNames.joined(separator: ", "))
        }
        if column.nullCount > 0 {
            let row = (0..<column.count).first { column.isNull(at: $0) }!
            throw TaskFailure("\(kind): label column '\(label)' has \(column.nullCount) missing value(s), first at row "
                + "\(row + 1); drop those rows before this task (a validate task with columns: {\(label): "
                + "{max_null_ratio: 0}} catches them)")
        }
        var out = [Double](repeating: 0, count: column.count)
        for row in 0..<column.count {
            let value: Double?
            switch column[row] {
            case .int(let v): value = Double(v)
            case .double(let v): value = v
            case .bool(let v): value = v ? 1 : 0
            case .string(let text):
                switch text.lowercased() {
                case "1", "true", "yes": value = 1
                case "0", "false", "no": value = 0
                default: value = nil
                }
            case .null: value = nil
            }
            guard let value, value == 0 || value == 1 else {
                throw TaskFailure("\(kind): label column '\(label)' must hold 0/1 (or true/false) for binary "
                    + "classification; row \(row + 1) has \(column[row])")
            }
            out[row] = value
        }
        return out
    }
}
