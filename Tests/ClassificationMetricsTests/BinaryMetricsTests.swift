import Testing

@testable import ClassificationMetrics

/// Expected values from scikit-learn via Fixtures/make_fixtures.py (MetricsFixtures.swift); tolerance 1e-12.
@Suite struct BinaryMetricsTests {
    let y = MetricsFixtures.labels, s = MetricsFixtures.scores

    @Test("ROC AUC with tied scores matches sklearn roc_auc_score")
    func rocAUC() throws {
        #expect(abs(try BinaryMetrics.rocAUC(labels: y, scores: s) - MetricsFixtures.rocAUC) < 1e-12)
    }

    @Test("ROC AUC of all-tied scores is 0.5 and of a perfect ranking is 1")
    func rocAUCEdges() throws {
        #expect(try BinaryMetrics.rocAUC(labels: [0, 1, 0, 1], scores: [0.3, 0.3, 0.3, 0.3]) == 0.5)
        #expect(try BinaryMetrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4]) == 1)
    }

    @Test("average precision matches sklearn average_precision_score")
    func averagePrecision() throws {
        #expect(abs(try BinaryMetrics.averagePrecision(labels: y, scores: s) - MetricsFixtures.averagePrecision) < 1e-12)
    }

    @Test("log loss with 1e-15 clipping matches sklearn log_loss (scores include exact 0 and 1)")
    func logLoss() throws {
        #expect(abs(try BinaryMetrics.logLoss(labels: y, probabilities: s) - MetricsFixtures.logLoss) < 1e-12)
    }

    @Test("confusion matrix and threshold metrics at 0.5 match sklearn")
    func thresholdMetrics() throws {
        let m = try ConfusionMatrix(labels: y, scores: s, threshold: 0.5)
        let c = MetricsFixtures.confusion
        #expect(m == ConfusionMatrix(truePositives: c.tp, falsePositives: c.fp, trueNegatives: c.tn, falseNegatives: c.fn))
        #expect(abs(m.f1 - MetricsFixtures.f1) < 1e-12)
        #expect(abs(m.precision - MetricsFixtures.precision) < 1e-12)
        #expect(abs(m.recall - MetricsFixtures.recall) < 1e-12)
        #expect(abs(m.accuracy - MetricsFixtures.accuracy) < 1e-12)
    }

    @Test("F1-optimal threshold matches a brute-force search over distinct scores")
    func optimalThreshold() throws {
        let best = try BinaryMetrics.f1OptimalThreshold(labels: y, scores: s)
        #expect(best.threshold == MetricsFixtures.bestThreshold)
        #expect(abs(best.f1 - MetricsFixtures.bestF1) < 1e-12)
        let atBest = try ConfusionMatrix(labels: y, scores: s, threshold: best.threshold)
        #expect(abs(atBest.f1 - best.f1) < 1e-12)
    }

    @Test("report bundles all metrics; ranking metrics are nil with a single class")
    func report() throws {
        let r = try BinaryMetrics.report(labels: y, scores: s)
        #expect(abs(r.f1 - MetricsFixtures.f1) < 1e-12)
        #expect(abs((r.rocAUC ?? 0) - MetricsFixtures.rocAUC) < 1e-12)
        let single = try BinaryMetrics.report(labels: [1, 1], scores: [0.2, 0.9])
        #expect(single.rocAUC == nil && single.averagePrecision == nil)
        #expect(single.recall == 0.5 && single.precision == 1)
        let raw = try BinaryMetrics.report(labels: [0, 1], scores: [-3, 4], threshold: 0)
        #expect(raw.logLoss == nil)
    }

    @Test("zero denominators give 0 instead of NaN")
    func zeroDivision() throws {
        let m = try ConfusionMatrix(labels: [0, 0], scores: [0.1, 0.2])
        #expect(m.precision == 0 && m.recall == 0 && m.f1 == 0 && m.accuracy == 1)
    }

    @Test("bad input throws MetricsError instead of crashing")
    func badInput() throws {
        #expect(throws: MetricsError.emptyInput) { try BinaryMetrics.rocAUC(labels: [], scores: []) }
        #expect(throws: MetricsError.lengthMismatch(labels: 2, scores: 1)) {
            try BinaryMetrics.rocAUC(labels: [0, 1], scores: [0.5])
        }
        #expect(throws: MetricsError.singleClass(presentClass: 1)) {
            try BinaryMetrics.rocAUC(labels: [1, 1], scores: [0.5, 0.6])
        }
        #expect(throws: MetricsError.singleClass(presentClass: 0)) {
            try BinaryMetrics.averagePrecision(labels: [0, 0], scores: [0.5, 0.6])
        }
        #expect(throws: MetricsError.invalidLabel(index: 1, value: 2)) {
            try ConfusionMatrix(labels: [0, 2], scores: [0.5, 0.6])
        }
        #expect(throws: MetricsError.nonFiniteScore(index: 0, value: .infinity)) {
            try BinaryMetrics.logLoss(labels: [0], probabilities: [.infinity])
        }
        #expect(throws: MetricsError.probabilityOutOfRange(index: 0, value: 1.5)) {
            try BinaryMetrics.logLoss(labels: [0], probabilities: [1.5])
        }
        #expect(throws: MetricsError.self) { try BinaryMetrics.f1OptimalThreshold(labels: [.nan], scores: [0.5]) }
        #expect(MetricsError.singleClass(presentClass: 1).description.contains("both classes"))
    }
}
