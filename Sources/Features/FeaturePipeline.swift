import Foundation
import Tabular

/// An ordered list of transforms, decoded from `{"steps": [{"<transform>": {...}}, ...]}` (see ``FeatureTransform``).
public struct FeaturePipeline: Codable, Sendable, Equatable {
    /// The transforms, applied in order.
    public var steps: [FeatureTransform]

    enum CodingKeys: String, CodingKey {
        case steps
    }

    /// Creates a pipeline.
    /// - Parameters:
    ///   - steps: The transforms in order.
    public init(steps: [FeatureTransform]) {
        self.steps = steps
    }

    /// Decodes a pipeline, rejecting unknown keys.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError` naming the problem.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["steps"], in: "pipeline")
        steps = try decoder.container(keyedBy: CodingKeys.self).decode([FeatureTransform].self, forKey: .steps)
    }

    /// Decodes a pipeline from JSON.
    /// - Parameters:
    ///   - json: UTF-8 JSON text.
    /// - Throws: ``FeatureConfigError`` naming the key path and problem.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(FeaturePipeline.self, from: json)
        } catch let error as DecodingError {
            throw FeatureConfigError(error)
        }
    }

    /// Fits every step in order; each step is fitted on the training frame as transformed by the steps before it.
    /// - Parameters:
    ///   - frame: The training frame; statistics come from it only.
    /// - Throws: ``FeatureError`` or ``TabularError`` from the first failing step.
    public func fit(on frame: DataFrame) throws -> FittedPipeline {
        try fitTransform(on: frame).pipeline
    }

    /// Fits every step and also returns the transformed training frame.
    /// - Parameters:
    ///   - frame: The training frame.
    /// - Throws: ``FeatureError`` or ``TabularError`` from the first failing step.
    public func fitTransform(on frame: DataFrame) throws -> (pipeline: FittedPipeline, frame: DataFrame) {
        var current = frame
        var fitted: [FittedTransform] = []
        for step in steps {
            let fittedStep = try step.fit(on: current)
            current = try fittedStep.apply(to: current)
            fitted.append(fittedStep)
        }
        return (FittedPipeline(steps: fitted), current)
    }
}
