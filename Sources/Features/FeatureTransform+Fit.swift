import Tabular

extension FeatureTransform {
    /// Learns the statistics this transform needs from `frame` only.
    /// - Parameters:
    ///   - frame: The training frame.
    /// - Throws: ``FeatureError`` or ``TabularError`` for missing columns, wrong types or nothing to fit.
    public func fit(on frame: DataFrame) throws -> FittedTransform {
        var state = FittedState()
        switch self {
        case .ratio(let spec):
            _ = try NumericInput(frame, spec.numerator, transform: name)
            _ = try NumericInput(frame, spec.denominator, transform: name)
        case .product(let spec), .difference(let spec):
            _ = try NumericInput(frame, spec.left, transform: name)
            _ = try NumericInput(frame, spec.right, transform: name)
        case .log1p(let spec):
            _ = try NumericInput(frame, spec.column, transform: name)
        case .standardize(let spec):
            let values = try finiteValues(frame, spec.column)
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            state = FittedState(mean: mean, std: variance.squareRoot())
        case .minMax(let spec):
            let values = try finiteValues(frame, spec.column)
            state = FittedState(min: values.min(), max: values.max())
        case .bucketize(let spec):
            _ = try NumericInput(frame, spec.column, transform: name)
            let bounds = spec.boundaries
            guard !bounds.isEmpty, bounds.allSatisfy(\.isFinite), zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw FeatureError.invalidBoundaries(column: spec.column, boundaries: bounds)
            }
        case .oneHot(let spec):
            state = FittedState(categories: try categories(frame, spec.column))
        case .ordinal(let spec):
            state = FittedState(categories: try categories(frame, spec.column))
        case .dateParts(let spec):
            let column = try frame.column(spec.column)
            guard column.type == .string else { throw FeatureError.notText(transform: name, column: spec.column, type: column.type) }
        case .fillMissing(let spec):
            state = FittedState(fill: try fillValue(frame, spec))
        }
        return FittedTransform(transform: self, state: state)
    }

    /// The finite non-null values of a numeric column; at least one is required.
    private func finiteValues(_ frame: DataFrame, _ column: String) throws -> [Double] {
        let values = try NumericInput(frame, column, transform: name).finiteValues
        guard !values.isEmpty else { throw FeatureError.nothingToFit(transform: name, column: column) }
        return values
    }

    /// The sorted distinct texts of a column's non-null values.
    private func categories(_ frame: DataFrame, _ column: String) throws -> [String] {
        Set(try frame.column(column).categoryTexts.compactMap { $0 }).sorted()
    }

    /// The replacement value for `fill_missing`.
    private func fillValue(_ frame: DataFrame, _ spec: FillMissingSpec) throws -> FillValue {
        let column = try frame.column(spec.column)
        switch spec.strategy {
        case .constant:
            let fits: Bool
            switch (column.type, spec.value) {
            case (.int, .number(let number)?): fits = number == number.rounded() && abs(number) <= 9e15
            case (.double, .number?), (.string, .string?), (.bool, .bool?): fits = true
            default: fits = false
            }
            guard fits, let value = spec.value else {
                throw FeatureError.invalidFillValue(column: spec.column, type: column.type, value: spec.value)
            }
            return value
        case .mean:
            let values = try finiteValues(frame, spec.column)
            return .number(values.reduce(0, +) / Double(values.count))
        case .median:
            let values = try finiteValues(frame, spec.column).sorted()
            let middle = values.count / 2
            return .number(values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2)
        case .mostFrequent:
            return try mostFrequent(column)
        }
    }

    /// The most common non-null value of a column; ties go to the smallest value.
    private func mostFrequent(_ column: Column) throws -> FillValue {
        var counts: [CellValue: Int] = [:]
        for row in 0..<column.count where !column.isNull(at: row) {
            let value = column[row]
            if case .double(let number) = value, number.isNaN { continue }
            counts[value, default: 0] += 1
        }
        let best = counts.max { lhs, rhs in
            lhs.value != rhs.value ? lhs.value < rhs.value : FeatureTransform.precedes(rhs.key, lhs.key)
        }
        switch best?.key {
        case .double(let value)?: return .number(value)
        case .int(let value)?: return .number(Double(value))
        case .string(let value)?: return .string(value)
        case .bool(let value)?: return .bool(value)
        default: throw FeatureError.nothingToFit(transform: name, column: column.name)
        }
    }

    /// The tie-break order of `most_frequent`: numbers ascending, text lexicographic, false before true.
    private static func precedes(_ lhs: CellValue, _ rhs: CellValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a < b
        case (.bool(let a), .bool(let b)): return !a && b
        default: return (lhs.numericValue ?? 0) < (rhs.numericValue ?? 0)
        }
    }
}
