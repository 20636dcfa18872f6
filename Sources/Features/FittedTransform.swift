import Foundation
import Tabular

/// A transform together with the statistics learned at fit time; Codable as `{"transform": {...}, "state": {...}}`
/// so it can be stored in a model file and re-applied at prediction time.
public struct FittedTransform: Codable, Sendable, Equatable {
    /// The declarative transform.
    public var transform: FeatureTransform
    /// The learned statistics (empty for stateless transforms).
    public var state: FittedState

    /// Creates a fitted transform from stored parts.
    /// - Parameters:
    ///   - transform: The transform.
    ///   - state: Its learned state.
    public init(transform: FeatureTransform, state: FittedState = FittedState()) {
        self.transform = transform
        self.state = state
    }

    /// Applies the transform using only the stored state (no statistics come from `frame`).
    /// - Parameters:
    ///   - frame: The frame to transform.
    /// - Throws: ``FeatureError`` or ``TabularError`` when columns are missing or have the wrong type.
    public func apply(to frame: DataFrame) throws -> DataFrame {
        var result = frame
        try apply(to: &result)
        return result
    }

    /// Applies the transform to `frame` in place (a pipeline copies its input's column list once, not per step).
    /// - Throws: As ``apply(to:)-(DataFrame)``; `frame` may then be partly transformed.
    public func apply(to frame: inout DataFrame) throws {
        switch transform {
        case .ratio(let spec):
            try binary(&frame, spec.numerator, spec.denominator, spec.output) { $1 == 0 ? nil : $0 / $1 }
        case .product(let spec):
            try binary(&frame, spec.left, spec.right, spec.output) { $0 * $1 }
        case .difference(let spec):
            try binary(&frame, spec.left, spec.right, spec.output) { $0 - $1 }
        case .log1p(let spec):
            try unary(&frame, spec.column, spec.outputName) { $0 <= -1 ? nil : log1p($0) }
        case .standardize(let spec):
            let mean = try required(state.mean, "mean", spec.column)
            let std = try required(state.std, "std", spec.column)
            try unary(&frame, spec.column, spec.outputName) { std == 0 ? 0 : ($0 - mean) / std }
        case .minMax(let spec):
            let low = try required(state.min, "min", spec.column)
            let high = try required(state.max, "max", spec.column)
            try unary(&frame, spec.column, spec.outputName) { high == low ? 0 : ($0 - low) / (high - low) }
        case .bucketize(let spec):
            try bucketize(&frame, spec)
        case .oneHot(let spec):
            try oneHot(&frame, spec, categories: required(state.categories, "categories", spec.column))
        case .ordinal(let spec):
            try ordinal(&frame, spec, categories: required(state.categories, "categories", spec.column))
        case .dateParts(let spec):
            try dateParts(&frame, spec)
        case .fillMissing(let spec):
            try fill(&frame, spec, with: required(state.fill, "fill", spec.column))
        }
    }

    /// A required state field, or ``FeatureError/missingState(transform:column:field:)``.
    private func required<T>(_ value: T?, _ field: String, _ column: String) throws -> T {
        guard let value else { throw FeatureError.missingState(transform: transform.name, column: column, field: field) }
        return value
    }

    /// Applies `operation` to two numeric columns; nulls and `nil` results become null.
    private func binary(_ frame: inout DataFrame, _ left: String, _ right: String, _ output: String,
                        _ operation: (Double, Double) -> Double?) throws {
        let a = try NumericInput(frame, left, transform: transform.name)
        let b = try NumericInput(frame, right, transform: transform.name)
        var values = [Double](repeating: 0, count: frame.rowCount)
        var valid = [Bool](repeating: false, count: frame.rowCount)
        for row in 0..<frame.rowCount where a.valid[row] && b.valid[row] {
            if let value = operation(a.values[row], b.values[row]) {
                values[row] = value
                valid[row] = true
            }
        }
        try frame.place(Column(name: output, storage: .double(values), validity: valid), source: nil, transform: transform.name)
    }

    /// Applies `operation` to one numeric column; nulls and `nil` results become null.
    func unary(_ frame: inout DataFrame, _ input: String, _ output: String,
               _ operation: (Double) -> Double?) throws {
        let x = try NumericInput(frame, input, transform: transform.name)
        var values = [Double](repeating: 0, count: frame.rowCount)
        var valid = [Bool](repeating: false, count: frame.rowCount)
        for row in 0..<frame.rowCount where x.valid[row] {
            if let value = operation(x.values[row]) {
                values[row] = value
                valid[row] = true
            }
        }
        try frame.place(Column(name: output, storage: .double(values), validity: valid), source: input, transform: transform.name)
    }
}
