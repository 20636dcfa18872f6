/// A dense feature table: column-major `Float` storage, NaN = missing, with per-column names and a categorical flag.
///
/// Categorical columns hold integer codes `0..<255` stored as floats (NaN = missing); they are split by
/// category partitions instead of thresholds (see ``GradientBoostedTrees``).
///
/// ```swift
/// let x = try FeatureMatrix(columns: [[1, 2, .nan], [0, 1, 1]], names: ["age", "plan"],
///                           isCategorical: [false, true])
/// ```
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (samples).
    public let rowCount: Int
    /// Number of columns (features).
    public let columnCount: Int
    /// Column-major values: element `(row, column)` is at `column * rowCount + row`.
    public let values: [Float]
    /// Column names, unique; default `f0`, `f1`, …
    public let names: [String]
    /// Whether each column holds categorical codes.
    public let isCategorical: [Bool]

    /// The largest number of categories a categorical column may have (codes `0..<maximumCategoryCount`).
    public static let maximumCategoryCount = 255

    /// Creates a matrix from column-major contiguous storage.
    /// - Parameters:
    ///   - rowCount: Number of rows.
    ///   - columnCount: Number of columns.
    ///   - columnMajorValues: `rowCount * columnCount` values, column after column; NaN = missing.
    ///   - names: Column names (unique); `nil` gives `f0`, `f1`, …
    ///   - isCategorical: Per-column categorical flag; `nil` means all numeric.
    /// - Throws: ``BoostingError/invalidFeatureMatrix(_:)`` when sizes disagree, names repeat, a numeric value is
    ///   infinite, or a categorical value is not an integer code in `0..<255`.
    public init(rowCount: Int, columnCount: Int, columnMajorValues: [Float], names: [String]? = nil,
                isCategorical: [Bool]? = nil) throws {
        guard rowCount >= 0, columnCount >= 0, columnMajorValues.count == rowCount * columnCount else {
            throw BoostingError.invalidFeatureMatrix(
                "storage holds \(columnMajorValues.count) values but rowCount × columnCount = "
                    + "\(rowCount) × \(columnCount); pass exactly rowCount × columnCount values, column-major.")
        }
        let names = names ?? (0..<columnCount).map { "f\($0)" }
        let categorical = isCategorical ?? Array(repeating: false, count: columnCount)
        guard names.count == columnCount, categorical.count == columnCount else {
            throw BoostingError.invalidFeatureMatrix(
                "got \(names.count) names and \(categorical.count) categorical flags for \(columnCount) columns; "
                    + "pass one of each per column.")
        }
        // Pairwise for a few names (a prediction request builds a matrix per call); hashed for many.
        let unique = names.count <= 24
            ? names.indices.allSatisfy { i in !names[..<i].contains(names[i]) } : Set(names).count == names.count
        guard unique else {
            throw BoostingError.invalidFeatureMatrix("column names repeat; give every column a unique name.")
        }
        try columnMajorValues.withUnsafeBufferPointer { buffer in
            for column in 0..<columnCount {
                let base = column * rowCount
                for row in 0..<rowCount {
                    let v = buffer[base + row]
                    if v.isNaN { continue }
                    if categorical[column] {
                        guard v >= 0, v < Float(Self.maximumCategoryCount), v == v.rounded() else {
                            throw BoostingError.invalidFeatureMatrix(
                                "categorical column '\(names[column])' has value \(v) at row \(row); "
                                    + "use integer codes 0..<\(Self.maximumCategoryCount) or NaN for missing.")
                        }
                    } else if !v.isFinite {
                        throw BoostingError.invalidFeatureMatrix(
                            "column '\(names[column])' has \(v) at row \(row); replace infinite values by a "
                                + "finite value or NaN (missing).")
                    }
                }
            }
        }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = columnMajorValues
        self.names = names
        self.isCategorical = categorical
    }

    /// Creates a matrix from an array of columns.
    /// - Parameters:
    ///   - columns: One `[Double]` per column, all of the same length; NaN = missing.
    ///   - names: Column names (unique); `nil` gives `f0`, `f1`, …
    ///   - isCategorical: Per-column categorical flag; `nil` means all numeric.
    /// - Throws: ``BoostingError/invalidFeatureMatrix(_:)`` as ``init(rowCount:columnCount:columnMajorValues:names:isCategorical:)``,
    ///   or when the columns have different lengths.
    public init(columns: [[Double]], names: [String]? = nil, isCategorical: [Bool]? = nil) throws {
        let rows = columns.first?.count ?? 0
        guard columns.allSatisfy({ $0.count == rows }) else {
            throw BoostingError.invalidFeatureMatrix("columns have different lengths; pass equally long columns.")
        }
        var storage = [Float]()
        storage.reserveCapacity(rows * columns.count)
        for column in columns { storage.append(contentsOf: column.lazy.map { Float($0) }) }
        try self.init(rowCount: rows, columnCount: columns.count, columnMajorValues: storage, names: names,
                      isCategorical: isCategorical)
    }

    /// The value at `row`, `column` (NaN when missing).
    /// - Parameters:
    ///   - row: Row index.
    ///   - column: Column index.
    public subscript(row: Int, column: Int) -> Float { values[column * rowCount + row] }

    /// A new matrix holding the given rows, in the given order, with the same columns.
    /// - Parameter rowIndices: Row indices into this matrix.
    /// - Returns: The selected rows.
    public func selectingRows(_ rowIndices: [Int]) -> FeatureMatrix {
        var storage = [Float](repeating: 0, count: rowIndices.count * columnCount)
        for column in 0..<columnCount {
            let source = column * rowCount, target = column * rowIndices.count
            for (k, row) in rowIndices.enumerated() { storage[target + k] = values[source + row] }
        }
        return FeatureMatrix(unchecked: rowIndices.count, columnCount, storage, names, isCategorical)
    }

    /// Memberwise initialiser for storage already known to be valid.
    init(unchecked rows: Int, _ columns: Int, _ values: [Float], _ names: [String], _ categorical: [Bool]) {
        self.rowCount = rows
        self.columnCount = columns
        self.values = values
        self.names = names
        self.isCategorical = categorical
    }
}
