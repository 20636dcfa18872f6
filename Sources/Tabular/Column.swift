/// A named, typed column of values with per-row validity (nulls).
///
/// Null handling: each row has a validity flag; a null row stores a placeholder (`0`, `""`, `false`)
/// in the typed buffer that is never observable through the public accessors. A `Double` NaN is an
/// ordinary (non-null) value: only the CSV reader turns the missing token `NaN` into null.
public struct Column: Sendable, CustomStringConvertible {
    /// The typed contiguous values of a column; null rows hold a placeholder value.
    public enum Storage: Sendable {
        /// Floating point values.
        case double([Double])
        /// Integer values.
        case int([Int])
        /// Text values.
        case string([String])
        /// Boolean values.
        case bool([Bool])
    }

    /// The column name.
    public internal(set) var name: String
    /// The typed value buffer (null rows hold placeholders; check ``validity``).
    public private(set) var storage: Storage
    /// `validity[row]` is `false` when the row is null.
    public private(set) var validity: [Bool]

    /// Creates a column from a buffer and a validity mask, replacing values at null rows by placeholders.
    /// - Parameters:
    ///   - name: The column name.
    ///   - storage: The typed values.
    ///   - validity: One flag per value; `false` marks a null row. `nil` means every row is valid.
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)`` when the validity mask
    ///   and the values differ in length.
    public init(name: String, storage: Storage, validity: [Bool]? = nil) throws {
        let count = storage.count
        let mask = validity ?? [Bool](repeating: true, count: count)
        guard mask.count == count else {
            throw TabularError.lengthMismatch(column: name, expected: count, actual: mask.count)
        }
        self.init(uncheckedName: name, storage: storage.canonicalized(validity: mask), validity: mask)
    }

    /// Creates a column without validation; callers guarantee equal lengths and canonical placeholders.
    init(uncheckedName name: String, storage: Storage, validity: [Bool]) {
        self.name = name
        self.storage = storage
        self.validity = validity
    }

    /// Creates a `Double` column; `nil` elements become nulls.
    /// - Parameters:
    ///   - name: The column name.
    ///   - doubles: The values.
    public init(name: String, doubles: [Double?]) {
        self.init(uncheckedName: name, storage: .double(doubles.map { $0 ?? 0 }), validity: doubles.map { $0 != nil })
    }

    /// Creates an `Int` column; `nil` elements become nulls.
    /// - Parameters:
    ///   - name: The column name.
    ///   - ints: The values.
    public init(name: String, ints: [Int?]) {
        self.init(uncheckedName: name, storage: .int(ints.map { $0 ?? 0 }), validity: ints.map { $0 != nil })
    }

    /// Creates a `String` (categorical) column; `nil` elements become nulls.
    /// - Parameters:
    ///   - name: The column name.
    ///   - strings: The values.
    public init(name: String, strings: [String?]) {
        self.init(uncheckedName: name, storage: .string(strings.map { $0 ?? "" }), validity: strings.map { $0 != nil })
    }

    /// Creates a `Bool` column; `nil` elements become nulls.
    /// - Parameters:
    ///   - name: The column name.
    ///   - bools: The values.
    public init(name: String, bools: [Bool?]) {
        self.init(uncheckedName: name, storage: .bool(bools.map { $0 ?? false }), validity: bools.map { $0 != nil })
    }

    /// The element type of the column.
    public var type: ColumnType { storage.type }

    /// The number of rows.
    public var count: Int { validity.count }

    /// The number of null rows.
    public var nullCount: Int {
        var nulls = 0
        for valid in validity where !valid { nulls += 1 }
        return nulls
    }

    /// Whether the row is null.
    /// - Parameters:
    ///   - row: A row index in `0..<count`.
    public func isNull(at row: Int) -> Bool { !validity[row] }

    /// The cell at a row, `.null` for a missing value.
    /// - Parameters:
    ///   - row: A row index in `0..<count`.
    public subscript(row: Int) -> CellValue {
        guard validity[row] else { return .null }
        switch storage {
        case .double(let values): return .double(values[row])
        case .int(let values): return .int(values[row])
        case .string(let values): return .string(values[row])
        case .bool(let values): return .bool(values[row])
        }
    }

    /// The values of a `Double` column (`nil` for nulls), or `nil` if the column has another type.
    public var doubleValues: [Double?]? {
        guard case .double(let values) = storage else { return nil }
        return zip(values, validity).map { $1 ? $0 : nil }
    }

    /// The values of an `Int` column (`nil` for nulls), or `nil` if the column has another type.
    public var intValues: [Int?]? {
        guard case .int(let values) = storage else { return nil }
        return zip(values, validity).map { $1 ? $0 : nil }
    }

    /// The values of a `String` column (`nil` for nulls), or `nil` if the column has another type.
    public var stringValues: [String?]? {
        guard case .string(let values) = storage else { return nil }
        return zip(values, validity).map { $1 ? $0 : nil }
    }

    /// The values of a `Bool` column (`nil` for nulls), or `nil` if the column has another type.
    public var boolValues: [Bool?]? {
        guard case .bool(let values) = storage else { return nil }
        return zip(values, validity).map { $1 ? $0 : nil }
    }

    /// The values of an `Int` or `Double` column as `Double` (`nil` for nulls), otherwise `nil`.
    public var numericValues: [Double?]? {
        switch storage {
        case .double: return doubleValues
        case .int(let values): return zip(values, validity).map { $1 ? Double($0) : nil }
        default: return nil
        }
    }

    /// A short summary such as `age: int (48842 rows, 0 null)`.
    public var description: String { "\(name): \(type) (\(count) rows, \(nullCount) null)" }
}
