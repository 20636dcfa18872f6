/// Shared input checks for the metric functions.
enum MetricsValidation {
    /// Throws unless labels/scores are non-empty, equally long, labels 0/1 and scores finite.
    static func check(labels: [Double], scores: [Double]) throws {
        guard !labels.isEmpty else { throw MetricsError.emptyInput }
        guard labels.count == scores.count else {
            throw MetricsError.lengthMismatch(labels: labels.count, scores: scores.count)
        }
        for (i, y) in labels.enumerated() where y != 0 && y != 1 {
            throw MetricsError.invalidLabel(index: i, value: y)
        }
        for (i, s) in scores.enumerated() where !s.isFinite {
            throw MetricsError.nonFiniteScore(index: i, value: s)
        }
    }

    /// Throws ``MetricsError/singleClass(presentClass:)`` unless both classes occur; returns the positive count.
    @discardableResult
    static func requireBothClasses(_ labels: [Double]) throws -> Int {
        var positives = 0
        for y in labels where y == 1 { positives += 1 }
        if positives == 0 { throw MetricsError.singleClass(presentClass: 0) }
        if positives == labels.count { throw MetricsError.singleClass(presentClass: 1) }
        return positives
    }

    /// Indices of `scores` sorted by descending score (ties keep index order).
    static func descendingOrder(_ scores: [Double]) -> [Int] {
        var order = Array(scores.indices)
        order.sort { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order
    }
}
