import PipelineModel
import Tabular

/// Inline tables as data frames: each column's type follows its values.
enum TableFrames {
    private enum Kind { case int, double, string, bool, null }

    private static func kind(_ value: JSONValue) -> Kind? {
        switch value {
        case .null: return .null
        case .bool: return .bool
        case .string: return .string
        case .number(let number): return number == number.rounded() && abs(number) < 9e15 ? .int : .double
        default: return nil
        }
    }

    private static func columnKind(_ values: [JSONValue]) -> Kind? {
        var kinds = Set(values.compactMap(kind))
        kinds.remove(.null)
        if kinds == [.int, .double] { return .double }
        if kinds.isEmpty { return .null }
        return kinds.count == 1 ? kinds.first : nil
    }

    /// Why `table` cannot become a frame (a column mixing numbers, text and booleans), or `nil`.
    static func typeProblem(_ table: TestTable) -> String? {
        for (index, name) in table.columns.enumerated() {
            let values = table.rows.compactMap { index < $0.count ? $0[index] : nil }
            if columnKind(values) == nil {
                return "column '\(name)' mixes numbers, text and booleans; give each column values of one type "
                    + "(null is allowed anywhere)"
            }
        }
        return nil
    }

    /// The frame of `table`: whole numbers make `int` columns, other numbers `double`, and a column of only nulls is
    /// a text column.
    static func frame(_ table: TestTable) throws -> DataFrame {
        let columns = table.columns.enumerated().map { index, name -> Column in
            let values = table.rows.map { $0[index] }
            switch columnKind(values) {
            case .int: return Column(name: name, ints: values.map { $0.numberValue.map { Int($0) } })
            case .double: return Column(name: name, doubles: values.map(\.numberValue))
            case .bool: return Column(name: name, bools: values.map(\.boolValue))
            case .string, .null, .none: return Column(name: name, strings: values.map(\.stringValue))
            }
        }
        return try DataFrame(columns: columns)
    }

    /// A cell as JSON: numbers, text, booleans, null.
    static func json(_ cell: CellValue) -> JSONValue {
        switch cell {
        case .null: return .null
        case .int(let value): return .number(Double(value))
        case .double(let value): return value.isFinite ? .number(value) : .string("\(value)")
        case .string(let value): return .string(value)
        case .bool(let value): return .bool(value)
        }
    }
}
