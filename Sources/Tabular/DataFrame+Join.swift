extension DataFrame {
    /// Joins another frame on a key column present in both frames.
    ///
    /// Result columns: all left columns, then the right columns except the key. A right column whose
    /// name already exists on the left gets `rightSuffix` appended. Null keys never match. For each
    /// left row (in order), matching right rows appear in their original order; with `.left`, a left
    /// row without a match appears once with nulls in the right columns.
    /// - Parameters:
    ///   - other: The right frame.
    ///   - key: The key column name, present in both frames with the same type.
    ///   - kind: `.inner` or `.left`.
    ///   - rightSuffix: Appended to clashing right column names.
    /// - Throws: ``TabularError/columnNotFound(name:available:)``, ``TabularError/typeMismatch(column:expected:actual:)``
    ///   when key types differ, ``TabularError/duplicateColumn(name:)`` when a suffixed name still clashes.
    public func joined(
        with other: DataFrame, on key: String, kind: JoinKind = .inner, rightSuffix: String = "_right"
    ) throws -> DataFrame {
        let leftKey = try column(key)
        let rightKey = try other.column(key)
        guard leftKey.type == rightKey.type else {
            throw TabularError.typeMismatch(column: key, expected: leftKey.type, actual: rightKey.type)
        }
        var rightRows: [CellValue: [Int]] = [:]
        for row in 0..<other.rowCount where !rightKey.isNull(at: row) {
            rightRows[rightKey[row], default: []].append(row)
        }
        var leftIndices: [Int] = []
        var rightIndices: [Int] = []
        leftIndices.reserveCapacity(rowCount)
        rightIndices.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            let matches = leftKey.isNull(at: row) ? nil : rightRows[leftKey[row]]
            if let matches {
                for match in matches {
                    leftIndices.append(row)
                    rightIndices.append(match)
                }
            } else if kind == .left {
                leftIndices.append(row)
                rightIndices.append(-1)
            }
        }
        var result = gathering(leftIndices)
        for column in other.columns where column.name != key {
            let name = contains(column: column.name) ? column.name + rightSuffix : column.name
            try result.addColumn(column.gathering(rightIndices).renamed(name))
        }
        return result
    }
}
