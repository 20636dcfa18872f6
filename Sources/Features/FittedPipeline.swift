import Tabular

/// Fitted steps of a ``FeaturePipeline``; Codable as `{"steps": [{"transform": {...}, "state": {...}}, ...]}`
/// for storage inside a model file.
public struct FittedPipeline: Codable, Sendable, Equatable {
    /// The fitted steps, applied in order.
    public var steps: [FittedTransform]

    /// Creates a fitted pipeline from stored steps.
    /// - Parameters:
    ///   - steps: The fitted steps.
    public init(steps: [FittedTransform]) {
        self.steps = steps
    }

    /// Applies every step in order using only stored state.
    /// - Parameters:
    ///   - frame: The frame to transform (e.g. prediction-time data).
    /// - Throws: ``FeatureError`` or ``TabularError`` from the first failing step.
    public func apply(to frame: DataFrame) throws -> DataFrame {
        try steps.reduce(frame) { try $1.apply(to: $0) }
    }
}
