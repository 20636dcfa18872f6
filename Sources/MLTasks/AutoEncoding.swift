import Features
import Tabular

/// The encoding steps `train` adds to a model's transform so raw text columns can be learned from.
///
/// - gbdt: every text column gets an `ordinal` step; when it has at most 254 categories it is marked
///   categorical for the trees (unseen and missing categories go the learned missing-value way).
/// - logistic: text columns with at most 50 categories get `one_hot`, others `ordinal`; every numeric column with
///   missing values gets `fill_missing` (mean); numeric columns without any value are not used.
enum AutoEncoding {
    /// The largest category count one-hot encoded for logistic regression.
    static let oneHotLimit = 50

    /// The steps to add after the user's transforms, and the columns to leave out of the features.
    static func steps(for frame: DataFrame, algorithm: ModelAlgorithm) -> (steps: [FeatureTransform], unusable: Set<String>) {
        var steps: [FeatureTransform] = []
        var unusable: Set<String> = []
        for column in frame.columns {
            let allNull = column.nullCount == column.count
            switch column.type {
            case .string:
                if algorithm == .logistic, Set(column.stringValues!.compactMap { $0 }).count <= oneHotLimit {
                    if allNull { unusable.insert(column.name) }
                    steps.append(.oneHot(OneHotSpec(column: column.name, prefix: column.name)))
                } else {
                    steps.append(.ordinal(ColumnSpec(column: column.name)))
                }
            case .int, .double:
                guard algorithm == .logistic, column.nullCount > 0 else { continue }
                if allNull || column.numericValues!.allSatisfy({ $0 == nil || !$0!.isFinite }) {
                    unusable.insert(column.name)
                } else {
                    steps.append(.fillMissing(FillMissingSpec(column: column.name, strategy: .mean)))
                }
            case .bool:
                guard algorithm == .logistic, column.nullCount > 0 else { continue }
                if allNull { unusable.insert(column.name) } else {
                    steps.append(.fillMissing(FillMissingSpec(column: column.name, strategy: .mostFrequent)))
                }
            }
        }
        return (steps, unusable)
    }

    /// Whether an auto-encoded ordinal column has few enough categories to be split as categorical by the trees.
    static func isCategorical(_ column: Column) -> Bool {
        guard let codes = column.intValues else { return false }
        let largest = codes.compactMap { $0 }.max() ?? -1
        return largest < 254
    }
}
