extension DataFrame {
    /// Appends a column.
    /// - Parameters:
    ///   - column: The new column; its length must equal `rowCount` (any length for a frame without columns).
    /// - Throws: ``TabularError/duplicateColumn(name:)`` or ``TabularError/lengthMismatch(column:expected:actual:)``.
    public mutating func addColumn(_ column: Column) throws {
        guard !contains(column: column.name) else { throw TabularError.duplicateColumn(name: column.name) }
        if columns.isEmpty {
            rowCount = column.count
        } else if column.count != rowCount {
            throw TabularError.lengthMismatch(column: column.name, expected: rowCount, actual: column.count)
        }
        columns.append(column)
    }

    /// Replaces the column with the same name, or appends it when absent.
    /// - Parameters:
    ///   - column: The column; its length must equal `rowCount`.
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)``.
    public mutating func replaceColumn(_ column: Column) throws {
        guard let index = index(ofColumn: column.name) else { return try addColumn(column) }
        guard column.count == rowCount else {
            throw TabularError.lengthMismatch(column: column.name, expected: rowCount, actual: column.count)
        }
        columns[index] = column
    }

    /// Removes a column and returns it.
    /// - Parameters:
    ///   - name: The column to remove.
    /// - Throws: ``TabularError/columnNotFound(name:available:)``.
    @discardableResult
    public mutating func removeColumn(_ name: String) throws -> Column {
        guard let index = index(ofColumn: name) else {
            throw TabularError.columnNotFound(name: name, available: columnNames)
        }
        let removed = columns.remove(at: index)
        if columns.isEmpty { rowCount = 0 }
        return removed
    }

    /// Renames a column in place.
    /// - Parameters:
    ///   - name: The current name.
    ///   - newName: The new name, not used by another column.
    /// - Throws: ``TabularError/columnNotFound(name:available:)`` or ``TabularError/duplicateColumn(name:)``.
    public mutating func renameColumn(_ name: String, to newName: String) throws {
        guard let index = index(ofColumn: name) else {
            throw TabularError.columnNotFound(name: name, available: columnNames)
        }
        guard name == newName || !contains(column: newName) else { throw TabularError.duplicateColumn(name: newName) }
        columns[index].name = newName
    }

    /// A copy with an extra column.
    /// - Parameters:
    ///   - column: The new column.
    /// - Throws: See ``addColumn(_:)``.
    public func adding(_ column: Column) throws -> DataFrame {
        var copy = self
        try copy.addColumn(column)
        return copy
    }

    /// A copy without the named column.
    /// - Parameters:
    ///   - name: The column to drop.
    /// - Throws: ``TabularError/columnNotFound(name:available:)``.
    public func removing(_ name: String) throws -> DataFrame {
        var copy = self
        try copy.removeColumn(name)
        return copy
    }

    /// A copy with a column renamed.
    /// - Parameters:
    ///   - name: The current name.
    ///   - newName: The new name.
    /// - Throws: See ``renameColumn(_:to:)``.
    public func renaming(_ name: String, to newName: String) throws -> DataFrame {
        var copy = self
        try copy.renameColumn(name, to: newName)
        return copy
    }
}
