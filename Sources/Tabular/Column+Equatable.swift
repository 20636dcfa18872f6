extension Column: Equatable {
    /// Columns are equal when names, types, validity and every non-null value match;
    /// `Double` values compare by bit pattern, so NaN equals NaN.
    /// - Parameters:
    ///   - lhs: A column.
    ///   - rhs: Another column.
    public static func == (lhs: Column, rhs: Column) -> Bool {
        guard lhs.name == rhs.name, lhs.validity == rhs.validity else { return false }
        switch (lhs.storage, rhs.storage) {
        case (.double(let a), .double(let b)):
            return a.indices.allSatisfy { !lhs.validity[$0] || a[$0].bitPattern == b[$0].bitPattern }
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        default: return false
        }
    }
}
