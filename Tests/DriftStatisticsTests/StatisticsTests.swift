import Foundation
import Testing

@testable import DriftStatistics

/// Values pinned from scipy/numpy by Fixtures/make_fixtures.py (DriftFixtures.swift).
@Suite struct StatisticsTests {
    /// The integer-formula samples also built in make_fixtures.py.
    static func bigSample(_ n: Int, _ mult: Int, _ mod: Int, _ power: Double) -> [Double] {
        (0..<n).map { pow(Double(($0 * mult) % mod) / Double(mod), power) }
    }

    @Test("KS statistic and exact p-value match scipy ks_2samp (unequal sizes, ties), tolerance 1e-10")
    func ksExactUnequal() throws {
        let r = try KolmogorovSmirnov.test(reference: DriftFixtures.a, current: DriftFixtures.b)
        #expect(r.exact)
        #expect(abs(r.statistic - DriftFixtures.ksABStatistic) < 1e-12)
        #expect(abs(r.pValue - DriftFixtures.ksABPValue) < 1e-10)
    }

    @Test("KS exact p-value matches scipy for equal sample sizes, tolerance 1e-10")
    func ksExactEqual() throws {
        let r = try KolmogorovSmirnov.test(reference: DriftFixtures.c, current: DriftFixtures.d)
        #expect(abs(r.statistic - DriftFixtures.ksCDStatistic) < 1e-12)
        #expect(abs(r.pValue - DriftFixtures.ksCDPValue) < 1e-10)
    }

    @Test("KS on > 10,000 rows uses the Kolmogorov limit: equals kstwobign (1e-10), near scipy asymp (1e-2)")
    func ksAsymptotic() throws {
        let r = try KolmogorovSmirnov.test(reference: Self.bigSample(12000, 7919, 10007, 1),
                                           current: Self.bigSample(11000, 104729, 10009, 1.03))
        #expect(!r.exact)
        #expect(abs(r.statistic - DriftFixtures.ksBigStatistic) < 1e-12)
        #expect(abs(r.pValue - DriftFixtures.ksBigPValueKolmogorov) < 1e-10)
        #expect(abs(r.pValue - DriftFixtures.ksBigPValueScipyAsymp) < 1e-2)
    }

    @Test("identical samples give D = 0 and p = 1; NaN is ignored")
    func ksIdentical() throws {
        let r = try KolmogorovSmirnov.test(reference: [1, 2, 3, .nan], current: [3, 2, 1])
        #expect(r.statistic == 0)
        #expect(r.pValue == 1)
    }

    @Test("Kolmogorov survival matches scipy kstwobign.sf on both series branches, tolerance 1e-12 + 1e-10 relative")
    func kolmogorovSurvival() {
        for point in DriftFixtures.kolmogorovSurvival {
            let p = KolmogorovSmirnov.kolmogorovSurvival(point.x)
            #expect(abs(p - point.p) <= 1e-12 + 1e-10 * point.p, "λ \(point.x): \(p) vs \(point.p)")
        }
    }

    @Test("chi-squared survival matches scipy chi2.sf, relative tolerance 1e-10")
    func chiSquaredSurvival() {
        for point in DriftFixtures.chi2Survival {
            let p = IncompleteGamma.chiSquaredSurvival(point.x, degreesOfFreedom: point.df)
            #expect(abs(p - point.p) <= 1e-10 * point.p, "x \(point.x) df \(point.df): \(p) vs \(point.p)")
        }
    }

    @Test("chi-squared test matches scipy chisquare on category counts, relative tolerance 1e-9")
    func chiSquaredTest() throws {
        let r = try ChiSquaredTest.test(reference: DriftFixtures.referenceCategories,
                                        current: DriftFixtures.currentCategories)
        #expect(r.degreesOfFreedom == 4)
        #expect(abs(r.statistic - DriftFixtures.chiStatistic) <= 1e-9 * DriftFixtures.chiStatistic)
        #expect(abs(r.pValue - DriftFixtures.chiPValue) <= 1e-9 * DriftFixtures.chiPValue)
    }

    @Test("a category missing from the reference gives an infinite statistic and p = 0")
    func chiSquaredNewCategory() throws {
        let r = try ChiSquaredTest.test(reference: [0, 0, 1, 1], current: [0, 1, 2])
        #expect(r.statistic == .infinity)
        #expect(r.pValue == 0)
    }

    @Test("PSI with reference deciles and 1e-4 empty-bin share matches numpy, tolerance 1e-12")
    func psi() throws {
        let v = try PopulationStabilityIndex.numeric(reference: DriftFixtures.a, current: DriftFixtures.b)
        #expect(abs(v - DriftFixtures.psiAB) < 1e-12)
        #expect(try PopulationStabilityIndex.numeric(reference: DriftFixtures.a, current: DriftFixtures.a) == 0)
    }

    @Test("Wasserstein distance matches scipy, raw and normalised by the reference std, tolerance 1e-12")
    func wasserstein() throws {
        let raw = try WassersteinDistance.distance(reference: DriftFixtures.a, current: DriftFixtures.b)
        let normalized = try WassersteinDistance.normalized(reference: DriftFixtures.a, current: DriftFixtures.b)
        #expect(abs(raw - DriftFixtures.wassersteinAB) < 1e-12)
        #expect(abs(normalized - DriftFixtures.wassersteinNormalizedAB) < 1e-12)
        #expect(try WassersteinDistance.distance(reference: [0, 1], current: [5, 6]) == 5)
    }

