import Foundation

/// L2-regularised logistic regression on internally standardised inputs, solved by Newton's method (IRLS)
/// with step halving.
///
/// Minimises Σᵢ wᵢ·logloss(yᵢ, σ(b + βᵀzᵢ)) + (l2/2)·‖β‖², where zᵢ is the row standardised with the training
/// means and population standard deviations (constant columns get scale 1) and the intercept b is not
/// penalised. `l2 = 1/C` reproduces scikit-learn's `LogisticRegression(C=C)` fitted on standardised inputs.
/// Deterministic: no randomness, fixed summation order.
///
/// ```swift
/// let model = try LogisticRegression(l2: 1).fit(columns: x, labels: y)
/// let p = try model.predictProbability(columns: xTest)
/// ```
public struct LogisticRegression: Sendable {
    /// L2 penalty strength on the standardised coefficients (≥ 0). Default 1 (scikit-learn's C = 1).
    public var l2: Double
    /// Maximum Newton iterations, 1…``maxIterationsLimit``. Default 100.
    public var maxIterations: Int
    /// Stop when the largest absolute gradient component, divided by the total weight, is below this. Default 1e-10.
    public var tolerance: Double

    /// The largest accepted ``maxIterations``: 10,000.
    public static let maxIterationsLimit = 10_000

    /// Creates a solver configuration.
    /// - Parameters:
    ///   - l2: L2 penalty (≥ 0).
    ///   - maxIterations: Newton iteration cap (≥ 1).
    ///   - tolerance: Gradient tolerance (> 0).
    public init(l2: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-10) {
        self.l2 = l2
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// Fits the model.
    /// - Parameters:
    ///   - columns: Feature columns (column-major), all finite and equally long.
    ///   - labels: 0/1 labels, one per row, both classes present.
    ///   - weights: Optional sample weights (finite, ≥ 0, not all 0).
    ///   - featureNames: Optional names stored in the model; default `f0`, `f1`, …
    ///   - shouldStop: Asked before every Newton iteration; when it returns `true`, fitting stops with
    ///     ``LinearModelError/cancelled(iteration:)``.
    /// - Returns: The fitted model (check ``LogisticRegressionModel/converged``).
    /// - Throws: ``LinearModelError`` for invalid settings or input, a singular Hessian, or cancellation.
    public func fit(columns: [[Double]], labels: [Double], weights: [Double]? = nil,
                    featureNames: [String]? = nil,
                    shouldStop: (@Sendable () -> Bool)? = nil) throws -> LogisticRegressionModel {
        try validate(columns: columns, labels: labels, weights: weights, featureNames: featureNames)
        let n = labels.count, p = columns.count, d = p + 1
        var means = [Double](repeating: 0, count: p), scales = [Double](repeating: 1, count: p)
        for j in 0..<p {
            let mean = columns[j].reduce(0, +) / Double(n)
            var sq = 0.0
            for v in columns[j] { sq += (v - mean) * (v - mean) }
            let sd = (sq / Double(n)).squareRoot()
            means[j] = mean
            scales[j] = sd > 0 ? sd : 1
        }
        // Standardised design, row-major with a leading 1 for the intercept.
        var z = [Double](repeating: 1, count: n * d)
        for j in 0..<p {
            let m = means[j], s = scales[j]
            for i in 0..<n { z[i * d + j + 1] = (columns[j][i] - m) / s }
        }
        var theta = [Double](repeating: 0, count: d)
        var objective = Self.objective(theta, z: z, labels: labels, weights: weights, l2: l2, d: d)
        var iterations = 0, converged = false
        let totalWeight = weights?.reduce(0, +) ?? Double(n)
        while iterations < maxIterations {
            if shouldStop?() == true { throw LinearModelError.cancelled(iteration: iterations) }
            let (gradient, hessian) = Self.derivatives(theta, z: z, labels: labels, weights: weights, l2: l2, d: d)
            if gradient.map(abs).max()! / totalWeight < tolerance {
                converged = true
                break
            }
            guard let step = Self.solve(hessian, gradient, d: d) else { throw LinearModelError.singularHessian }
            iterations += 1
            var t = 1.0, accepted = false
            for _ in 0..<40 {
                let candidate = zip(theta, step).map { $0 - t * $1 }
                let value = Self.objective(candidate, z: z, labels: labels, weights: weights, l2: l2, d: d)
                if value <= objective {
                    theta = candidate
                    objective = value
                    accepted = true
                    break
                }
                t /= 2
            }
            if !accepted {
                converged = true  // no further decrease possible in floating point
                break
            }
        }
        return LogisticRegressionModel(
            featureNames: featureNames ?? (0..<p).map { "f\($0)" }, means: means, scales: scales,
            intercept: theta[0], coefficients: Array(theta[1...]), l2: l2, iterations: iterations,
            converged: converged)
    }
}
