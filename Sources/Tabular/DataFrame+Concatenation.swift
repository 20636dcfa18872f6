extension DataFrame {
    /// Places the columns of several frames side by side (fan-in of feature groups over the same rows).
    /// - Parameters:
    ///   - frames: Frames with equal row counts and disjoint column names.
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)`` when row counts differ,
    ///   ``TabularError/duplicateColumn(name:)`` when a name appears in two frames.
    public static func concatColumns(_ frames: [DataFrame]) throws -> DataFrame {
        var result = DataFrame()
        let rows = frames.first(where: { $0.columnCount > 0 })?.rowCount ?? 0
        for frame in frames {
            for column in frame.columns {
                guard column.count == rows else {
                    throw TabularError.lengthMismatch(column: column.name, expected: rows, actual: column.count)
                }
                try result.addColumn(column)
            }
        }
        return result
    }

    /// Stacks frames with the same schema (names, order and types) on top of each other.
    /// - Parameters:
    ///   - frames: Frames with identical schemas; an empty list gives an empty frame.
    /// - Throws: ``TabularError/schemaMismatch(detail:)`` describing the first difference.
    public static func concatRows(_ frames: [DataFrame]) throws -> DataFrame {
        guard var result = frames.first else { return DataFrame() }
        for (offset, frame) in frames.enumerated().dropFirst() {
            guard frame.columnNames == result.columnNames else {
                throw TabularError.schemaMismatch(
                    detail: "frame \(offset) has columns [\(frame.columnNames.joined(separator: ","))], "
                        + "frame 0 has [\(result.columnNames.joined(separator: ","))]")
            }
            for (index, column) in frame.columns.enumerated() {
                let existing = result.columns[index]
                guard let merged = existing.storage.appending(column.storage) else {
                    throw TabularError.schemaMismatch(
                        detail: "column \(column.name) is \(column.type) in frame \(offset), \(existing.type) in frame 0")
                }
                result.columns[index] = Column(
                    uncheckedName: existing.name, storage: merged, validity: existing.validity + column.validity)
            }
            result.rowCount += frame.rowCount
        }
        return result
    }

    /// This frame followed by the rows of `other` (same schema required).
    /// - Parameters:
    ///   - other: A frame with the same schema.
    /// - Throws: ``TabularError/schemaMismatch(detail:)``.
    public func appendingRows(of other: DataFrame) throws -> DataFrame {
        try DataFrame.concatRows([self, other])
    }
}