    @Test("Jensen–Shannon distance matches scipy on categories and decile-binned numbers, tolerance 1e-12")
    func jensenShannon() throws {
        let cat = try JensenShannonDistance.categorical(reference: DriftFixtures.referenceCategories,
                                                        current: DriftFixtures.currentCategories)
        #expect(abs(cat - DriftFixtures.jsCategories) < 1e-12)
        let num = try JensenShannonDistance.numeric(reference: DriftFixtures.a, current: DriftFixtures.b)
        #expect(abs(num - DriftFixtures.jsNumericAB) < 1e-12)
        // Disjoint supports reach the maximum √ln 2.
        #expect(abs(JensenShannonDistance.distance([1, 0], [0, 1]) - log(2.0).squareRoot()) < 1e-15)
    }

    @Test("radix sort orders negatives, zeros and positives like Array.sort")
    func radixSort() throws {
        var values: [Double] = []
        for i in 0..<5000 {
            let base = Double((i * 7919) % 5003) - 2500.5
            values.append(i % 3 == 0 ? base : base + 0.25)
        }
        values += [0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300]
        let sorted = try SortedSample(values, column: "x").values
        #expect(sorted == values.sorted())
    }

    @Test("values that are all exact floats sort on 32-bit keys to the same result; one wider value falls back")
    func narrowRadixSort() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = (0..<5000).map { i in
            i % 5 == 0 ? Double(Int.random(in: -1000...1000, using: &generator))
                : Double(Float.random(in: -3...3, using: &generator))
        }
        values += [0.0, -0.0, .nan, Double(Float.leastNonzeroMagnitude), -Double(Float.greatestFiniteMagnitude)]
        let expected = values.filter { !$0.isNaN }.sorted().map { $0 == 0 ? 0.0 : $0 }
        let narrow = try SortedSample(values, column: "x").values
        #expect(narrow == expected)
        #expect(narrow.allSatisfy { $0.sign == .plus || $0 != 0 }, "−0 is stored as +0")
        let wider = values + [0.1]  // 0.1 is not a float: the 64-bit path sorts it all
        #expect(try SortedSample(wider, column: "x").values == (expected + [0.1]).sorted())
    }

    @Test("32-bit keys: equal values, values that differ in one digit only, a few values, and ±∞ refused")
    func narrowRadixSortEdges() throws {
        #expect(try SortedSample([Double](repeating: 2.5, count: 1000), column: "x").values == [Double](repeating: 2.5, count: 1000))
        let lowDigit = (0..<1000).map { Double(($0 * 37) % 1000) }  // below 2^11: only the first digit differs
        #expect(try SortedSample(lowDigit, column: "x").values == lowDigit.sorted())
        let highDigit = (0..<1000).map { Double(Float(bitPattern: UInt32(($0 * 7) % 50) << 23)) }  // exponents only
        #expect(try SortedSample(highDigit, column: "x").values == highDigit.sorted())
        #expect(try SortedSample([3, .nan, -1, 2], column: "x").values == [-1, 2, 3])
        #expect(throws: DriftError.nonFiniteValue(column: "x", value: .infinity)) {
            try SortedSample((0..<1000).map { $0 == 500 ? .infinity : Double($0) }, column: "x")
        }
    }

    @Test("the one merge walk gives the KS statistic and the Wasserstein area by their definitions (ties, disjoint)")
    func mergeWalkMatchesDefinitions() throws {
        let samples: [([Double], [Double])] = [
            ([1, 2, 2, 3, 5, 8], [2, 2, 2, 4, 9]),
            ([1, 2, 3], [10, 11, 12, 13]),  // disjoint: one side is used up first
            ([10, 11, 12, 13], [1, 2, 3]),
            ((0..<300).map { Double($0 % 17) }, (0..<211).map { Double(($0 * 7) % 23) - 3 }),
            ([4], [4]),
        ]
        for (r, c) in samples {
            let a = try SortedSample(r, column: "a"), b = try SortedSample(c, column: "b")
            let gaps = SortedSample.cdfGaps(a, b)
            let points = Array(Set(r + c)).sorted()
            func cdf(_ values: [Double], _ x: Double) -> Double {
                Double(values.filter { $0 <= x }.count) / Double(values.count)
            }
            let widest = points.map { abs(cdf(r, $0) - cdf(c, $0)) }.max()!
            #expect(abs(gaps.statistic - widest) < 1e-12, "\(r) \(c)")
            var area = 0.0
            for (x, next) in zip(points, points.dropFirst()) { area += abs(cdf(r, x) - cdf(c, x)) * (next - x) }
            #expect(abs(gaps.area - area) < 1e-9, "\(r) \(c)")
        }
    }

    @Test("one sort per sample gives exactly the four separate statistics (ties, NaN, unequal sizes)")
    func sharedSortMatchesSeparateCalls() throws {
        var reference = Self.bigSample(20_000, 7919, 10_007, 1.5)
        var current = Self.bigSample(15_000, 104_729, 9_973, 1.0).map { $0 * 1.1 + 0.02 }
        reference[17] = .nan
        current[3] = .nan
        for (r, c) in [(reference, current), (DriftFixtures.a, DriftFixtures.b)] {
            let shared = try NumericDriftStatistics(reference: r, current: c)
            #expect(shared.kolmogorovSmirnov == (try KolmogorovSmirnov.test(reference: r, current: c)))
            #expect(shared.psi == (try PopulationStabilityIndex.numeric(reference: r, current: c)))
            #expect(shared.jensenShannon == (try JensenShannonDistance.numeric(reference: r, current: c)))
            #expect(shared.wasserstein == (try WassersteinDistance.normalized(reference: r, current: c)))
        }
        #expect(throws: DriftError.self) { try NumericDriftStatistics(reference: [1, .infinity], current: [1]) }
        #expect(throws: DriftError.self) { try NumericDriftStatistics(reference: [1], current: [.nan]) }
    }
}
