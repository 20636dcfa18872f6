/// An immutable-by-value, columnar table of typed columns that all have the same number of rows.
///
/// Columns are ``Column`` values (Double, Int, String, Bool) with per-row null validity.
/// All operations return new frames or mutate a copy (value semantics).
public struct DataFrame: Sendable, Equatable, CustomStringConvertible {
    /// The columns in order.
    public internal(set) var columns: [Column]
    /// The number of rows shared by all columns.
    public internal(set) var rowCount: Int

    /// Creates an empty frame with no columns and no rows.
    public init() {
        columns = []
        rowCount = 0
    }

    /// Creates a frame from columns of equal length and unique names.
    /// - Parameters:
    ///   - columns: The columns in order.
    /// - Throws: ``TabularError/duplicateColumn(name:)`` for a repeated name,
    ///   ``TabularError/lengthMismatch(column:expected:actual:)`` when lengths differ.
    public init(columns: [Column]) throws {
        if let repeated = DuplicateNames.first(in: columns.lazy.map(\.name)) {
            throw TabularError.duplicateColumn(name: repeated)
        }
        let rows = columns.first?.count ?? 0
        for column in columns {
            guard column.count == rows else {
                throw TabularError.lengthMismatch(column: column.name, expected: rows, actual: column.count)
            }
        }
        self.init(uncheckedColumns: columns, rowCount: rows)
    }

    /// Creates a frame without validation; callers guarantee equal lengths and unique names.
    init(uncheckedColumns columns: [Column], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }

    /// The column names in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The column names paired with their types, in order.
    public var schema: [(name: String, type: ColumnType)] { columns.map { ($0.name, $0.type) } }

    /// Whether a column with this name exists.
    /// - Parameters:
    ///   - name: A column name.
    public func contains(column name: String) -> Bool { index(ofColumn: name) != nil }

    /// The position of a column, or `nil` if absent.
    /// - Parameters:
    ///   - name: A column name.
    public func index(ofColumn name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The column with this name, or `nil` if absent.
    /// - Parameters:
    ///   - name: A column name.
    public subscript(name: String) -> Column? {
        index(ofColumn: name).map { columns[$0] }
    }

    /// The column with this name.
    /// - Parameters:
    ///   - name: A column name.
    /// - Throws: ``TabularError/columnNotFound(name:available:)`` when absent.
    public func column(_ name: String) throws -> Column {
        guard let index = index(ofColumn: name) else {
            throw TabularError.columnNotFound(name: name, available: columnNames)
        }
        return columns[index]
    }

    /// The type of a column.
    /// - Parameters:
    ///   - name: A column name.
    /// - Throws: ``TabularError/columnNotFound(name:available:)`` when absent.
    public func columnType(_ name: String) throws -> ColumnType { try column(name).type }

    /// The number of null cells over all columns.
    public var nullCount: Int { columns.reduce(0) { $0 + $1.nullCount } }

    /// A summary listing the row count and each column.
    public var description: String {
        (["DataFrame: \(rowCount) rows x \(columnCount) columns"] + columns.map { "  " + $0.description })
            .joined(separator: "\n")
    }
}
