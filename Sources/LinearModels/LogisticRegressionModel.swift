import Foundation

/// A fitted logistic regression: standardisation parameters and coefficients on the standardised scale.
///
/// JSON (Codable) keys: `format_version` (1), `feature_names`, `means`, `scales`, `intercept`, `coefficients`,
/// `l2`, `iterations`, `converged`. margin = intercept + Σⱼ coefficients[j]·(xⱼ − means[j]) / scales[j].
public struct LogisticRegressionModel: Sendable, Equatable {
    /// The JSON format version this build writes and reads.
    public static let formatVersion = 1
    /// Feature names, in column order.
    public let featureNames: [String]
    /// Training column means.
    public let means: [Double]
    /// Training column population standard deviations (1 for constant columns).
    public let scales: [Double]
    /// Intercept on the standardised scale.
    public let intercept: Double
    /// Coefficients on the standardised scale.
    public let coefficients: [Double]
    /// The L2 penalty used.
    public let l2: Double
    /// Newton iterations performed.
    public let iterations: Int
    /// Whether the gradient tolerance was reached.
    public let converged: Bool

    /// Creates a model from its parts.
    /// - Parameters:
    ///   - featureNames: Names, one per coefficient.
    ///   - means: Column means.
    ///   - scales: Column scales (> 0).
    ///   - intercept: Intercept on the standardised scale.
    ///   - coefficients: Coefficients on the standardised scale.
    ///   - l2: Penalty used.
    ///   - iterations: Iterations performed.
    ///   - converged: Whether the solver converged.
    public init(featureNames: [String], means: [Double], scales: [Double], intercept: Double, coefficients: [Double],
                l2: Double, iterations: Int, converged: Bool) {
        self.featureNames = featureNames
        self.means = means
        self.scales = scales
        self.intercept = intercept
        self.coefficients = coefficients
        self.l2 = l2
        self.iterations = iterations
        self.converged = converged
    }

    /// Coefficients and intercept on the original (unstandardised) feature scale.
    public var originalScale: (intercept: Double, coefficients: [Double]) {
        let raw = self.coefficients.indices.map { self.coefficients[$0] / scales[$0] }
        var b = intercept
        for j in raw.indices { b -= raw[j] * means[j] }
        return (b, raw)
    }

    /// Log-odds for each row.
    /// - Parameter columns: Feature columns in training order, finite values.
    /// - Returns: One margin per row.
    /// - Throws: ``LinearModelError/featureCountMismatch(expected:found:)``, ``LinearModelError/countMismatch(what:expected:found:)``
    ///   or ``LinearModelError/nonFiniteFeature(column:row:)``.
    public func predictMargin(columns: [[Double]]) throws -> [Double] {
        guard columns.count == coefficients.count else {
            throw LinearModelError.featureCountMismatch(expected: coefficients.count, found: columns.count)
        }
        let n = columns.first?.count ?? 0
        var out = [Double](repeating: intercept, count: n)
        for (j, column) in columns.enumerated() {
            guard column.count == n else { throw LinearModelError.countMismatch(what: "values in a column", expected: n, found: column.count) }
            let c = coefficients[j] / scales[j], m = means[j]
            for i in 0..<n {
                guard column[i].isFinite else { throw LinearModelError.nonFiniteFeature(column: j, row: i) }
                out[i] += c * (column[i] - m)
            }
        }
        return out
    }

    /// Probabilities of class 1 for each row.
    /// - Parameter columns: Feature columns in training order, finite values.
    /// - Returns: One probability per row.
    /// - Throws: As ``predictMargin(columns:)``.
    public func predictProbability(columns: [[Double]]) throws -> [Double] {
        try predictMargin(columns: columns).map { 1 / (1 + exp(-$0)) }
    }
}
