import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `split`: divides a dataset into `train` and `test`.
///
/// Inputs: `data` (dataset), `label` (stratify by this column; optional), `test_size` (share in (0, 1), default
/// 0.2), `seed` (whole number, default 0), `time_column` (optional: the latest `test_size` share of rows by this
/// column goes to test, no shuffling). Rows keep their original order inside each part.
/// Outputs: `train`, `test` (artifact references), `train_rows`, `test_rows`.
public struct SplitTaskKind: TaskKind {
    /// `"split"`.
    public let name = "split"

    /// Creates the kind.
    public init() {}

    /// Splits and stores both parts.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["data", "label", "test_size", "seed", "time_column"])
        let dataRef = try inputs.string("data", hint: "a dataset: an upstream task's `data` output or a CSV path")
        let testSize = try inputs.optionalNumber("test_size") ?? 0.2
        guard testSize > 0, testSize < 1 else {
            throw inputs.failure("test_size must be a share between 0 and 1 (0.2 = 20 %), got \(JSONValue.format(testSize))")
        }
        let seed = try inputs.optionalInt("seed") ?? 0
        context.recordSeed(Int64(seed))
        let frame = try await Datasets.load(dataRef, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                      what: "split: input 'data'")
        let testRows: [Int]
        if let timeColumn = try inputs.optionalString("time_column") {
            testRows = try Self.latest(frame, column: timeColumn, share: testSize)
        } else {
            var groups: [CellValue: [Int]] = [:]
            if let label = try inputs.optionalString("label") {
                guard let column = frame[label] else {
                    throw inputs.failure("label column '\(label)' not found; columns are: \(frame.columnNames.joined(separator: ", "))")
                }
                for row in 0..<frame.rowCount { groups[column[row], default: []].append(row) }
            } else {
                groups[.null] = Array(0..<frame.rowCount)
            }
            testRows = Self.stratified(groups, rows: frame.rowCount, share: testSize, seed: seed)
        }
        let isTest = Set(testRows)
        let train = try frame.selecting(rows: (0..<frame.rowCount).filter { !isTest.contains($0) })
        let test = try frame.selecting(rows: testRows.sorted())
        guard train.rowCount > 0, test.rowCount > 0 else {
            throw inputs.failure("splitting \(frame.rowCount) rows with test_size \(JSONValue.format(testSize)) leaves an "
                + "empty part; use more rows or another test_size")
        }
        context.log("split \(frame.rowCount) rows: \(train.rowCount) train, \(test.rowCount) test")
        return [
            "train": .string(try await Datasets.store(train, artifacts: context.artifacts, what: name)),
            "test": .string(try await Datasets.store(test, artifacts: context.artifacts, what: name)),
            "train_rows": .number(Double(train.rowCount)), "test_rows": .number(Double(test.rowCount)),
        ]
    }

    /// A seeded random `share` of the rows, taken from each group in proportion to its size; the per-group counts
    /// are rounded by largest remainder so the total is exactly round(rows × share).
    private static func stratified(_ groups: [CellValue: [Int]], rows: Int, share: Double, seed: Int) -> [Int] {
        let keys = groups.keys.sorted { $0.description < $1.description }
        let exact = keys.map { Double(groups[$0]!.count) * share }
        var counts = exact.map { Int($0.rounded(.down)) }
        let target = Int((Double(rows) * share).rounded())
        let byRemainder = keys.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
        for index in byRemainder.prefix(max(0, target - counts.reduce(0, +))) { counts[index] += 1 }
        var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
        var chosen: [Int] = []
        for (index, key) in keys.enumerated() {
            chosen += groups[key]!.shuffled(using: &generator).prefix(counts[index])
        }
        return chosen
    }

    /// The rows of the latest `share` by `column` (numbers, or text such as ISO dates, compared in order).
    private static func latest(_ frame: DataFrame, column name: String, share: Double) throws -> [Int] {
        guard let column = frame[name] else {
            throw TaskFailure("split: time_column '\(name)' not found; columns are: \(frame.columnNames.joined(separator: ", "))")
        }
        guard column.nullCount == 0 else {
            throw TaskFailure("split: time_column '\(name)' has \(column.nullCount) missing value(s); fill or drop them first")
        }
        let order: [Int]
        if let numbers = column.numericValues {
            order = (0..<frame.rowCount).sorted { numbers[$0]! < numbers[$1]! || (numbers[$0]! == numbers[$1]! && $0 < $1) }
        } else if let texts = column.stringValues {
            order = (0..<frame.rowCount).sorted { texts[$0]! < texts[$1]! || (texts[$0]! == texts[$1]! && $0 < $1) }
        } else {
            throw TaskFailure("split: time_column '\(name)' must hold numbers or ISO-8601 text, not \(column.type)")
        }
        return Array(order.suffix(Int((Double(frame.rowCount) * share).rounded())))
    }
}
