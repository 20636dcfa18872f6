import Foundation

extension LogisticRegression {
    /// Checks settings and input.
    func validate(columns: [[Double]], labels: [Double], weights: [Double]?, featureNames: [String]?) throws {
        guard l2 >= 0, l2.isFinite else { throw LinearModelError.invalidParameter(name: "l2", value: l2, expected: "a finite number ≥ 0") }
        guard (1...Self.maxIterationsLimit).contains(maxIterations) else {
            throw LinearModelError.invalidParameter(
                name: "maxIterations", value: Double(maxIterations),
                expected: "a whole number in 1…\(Self.maxIterationsLimit) (Newton's method converges in tens of iterations)")
        }
        guard tolerance > 0 else { throw LinearModelError.invalidParameter(name: "tolerance", value: tolerance, expected: "> 0") }
        guard !columns.isEmpty, !labels.isEmpty else { throw LinearModelError.emptyInput }
        for column in columns where column.count != labels.count {
            throw LinearModelError.countMismatch(what: "values in a column", expected: labels.count, found: column.count)
        }
        if let names = featureNames, names.count != columns.count {
            throw LinearModelError.countMismatch(what: "feature names", expected: columns.count, found: names.count)
        }
        for (j, column) in columns.enumerated() {
            if let i = column.firstIndex(where: { !$0.isFinite }) { throw LinearModelError.nonFiniteFeature(column: j, row: i) }
        }
        var positives = 0
        for (i, y) in labels.enumerated() {
            guard y == 0 || y == 1 else { throw LinearModelError.invalidLabel(index: i, value: y) }
            if y == 1 { positives += 1 }
        }
        if positives == 0 { throw LinearModelError.singleClassLabels(presentClass: 0) }
        if positives == labels.count { throw LinearModelError.singleClassLabels(presentClass: 1) }
        if let weights {
            guard weights.count == labels.count else {
                throw LinearModelError.countMismatch(what: "weights", expected: labels.count, found: weights.count)
            }
            for (i, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
                throw LinearModelError.invalidWeight(index: i, value: w)
            }
            if !weights.contains(where: { $0 > 0 }) { throw LinearModelError.invalidWeight(index: 0, value: 0) }
        }
    }

    /// log(1 + e^x) without overflow.
    @inline(__always) static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// Penalised negative log-likelihood.
    static func objective(_ theta: [Double], z: [Double], labels: [Double], weights: [Double]?, l2: Double, d: Int) -> Double {
        var total = 0.0
        z.withUnsafeBufferPointer { zb in
            for i in 0..<labels.count {
                var m = 0.0
                for k in 0..<d { m += theta[k] * zb[i * d + k] }
                // −[y log σ(m) + (1−y) log(1−σ(m))] = softplus(m) − y·m
                total += (weights?[i] ?? 1) * (softplus(m) - labels[i] * m)
            }
        }
        var penalty = 0.0
        for k in 1..<d { penalty += theta[k] * theta[k] }
        return total + 0.5 * l2 * penalty
    }

    /// Gradient and Hessian (row-major d×d) of ``objective(_:z:labels:weights:l2:d:)``.
    static func derivatives(_ theta: [Double], z: [Double], labels: [Double], weights: [Double]?, l2: Double,
                            d: Int) -> ([Double], [Double]) {
        var gradient = [Double](repeating: 0, count: d)
        var hessian = [Double](repeating: 0, count: d * d)
        z.withUnsafeBufferPointer { zb in
            hessian.withUnsafeMutableBufferPointer { hb in
                for i in 0..<labels.count {
                    let row = zb.baseAddress! + i * d
                    var m = 0.0
                    for k in 0..<d { m += theta[k] * row[k] }
                    let p = 1 / (1 + exp(-m))
                    let w = weights?[i] ?? 1
                    let r = w * (p - labels[i]), s = w * p * (1 - p)
                    for a in 0..<d {
                        gradient[a] += r * row[a]
                        let sa = s * row[a]
                        let hRow = hb.baseAddress! + a * d
                        for b in a..<d { hRow[b] += sa * row[b] }
                    }
                }
            }
        }
        for k in 1..<d {
            gradient[k] += l2 * theta[k]
            hessian[k * d + k] += l2
        }
        for a in 0..<d { for b in 0..<a { hessian[a * d + b] = hessian[b * d + a] } }
        return (gradient, hessian)
    }

    /// Solves H x = g by Cholesky; `nil` when H is not positive definite.
    static func solve(_ h: [Double], _ g: [Double], d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var sum = h[i * d + j]
                for k in 0..<j { sum -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard sum > 1e-12 * max(1, h[i * d + i]) else { return nil }
                    l[i * d + i] = sum.squareRoot()
                } else {
                    l[i * d + j] = sum / l[j * d + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: d)
        for i in 0..<d {
            var sum = g[i]
            for k in 0..<i { sum -= l[i * d + k] * y[k] }
            y[i] = sum / l[i * d + i]
        }
        var x = [Double](repeating: 0, count: d)
        for i in stride(from: d - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<d { sum -= l[k * d + i] * x[k] }
            x[i] = sum / l[i * d + i]
        }
        return x
    }
}
