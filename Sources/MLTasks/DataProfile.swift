import Dispatch
import Foundation
import Synchronization
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
        guard frame.rowCount * frame.columnCount >= 1 << 16 else {
            columns = frame.columns.map(Self.summary)
            return
        }
        // Columns are summarised independently, in parallel (counting distinct values is most of the work).
        let summaries = Mutex([ColumnSummary?](repeating: nil, count: frame.columnCount))
        DispatchQueue.concurrentPerform(iterations: frame.columnCount) { index in
            let summary = Self.summary(frame.columns[index])
            summaries.withLock { $0[index] = summary }
        }
        columns = summaries.withLock { $0 }.map { $0! }
    }

    /// One column's summary, read from its typed storage: no per-cell values are built, and the distinct values are
    /// counted in a set of the column's own type (equality as for the cells: `0.0 == -0.0`).
    private static func summary(_ column: Column) -> ColumnSummary {
        var summary = ColumnSummary(name: column.name, type: column.type, nulls: column.nullCount, min: nil, max: nil,
                                    mean: nil, distinct: 0)
        let validity = column.validity
        switch column.storage {
        case .int(let values):
            var distinct = Set<Int>()
            var numbers: [Double] = []
            numbers.reserveCapacity(values.count - summary.nulls)
            for (value, valid) in zip(values, validity) where valid {
                distinct.insert(value)
                numbers.append(Double(value))
            }
            summary.distinct = distinct.count
            describe(numbers, into: &summary)
        case .double(let values):
            var distinct = Set<Double>()
            var numbers: [Double] = []
            numbers.reserveCapacity(values.count - summary.nulls)
            for (value, valid) in zip(values, validity) where valid {
                distinct.insert(value)
                if !value.isNaN { numbers.append(value) }
            }
            summary.distinct = distinct.count
            describe(numbers, into: &summary)
        case .bool(let values):
            var trues = 0, falses = 0
            for (value, valid) in zip(values, validity) where valid {
                if value { trues += 1 } else { falses += 1 }
            }
            summary.distinct = (trues > 0 ? 1 : 0) + (falses > 0 ? 1 : 0)
            if trues + falses > 0 {
                summary.min = falses > 0 ? "false" : "true"
                summary.max = trues > 0 ? "true" : "false"
                summary.mean = Double(trues) / Double(trues + falses)
            }
        case .string(let values):
            var distinct = Set<String>()
            var smallest: String?, largest: String?
            for (value, valid) in zip(values, validity) where valid {
                guard distinct.insert(value).inserted else { continue }
                if smallest.map({ value < $0 }) ?? true { smallest = value }
                if largest.map({ value > $0 }) ?? true { largest = value }
            }
            summary.distinct = distinct.count
            (summary.min, summary.max) = (smallest, largest)
        }
        return summary
    }

    /// Min, max (formatted) and the mean of the finite values of non-null, non-NaN numbers.
    private static func describe(_ numbers: [Double], into summary: inout ColumnSummary) {
        guard let first = numbers.first else { return }
        var smallest = first, largest = first, sum = 0.0, finite = 0
        for value in numbers {
            if value < smallest { smallest = value }
            if value > largest { largest = value }
            if value.isFinite {
                sum += value
                finite += 1
            }
        }
        summary.min = format(smallest)
        summary.max = format(largest)
        summary.mean = finite == 0 ? nil : sum / Double(finite)
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
