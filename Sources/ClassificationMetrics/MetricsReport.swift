/// Binary classification metrics computed together by ``BinaryMetrics/report(labels:scores:threshold:)``.
public struct MetricsReport: Sendable, Equatable, Codable {
    /// The decision threshold used for the confusion-matrix metrics.
    public var threshold: Double
    /// Outcome counts at `threshold`.
    public var confusionMatrix: ConfusionMatrix
    /// ROC AUC, or `nil` when only one class is present.
    public var rocAUC: Double?
    /// Average precision (PR AUC), or `nil` when only one class is present.
    public var averagePrecision: Double?
    /// Log loss, or `nil` when scores are not probabilities in [0, 1].
    public var logLoss: Double?

    /// F1 of the positive class at `threshold`.
    public var f1: Double { confusionMatrix.f1 }
    /// Precision at `threshold`.
    public var precision: Double { confusionMatrix.precision }
    /// Recall at `threshold`.
    public var recall: Double { confusionMatrix.recall }
    /// Accuracy at `threshold`.
    public var accuracy: Double { confusionMatrix.accuracy }

    /// Creates a report from already computed parts.
    /// - Parameters:
    ///   - threshold: The decision threshold.
    ///   - confusionMatrix: Counts at `threshold`.
    ///   - rocAUC: ROC AUC or `nil`.
    ///   - averagePrecision: Average precision or `nil`.
    ///   - logLoss: Log loss or `nil`.
    public init(threshold: Double, confusionMatrix: ConfusionMatrix, rocAUC: Double?,
                averagePrecision: Double?, logLoss: Double?) {
        self.threshold = threshold
        self.confusionMatrix = confusionMatrix
        self.rocAUC = rocAUC
        self.averagePrecision = averagePrecision
        self.logLoss = logLoss
    }
}
