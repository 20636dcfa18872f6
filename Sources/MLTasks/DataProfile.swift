import Foundation
public import Tabular

/// A summary of a dataset: row count and, per column, type, nulls, min, max, mean and distinct values.
/// Encodes to JSON as `{"rows", "columns": [{"name", "type", "nulls", "min", "max", "mean", "distinct"}]}`.
public struct DataProfile: Sendable, Equatable, Codable {
    /// The summary of one column.
    public struct ColumnSummary: Sendable, Equatable, Codable {
        /// Column name.
        public var name: String
        /// Column type (`int`, `double`, `string`, `bool`).
        public var type: ColumnType
        /// Null cells.
        public var nulls: Int
        /// Smallest value (numbers; text compares lexicographically), `nil` when all null.
        public var min: String?
        /// Largest value, `nil` when all null.
        public var max: String?
        /// Mean of the finite values (numeric and bool columns), else `nil`.
        public var mean: Double?
        /// Distinct non-null values.
        public var distinct: Int
    }

    /// Rows.
    public var rows: Int
    /// One summary per column, in frame order.
    public var columns: [ColumnSummary]

    /// Profiles `frame`.
    /// - Parameter frame: The data.
    public init(_ frame: DataFrame) {
        rows = frame.rowCount
        columns = frame.columns.map(Self.summary)
    }

    private static func summary(_ column: Column) -> ColumnSummary {
        var summary = ColumnSummary(name: column.name, type: column.type, nulls: column.nullCount, min: nil, max: nil,
                                    mean: nil, distinct: 0)
        let cells = (0..<column.count).map { column[$0] }.filter { !$0.isNull }
        summary.distinct = Set(cells).count
        if let numbers = column.numericValues?.compactMap({ $0 }).filter({ !$0.isNaN }), !numbers.isEmpty {
            summary.min = format(numbers.min()!)
            summary.max = format(numbers.max()!)
            let finite = numbers.filter(\.isFinite)
            summary.mean = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        } else if let flags = column.boolValues?.compactMap({ $0 }), !flags.isEmpty {
            summary.min = flags.contains(false) ? "false" : "true"
            summary.max = flags.contains(true) ? "true" : "false"
            summary.mean = Double(flags.filter { $0 }.count) / Double(flags.count)
        } else if let texts = column.stringValues?.compactMap({ $0 }), !texts.isEmpty {
            summary.min = texts.min()
            summary.max = texts.max()
        }
        return summary
    }

    private static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 9e15 { return String(Int64(value)) }
        return String(value)
    }

    /// An aligned text table, one line per column.
    public var table: String {
        let header = ["column", "type", "nulls", "min", "max", "mean", "distinct"]
        let body = columns.map { c in
            [c.name, c.type.rawValue, String(c.nulls), c.min ?? "", c.max ?? "",
             c.mean.map { String(format: "%.4g", $0) } ?? "", String(c.distinct)]
        }
        let widths = header.indices.map { i in ([header[i]] + body.map { $0[i] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return (["\(rows) rows, \(columns.count) columns", line(header)] + body.map(line)).joined(separator: "\n")
    }
}
