import PipelineTesting
import Tabular

/// How much of each extracted dataset a smoke run keeps: a number of rows or a fraction, drawn with a seed.
public struct DataSample: Sendable, Hashable, CustomStringConvertible {
    /// The size of the sample.
    public enum Size: Sendable, Hashable {
        /// At most this many rows.
        case rows(Int)
        /// This share of the rows (0 < share < 1), rounded, at least one row of a non-empty dataset.
        case fraction(Double)
    }

    /// The size.
    public var size: Size
    /// The seed of the draw: the same seed keeps the same rows.
    public var seed: UInt64

    /// Creates a sample setting.
    public init(size: Size, seed: UInt64 = 0) {
        self.size = size
        self.seed = seed
    }

    /// Reads `--sample`: a whole number ≥ 1 is a row count, a number strictly between 0 and 1 a fraction.
    /// - Returns: `nil` for anything else.
    public static func size(parsing text: String) -> Size? {
        if let rows = Int(text), rows >= 1 { return .rows(rows) }
        if let share = Double(text), share > 0, share < 1 { return .fraction(share) }
        return nil
    }

    /// `KILN_SAMPLE`'s value: `1000` or `0.05`.
    public var description: String {
        switch size {
        case .rows(let rows): return "\(rows)"
        case .fraction(let share): return "\(share)"
        }
    }

    /// How many of `total` rows the sample keeps.
    public func count(of total: Int) -> Int {
        switch size {
        case .rows(let rows): return min(rows, total)
        case .fraction(let share): return total == 0 ? 0 : min(total, max(1, Int((Double(total) * share).rounded())))
        }
    }

    /// The rows of `total` kept, in their original order: a seeded uniform draw without replacement.
    public func indices(of total: Int) -> [Int] {
        let count = count(of: total)
        guard count < total else { return Array(0..<total) }
        var generator = SeededRandomNumberGenerator(seed: seed)
        var order = Array(0..<total)
        for index in 0..<count {
            let pick = Int.random(in: index..<total, using: &generator)
            order.swapAt(index, pick)
        }
        return order[0..<count].sorted()
    }

    /// The sampled frame.
    func apply(_ frame: DataFrame) throws -> DataFrame {
        let kept = indices(of: frame.rowCount)
        return kept.count == frame.rowCount ? frame : try frame.selecting(rows: kept)
    }
}
