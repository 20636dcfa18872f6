extension Column.Storage {
    /// The element type held by this buffer.
    public var type: ColumnType {
        switch self {
        case .double: return .double
        case .int: return .int
        case .string: return .string
        case .bool: return .bool
        }
    }

    /// The number of values in the buffer.
    public var count: Int {
        switch self {
        case .double(let values): return values.count
        case .int(let values): return values.count
        case .string(let values): return values.count
        case .bool(let values): return values.count
        }
    }

    /// An empty buffer of the given type.
    static func empty(_ type: ColumnType) -> Column.Storage {
        switch type {
        case .double: return .double([])
        case .int: return .int([])
        case .string: return .string([])
        case .bool: return .bool([])
        }
    }

    /// The buffer with placeholders (`0`, `""`, `false`) written at every null row.
    func canonicalized(validity: [Bool]) -> Column.Storage {
        func clean<T>(_ values: [T], _ placeholder: T) -> [T] {
            var copy = values
            for index in copy.indices where !validity[index] { copy[index] = placeholder }
            return copy
        }
        switch self {
        case .double(let values): return .double(clean(values, 0))
        case .int(let values): return .int(clean(values, 0))
        case .string(let values): return .string(clean(values, ""))
        case .bool(let values): return .bool(clean(values, false))
        }
    }

    /// The values at `indices`; index `-1` yields a placeholder (used for unmatched join rows).
    func gathering(_ indices: [Int]) -> Column.Storage {
        func pick<T>(_ values: [T], _ placeholder: T) -> [T] {
            values.withUnsafeBufferPointer { buffer in
                indices.map { $0 < 0 ? placeholder : buffer[$0] }
            }
        }
        switch self {
        case .double(let values): return .double(pick(values, 0))
        case .int(let values): return .int(pick(values, 0))
        case .string(let values): return .string(pick(values, ""))
        case .bool(let values): return .bool(pick(values, false))
        }
    }

    /// This buffer followed by `other`, or `nil` when the types differ.
    func appending(_ other: Column.Storage) -> Column.Storage? {
        switch (self, other) {
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.int(let a), .int(let b)): return .int(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.bool(let a), .bool(let b)): return .bool(a + b)
        default: return nil
        }
    }
}

extension Column {
    /// The rows at `indices` (an index of `-1` produces a null row).
    /// - Parameters:
    ///   - indices: Row indices in `0..<count`, or `-1` for a null row.
    func gathering(_ indices: [Int]) -> Column {
        let mask = validity.withUnsafeBufferPointer { buffer in indices.map { $0 >= 0 && buffer[$0] } }
        return Column(uncheckedName: name, storage: storage.gathering(indices), validity: mask)
    }

    /// The column with its name replaced.
    /// - Parameters:
    ///   - newName: The new name.
    public func renamed(_ newName: String) -> Column {
        var copy = self
        copy.name = newName
        return copy
    }
}
