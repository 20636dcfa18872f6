import Dispatch
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
        var builder = Builder()
        builder.add(frame)
        self = builder.profile
    }

    /// Profiles a dataset given a block of rows at a time (as
    /// ``Tabular/CSVReader/forEachBlock(contentsOf:blockBytes:shouldStop:_:)`` reads a file), so only the distinct
    /// values are kept, not the rows. The result equals ``DataProfile/init(_:)`` of the blocks joined.
    public struct Builder {
        private var rows = 0
        private var summaries: [ColumnAccumulator] = []

        /// An empty profile: no rows, no columns until the first block.
        public init() {}

        /// Adds the next block of rows. Every block has the first one's column names and types.
        /// - Parameter frame: The rows, after those added before.
        public mutating func add(_ frame: DataFrame) {
            if summaries.isEmpty, rows == 0 {
                summaries = frame.columns.map { ColumnAccumulator(name: $0.name, type: $0.type) }
            }
            precondition(
                summaries.map(\.name) == frame.columnNames && summaries.map(\.type) == frame.columns.map(\.type),
                "every block of a profile has the same columns")
            rows += frame.rowCount
            let summaries = summaries
            if frame.rowCount * frame.columnCount >= 1 << 16 {
                // Columns are summarised independently, in parallel (counting distinct values is most of the work).
                DispatchQueue.concurrentPerform(iterations: frame.columnCount) { index in
                    summaries[index].add(frame.columns[index])
                }
            } else {
                for (summary, column) in zip(summaries, frame.columns) { summary.add(column) }
            }
        }

        /// The profile of the rows added so far.
        public var profile: DataProfile {
            DataProfile(rows: rows, columns: summaries.map(\.summary))
        }
    }

    private init(rows: Int, columns: [ColumnSummary]) {
        self.rows = rows
        self.columns = columns
    }

    /// One column's running summary, read from its typed storage: no per-cell values are built, and the distinct
    /// values are counted in a set of the column's own type (equality as for the cells: `0.0 == -0.0`). A class, so
    /// that the sets are updated in place by the thread that owns the column.
    private final class ColumnAccumulator: @unchecked Sendable {
        let name: String
        let type: ColumnType
        private var nulls = 0
        private var ints = Set<Int>()
        private var doubles = Set<Double>()
        private var strings = Set<String>()
        private var trues = 0, falses = 0
        /// Non-null, non-NaN numbers: how many, the smallest and largest, and the sum and count of the finite ones.
        private var numbers = 0, smallest = 0.0, largest = 0.0, sum = 0.0, finite = 0
        private var smallestText: String?, largestText: String?

        init(name: String, type: ColumnType) {
            self.name = name
            self.type = type
        }

        func add(_ column: Column) {
            nulls += column.nullCount
            let validity = column.validity
            switch column.storage {
            case .int(let values):
                for (value, valid) in zip(values, validity) where valid {
                    ints.insert(value)
                    count(Double(value))
                }
            case .double(let values):
                for (value, valid) in zip(values, validity) where valid {
                    doubles.insert(value)
                    if !value.isNaN { count(value) }
                }
            case .bool(let values):
                for (value, valid) in zip(values, validity) where valid {
                    if value { trues += 1 } else { falses += 1 }
                }
            case .string(let values):
                for (value, valid) in zip(values, validity) where valid {
                    guard strings.insert(value).inserted else { continue }
                    if smallestText.map({ value < $0 }) ?? true { smallestText = value }
                    if largestText.map({ value > $0 }) ?? true { largestText = value }
                }
            }
        }

        @inline(__always)
        private func count(_ value: Double) {
            if numbers == 0 {
                (smallest, largest) = (value, value)
            } else {
                if value < smallest { smallest = value }
                if value > largest { largest = value }
            }
            numbers += 1
            if value.isFinite {
                sum += value
                finite += 1
            }
        }

        var summary: ColumnSummary {
            var summary = ColumnSummary(name: name, type: type, nulls: nulls, min: nil, max: nil, mean: nil, distinct: 0)
            switch type {
            case .int, .double:
                summary.distinct = type == .int ? ints.count : doubles.count
                if numbers > 0 {
                    summary.min = DataProfile.format(smallest)
                    summary.max = DataProfile.format(largest)
                    summary.mean = finite == 0 ? nil : sum / Double(finite)
                }
            case .bool:
                summary.distinct = (trues > 0 ? 1 : 0) + (falses > 0 ? 1 : 0)
                if trues + falses > 0 {
                    summary.min = falses > 0 ? "false" : "true"
                    summary.max = trues > 0 ? "true" : "false"
                    summary.mean = Double(trues) / Double(trues + falses)
                }
            case .string:
                summary.distinct = strings.count
                (summary.min, summary.max) = (smallestText, largestText)
            }
            return summary
        }
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
