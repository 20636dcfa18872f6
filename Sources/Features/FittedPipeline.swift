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
        var result = frame  // copied once, at the first step's change; each step then changes it in place
        try apply(to: &result)
        return result
    }

    /// Applies every step in order to `frame`, in place.
    /// - Throws: As ``apply(to:)-(DataFrame)``; `frame` may then be partly transformed.
    public func apply(to frame: inout DataFrame) throws {
        for step in steps { try step.apply(to: &frame) }
    }
}
