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

    /// One column as doubles.
    static func values(of column: Column, categorical: Bool) throws -> [Double] {
        var out: [Double]
        switch column.storage {
        case .double(let values): out = values.map { $0.isFinite ? $0 : .nan }
        case .int(let values): out = values.map { Double($0) }
        case .bool(let values): out = values.map { $0 ? 1 : 0 }
        case .string:
            throw ModelFileError("feature column '\(column.name)' holds text; encode it first "
                + "(an ordinal or one_hot transform)")
        }
        for row in 0..<column.count where column.isNull(at: row) { out[row] = .nan }
        if categorical { out = out.map { $0 < 0 ? .nan : $0 } }
        return out
    }
}
