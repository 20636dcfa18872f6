import Foundation

extension LogisticRegressionModel: Codable {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", featureNames = "feature_names", means, scales, intercept
        case coefficients, l2, iterations, converged
    }

    /// Decodes a model, checking the format version and array lengths.
    /// - Parameter decoder: The decoder.
    /// - Throws: ``LinearModelError/malformedModel(_:)`` on a version or shape problem.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw LinearModelError.malformedModel("format_version \(version) is not supported (expected \(Self.formatVersion))")
        }
        let names = try c.decode([String].self, forKey: .featureNames)
        let means = try c.decode([Double].self, forKey: .means)
        let scales = try c.decode([Double].self, forKey: .scales)
        let coefficients = try c.decode([Double].self, forKey: .coefficients)
        guard names.count == means.count, means.count == scales.count, scales.count == coefficients.count,
              scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw LinearModelError.malformedModel("feature_names, means, scales and coefficients must have equal length, scales > 0")
        }
        self.init(featureNames: names, means: means, scales: scales, intercept: try c.decode(Double.self, forKey: .intercept),
                  coefficients: coefficients, l2: try c.decode(Double.self, forKey: .l2),
                  iterations: try c.decode(Int.self, forKey: .iterations), converged: try c.decode(Bool.self, forKey: .converged))
    }

    /// Encodes the model with `format_version` 1.
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(featureNames, forKey: .featureNames)
        try c.encode(means, forKey: .means)
        try c.encode(scales, forKey: .scales)
        try c.encode(intercept, forKey: .intercept)
        try c.encode(coefficients, forKey: .coefficients)
        try c.encode(l2, forKey: .l2)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(converged, forKey: .converged)
    }
}
