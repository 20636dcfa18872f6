import Foundation
import Tabular

/// Turns frame columns into the `[Double]` columns estimators read: numbers as they are (null → NaN),
/// booleans as 0/1, categorical codes with unseen/null (-1) as NaN.
enum FeatureColumns {
    /// The columns `names` of `frame` as doubles.
    /// - Throws: ``ModelFileError`` when a column is missing or holds text.
    static func values(of frame: DataFrame, names: [String], categorical: [Bool]) throws -> [[Double]] {
        try names.enumerated().map { index, name in
            guard let column = frame[name] else {
                throw ModelFileError("feature column '\(name)' is missing; columns are: \(frame.columnNames.joined(separator: ", "))")
            }
            let isCategorical = index < categorical.count && categorical[index]
            return try values(of: column, categorical: isCategorical)
        }
    }

    /// One column as doubles, in one pass (training reads million-row columns; scoring reads one-row ones per request).
    static func values(of column: Column, categorical: Bool) throws -> [Double] {
        let valid = column.validity
        switch column.storage {
        case .double(let values):
            return (0..<values.count).map { row in
                let value = values[row]
                return valid[row] && value.isFinite && !(categorical && value < 0) ? value : .nan
            }
        case .int(let values):
            return (0..<values.count).map { row in valid[row] && !(categorical && values[row] < 0) ? Double(values[row]) : .nan }
        case .bool(let values):
            return (0..<values.count).map { row in valid[row] ? (values[row] ? 1 : 0) : .nan }
        case .string:
            throw ModelFileError("feature column '\(column.name)' holds text; encode it first "
                + "(an ordinal or one_hot transform)")
        }
    }
}
