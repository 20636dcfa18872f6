import Tabular

/// An error from fitting or applying a feature transform; `description` says what, where and how to fix it.
public enum FeatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A transform needs a numeric (int or double) column.
    case notNumeric(transform: String, column: String, type: ColumnType)
    /// `date_parts` needs a string column.
    case notText(transform: String, column: String, type: ColumnType)
    /// The fit column has no usable value to learn statistics from.
    case nothingToFit(transform: String, column: String)
    /// `bucketize` boundaries are empty, not finite or not strictly increasing.
    case invalidBoundaries(column: String, boundaries: [Double])
    /// The output column already exists and is not the input column.
    case outputExists(transform: String, column: String)
    /// `fill_missing` `constant` has no value, or the value does not match the column type.
    case invalidFillValue(column: String, type: ColumnType, value: FillValue?)
    /// The fitted state does not contain what the transform needs (corrupt or hand-edited model file).
    case missingState(transform: String, column: String, field: String)

    /// What is wrong, where, and how to fix it.
    public var description: String {
        switch self {
        case .notNumeric(let transform, let column, let type):
            return "\(transform): column \(column) is \(type), needs int or double. Fix: pick a numeric column or convert it first."
        case .notText(let transform, let column, let type):
            return "\(transform): column \(column) is \(type), needs string ISO-8601 dates. Fix: read the column as string."
        case .nothingToFit(let transform, let column):
            return "\(transform): column \(column) has no finite non-null value to fit on. Fix: fill missing values first or drop the step."
        case .invalidBoundaries(let column, let boundaries):
            return "bucketize: boundaries \(boundaries) for column \(column) must be finite, non-empty and strictly increasing. Fix: sort them and remove duplicates."
        case .outputExists(let transform, let column):
            return "\(transform): output column \(column) already exists. Fix: choose another \"as\" / \"prefix\" or drop the column first."
        case .invalidFillValue(let column, let type, let value):
            return "fill_missing: constant \(value.map { "'\($0)'" } ?? "(missing)") does not fit \(type) column \(column). Fix: give a \"value\" of the column's type (whole number for int)."
        case .missingState(let transform, let column, let field):
            return "\(transform): fitted state for column \(column) lacks \(field). Fix: fit the pipeline again and store the new state."
        }
    }
}
