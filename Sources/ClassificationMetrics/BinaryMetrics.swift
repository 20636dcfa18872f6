import Foundation

/// Binary classification metrics over 0/1 labels and real-valued scores.
///
/// ```swift
/// let auc = try BinaryMetrics.rocAUC(labels: y, scores: p)
/// let best = try BinaryMetrics.f1OptimalThreshold(labels: y, scores: p)
/// let report = try BinaryMetrics.report(labels: y, scores: p, threshold: best.threshold)
/// ```
///
/// Edge cases: empty or mismatched input, labels other than 0/1 and NaN/infinite scores throw ``MetricsError``;
/// ROC AUC and average precision throw ``MetricsError/singleClass(presentClass:)`` when only one class is
/// present (as scikit-learn raises); threshold metrics use 0 for a zero denominator.
public enum BinaryMetrics {
    /// Area under the ROC curve, tie-aware (Mann–Whitney U with average ranks), as `sklearn.metrics.roc_auc_score`.
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - scores: Scores, higher meaning more likely positive.
    /// - Returns: AUC in [0, 1].
    /// - Throws: ``MetricsError`` on invalid input or when only one class is present.
    public static func rocAUC(labels: [Double], scores: [Double]) throws -> Double {
        try MetricsValidation.check(labels: labels, scores: scores)
        let positives = try MetricsValidation.requireBothClasses(labels)
        let negatives = labels.count - positives
        var order = Array(scores.indices)
        order.sort { scores[$0] < scores[$1] }
        var rankSumPositives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j) / 2 + 1  // 1-based average rank of the tie group
            var positivesInGroup = 0
            for k in i...j where labels[order[k]] == 1 { positivesInGroup += 1 }
            rankSumPositives += averageRank * Double(positivesInGroup)
            i = j + 1
        }
        let p = Double(positives)
        let u = rankSumPositives - p * (p + 1) / 2
        return u / (p * Double(negatives))
    }

    /// Average precision, the step-wise area under the precision–recall curve, as
    /// `sklearn.metrics.average_precision_score`: Σₙ (Rₙ − Rₙ₋₁) Pₙ over distinct score thresholds.
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - scores: Scores, higher meaning more likely positive.
    /// - Returns: Average precision in [0, 1].
    /// - Throws: ``MetricsError`` on invalid input; ``MetricsError/singleClass(presentClass:)`` when there is
    ///   no positive (recall undefined). With only positives the result is 1.
    public static func averagePrecision(labels: [Double], scores: [Double]) throws -> Double {
        try MetricsValidation.check(labels: labels, scores: scores)
        var positives = 0
        for y in labels where y == 1 { positives += 1 }
        if positives == 0 { throw MetricsError.singleClass(presentClass: 0) }
        let order = MetricsValidation.descendingOrder(scores)
        var tp = 0, fp = 0
        var previousRecall = 0.0
        var ap = 0.0
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let recall = Double(tp) / Double(positives)
            let precision = Double(tp) / Double(tp + fp)
            ap += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return ap
    }

    /// Mean binary cross-entropy with probabilities clipped to [1e-15, 1 − 1e-15].
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - probabilities: Predicted probabilities of class 1, each in [0, 1].
    /// - Returns: The mean log loss (natural log). Defined for a single class too.
    /// - Throws: ``MetricsError`` on invalid input or a probability outside [0, 1].
    public static func logLoss(labels: [Double], probabilities: [Double]) throws -> Double {
        try MetricsValidation.check(labels: labels, scores: probabilities)
        let eps = 1e-15
        var total = 0.0
        for i in labels.indices {
            let raw = probabilities[i]
            guard raw >= 0 && raw <= 1 else { throw MetricsError.probabilityOutOfRange(index: i, value: raw) }
            let p = min(max(raw, eps), 1 - eps)
            total -= labels[i] == 1 ? log(p) : log(1 - p)
        }
        return total / Double(labels.count)
    }

    /// The threshold that maximises F1 over all distinct scores (a sample is positive when `score >= threshold`).
    ///
    /// Ties in F1 are broken toward the highest threshold (fewest predicted positives).
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - scores: Scores, higher meaning more likely positive.
    /// - Returns: The chosen threshold and the F1 reached there.
    /// - Throws: ``MetricsError`` on invalid input; ``MetricsError/singleClass(presentClass:)`` when there is
    ///   no positive (F1 is 0 at every threshold).
    public static func f1OptimalThreshold(labels: [Double], scores: [Double]) throws
        -> (threshold: Double, f1: Double)
    {
        try MetricsValidation.check(labels: labels, scores: scores)
        var positives = 0
        for y in labels where y == 1 { positives += 1 }
        if positives == 0 { throw MetricsError.singleClass(presentClass: 0) }
        let order = MetricsValidation.descendingOrder(scores)
        var tp = 0, fp = 0
        var best = (threshold: scores[order[0]], f1: -1.0)
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let f1 = Double(2 * tp) / Double(tp + fp + positives)
            if f1 > best.f1 { best = (s, f1) }
        }
        return best
    }

    /// All metrics at one threshold plus the threshold-free ones.
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - scores: Predicted probabilities of class 1 (log loss needs [0, 1]).
    ///   - threshold: Decision threshold (`score >= threshold` is positive). Default 0.5.
    /// - Returns: A ``MetricsReport``; ROC AUC and average precision are `nil` when only one class is present.
    /// - Throws: ``MetricsError`` on invalid input.
    public static func report(labels: [Double], scores: [Double], threshold: Double = 0.5) throws -> MetricsReport {
        let matrix = try ConfusionMatrix(labels: labels, scores: scores, threshold: threshold)
        let both = matrix.truePositives + matrix.falseNegatives > 0
            && matrix.trueNegatives + matrix.falsePositives > 0
        let inUnitInterval = scores.allSatisfy { $0 >= 0 && $0 <= 1 }
        return MetricsReport(
            threshold: threshold, confusionMatrix: matrix,
            rocAUC: both ? try rocAUC(labels: labels, scores: scores) : nil,
            averagePrecision: both ? try averagePrecision(labels: labels, scores: scores) : nil,
            logLoss: inUnitInterval ? try logLoss(labels: labels, probabilities: scores) : nil)
    }
}
