import DriftStatistics
import MLTasks
import Testing

/// Prediction drift's numbers against scipy on the same scores (PredictionDriftFixtures, made by
/// Fixtures/make_prediction_drift.py), and its evidence.
@Suite("Prediction drift")
struct PredictionDriftTests {
    typealias F = PredictionDriftFixtures

    @Test("KS on up to 1,000 reference scores matches scipy's ks_2samp, stable and shifted")
    func ksMatchesScipy() throws {
        let stable = try PredictionDrift.compare(reference: F.smallReference, current: F.smallStable)
        #expect(stable.score.method == .kolmogorovSmirnov)
        #expect(abs(stable.score.statistic - F.ksStableStatistic) < 1e-12)
        #expect(abs(stable.score.pValue! - F.ksStablePValue) < 1e-9)
        #expect(!stable.drifted)

        let shifted = try PredictionDrift.compare(reference: F.smallReference, current: F.smallShifted)
        #expect(abs(shifted.score.statistic - F.ksShiftedStatistic) < 1e-12)
        // A p-value near 1e-12: both exact computations agree to about 1 % there (and to 1e-9 absolutely).
        #expect(abs(shifted.score.pValue! - F.ksShiftedPValue) <= F.ksShiftedPValue * 0.05)
        #expect(shifted.drifted)
        #expect(shifted.evidence.hasPrefix("score ks p 1.76e-12 < 0.05 (statistic 0.315); 250 rows vs 300 reference scores"),
                "\(shifted.evidence)")
    }

    @Test("above 1,000 reference scores the default is normalised Wasserstein, as scipy computes it")
    func wassersteinMatchesScipy() throws {
        let drift = try PredictionDrift.compare(reference: F.largeReference, current: F.largeShifted)
        #expect(drift.score.method == .wasserstein)
        #expect(abs(drift.score.value - F.wassersteinLarge) < 1e-9)
        #expect(drift.drifted)
        #expect(drift.evidence == "score wasserstein 0.553 ≥ 0.1; 1,200 rows vs 1,500 reference scores", "\(drift.evidence)")
    }

    @Test("a chosen method (psi) is used for the scores")
    func chosenMethod() throws {
        let drift = try PredictionDrift.compare(reference: F.smallReference, current: F.smallShifted, method: "psi")
        #expect(drift.score.method == .psi)
        #expect(abs(drift.score.value - F.psiShifted) < 1e-9)
        #expect(throws: DriftComparisonError.self) {
            try PredictionDrift.compare(reference: F.smallReference, current: F.smallShifted, method: "magic")
        }
    }

    @Test("label drift: chi-squared on the 0/1 labels matches scipy and counts as drift")
    func labelDrift() throws {
        let drift = try PredictionDrift.compare(
            reference: F.smallReference, current: F.smallStable, referenceLabels: F.referenceLabels,
            currentLabels: F.currentLabels)
        let label = try #require(drift.label)
        #expect(label.method == .chiSquared)
        #expect(abs(label.statistic - F.labelChiStatistic) < 1e-9)
        #expect(abs(label.pValue! - F.labelChiPValue) <= F.labelChiPValue * 1e-6)
        #expect(!drift.score.drifted && drift.drifted)
        #expect(drift.evidence.contains(", label chisquare p 4.91e-09 < 0.05"), "\(drift.evidence)")
    }
}
