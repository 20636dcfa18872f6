extension DataFrame {
    /// A frame with only the given columns, in the given order.
    /// - Parameters:
    ///   - names: Column names to keep.
    /// - Throws: ``TabularError/columnNotFound(name:available:)`` or
    ///   ``TabularError/duplicateColumn(name:)`` when a name repeats.
    public func selecting(columns names: [String]) throws -> DataFrame {
        if let repeated = DuplicateNames.first(in: names) { throw TabularError.duplicateColumn(name: repeated) }
        let picked = try names.map { try column($0) }
        return DataFrame(uncheckedColumns: picked, rowCount: picked.isEmpty ? 0 : rowCount)
    }

    /// A frame with the rows at `indices`, in that order (indices may repeat).
    /// - Parameters:
    ///   - indices: Row indices in `0..<rowCount`.
    /// - Throws: ``TabularError/rowIndexOutOfRange(index:rowCount:)``.
    public func selecting(rows indices: [Int]) throws -> DataFrame {
        if let bad = indices.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw TabularError.rowIndexOutOfRange(index: bad, rowCount: rowCount)
        }
        return gathering(indices)
    }

    /// A frame with the rows where `mask` is `true`.
    /// - Parameters:
    ///   - mask: One flag per row.
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)`` when the mask length differs.
    public func filtering(mask: [Bool]) throws -> DataFrame {
        guard mask.count == rowCount else {
            throw TabularError.lengthMismatch(column: "<mask>", expected: rowCount, actual: mask.count)
        }
        return gathering(mask.indices.filter { mask[$0] })
    }

    /// The first `count` rows (or all rows when there are fewer).
    /// - Parameters:
    ///   - count: The maximum number of rows.
    public func head(_ count: Int) -> DataFrame {
        gathering(Array(0..<Swift.max(0, Swift.min(count, rowCount))))
    }

    /// Rows at validated indices; `-1` yields a null row.
    func gathering(_ indices: [Int]) -> DataFrame {
        DataFrame(uncheckedColumns: columns.map { $0.gathering(indices) }, rowCount: indices.count)
    }
}
