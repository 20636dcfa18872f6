/// Counts of a binary classifier's outcomes at one decision threshold.
///
/// A sample is predicted positive when `score >= threshold`.
/// Ratios whose denominator is zero are defined as 0 (scikit-learn's `zero_division=0`).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Positives predicted positive.
    public var truePositives: Int
    /// Negatives predicted positive.
    public var falsePositives: Int
    /// Negatives predicted negative.
    public var trueNegatives: Int
    /// Positives predicted negative.
    public var falseNegatives: Int

    /// Creates a confusion matrix from counts.
    /// - Parameters:
    ///   - truePositives: Positives predicted positive.
    ///   - falsePositives: Negatives predicted positive.
    ///   - trueNegatives: Negatives predicted negative.
    ///   - falseNegatives: Positives predicted negative.
    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts outcomes of `scores` against `labels` at `threshold`.
    /// - Parameters:
    ///   - labels: 0/1 labels.
    ///   - scores: Scores or probabilities, same length as `labels`.
    ///   - threshold: A sample is predicted positive when its score is `>= threshold`. Default 0.5.
    /// - Throws: ``MetricsError`` for empty, mismatched, non-0/1 labels or non-finite scores.
    public init(labels: [Double], scores: [Double], threshold: Double = 0.5) throws {
        try MetricsValidation.check(labels: labels, scores: scores)
        var tp = 0, fp = 0, tn = 0, fn = 0
        for i in labels.indices {
            let predicted = scores[i] >= threshold
            if labels[i] == 1 {
                if predicted { tp += 1 } else { fn += 1 }
            } else {
                if predicted { fp += 1 } else { tn += 1 }
            }
        }
        self.init(truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn)
    }

    /// Number of samples counted.
    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }

    /// TP / (TP + FP); 0 when nothing is predicted positive.
    public var precision: Double {
        let d = truePositives + falsePositives
        return d == 0 ? 0 : Double(truePositives) / Double(d)
    }

    /// TP / (TP + FN); 0 when there are no positives.
    public var recall: Double {
        let d = truePositives + falseNegatives
        return d == 0 ? 0 : Double(truePositives) / Double(d)
    }

    /// 2·TP / (2·TP + FP + FN), the F1 score of the positive class; 0 when TP + FP + FN = 0.
    public var f1: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d == 0 ? 0 : Double(2 * truePositives) / Double(d)
    }

    /// (TP + TN) / total; 0 for an empty matrix.
    public var accuracy: Double {
        total == 0 ? 0 : Double(truePositives + trueNegatives) / Double(total)
    }
}
