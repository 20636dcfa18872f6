import Features
import Foundation
public import Tabular

extension ModelFile {
    /// Probabilities of class 1 for every row of `frame` (raw data with the input schema's columns; other
    /// columns, such as the label, are ignored).
    /// - Parameter frame: Raw rows.
    /// - Returns: One score in [0, 1] per row.
    /// - Throws: ``ModelFileError`` naming the column when the data does not fit the input schema, or when the
    ///   transform or the estimator fails.
    public func score(_ frame: DataFrame) throws -> [Double] {
        let features = try featureFrame(frame)
        let columns = try FeatureColumns.values(of: features, names: self.features, categorical: estimator.categoricalFlags)
        do {
            return try estimator.predict(columns: columns, names: self.features)
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError("scoring failed: \(error)")
        }
    }

    /// Checks `frame` against ``inputSchema`` and returns the columns the model reads, converted to the schema's types.
    /// - Parameter frame: Raw rows.
    /// - Throws: ``ModelFileError`` for a missing column or a wrong type.
    public func checkedInput(_ frame: DataFrame) throws -> DataFrame {
        var missing: [String] = []
        var columns: [Column] = []
        for name in inputSchema.keys.sorted() {
            guard let column = frame[name] else {
                missing.append(name)
                continue
            }
            columns.append(try Self.conform(column, to: inputSchema[name]!))
        }
        if !missing.isEmpty {
            throw ModelFileError("the data lacks column\(missing.count == 1 ? "" : "s") "
                + "\(missing.map { "'\($0)'" }.joined(separator: ", ")) that the model was trained on; "
                + "columns are: \(frame.columnNames.joined(separator: ", "))")
        }
        return try DataFrame(columns: columns)
    }

    /// The estimator's input frame: checked input, transformed (``FeatureColumns`` then reads ``features`` from it by
    /// name, and names one that is missing).
    func featureFrame(_ frame: DataFrame) throws -> DataFrame {
        var input = try checkedInput(frame)
        if let transform {
            do {
                try transform.apply(to: &input)
            } catch {
                throw ModelFileError("applying the model's fitted transform failed: \(error)")
            }
        }
        return input
    }

    /// `column` as the schema type: int and double convert into each other's type (double → int only when
    /// every value is whole), an all-null column becomes a null column of the type.
    static func conform(_ column: Column, to type: ColumnType) throws -> Column {
        if column.type == type { return column }
        if column.nullCount == column.count {
            return try Column(name: column.name, storage: Self.placeholder(type, count: column.count),
                              validity: Array(repeating: false, count: column.count))
        }
        if type == .double, let values = column.numericValues {
            return Column(name: column.name, doubles: values)
        }
        if type == .int, column.type == .double, let values = column.doubleValues,
            values.allSatisfy({ $0 == nil || ($0!.rounded() == $0! && abs($0!) < 9e15) })
        {
            return Column(name: column.name, ints: values.map { $0.map { Int($0) } })
        }
        throw ModelFileError("column '\(column.name)' has type \(column.type) but the model was trained on \(type); "
            + "convert the column (or override its type when reading the CSV with `types: {\(column.name): \(type)}`)")
    }

    private static func placeholder(_ type: ColumnType, count: Int) -> Column.Storage {
        switch type {
        case .double: return .double(Array(repeating: 0, count: count))
        case .int: return .int(Array(repeating: 0, count: count))
        case .string: return .string(Array(repeating: "", count: count))
        case .bool: return .bool(Array(repeating: false, count: count))
        }
    }
}
