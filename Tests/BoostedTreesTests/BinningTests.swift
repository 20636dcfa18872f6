import Testing

@testable import BoostedTrees

@Suite struct BinningTests {
    @Test("few distinct values: one bin per value, cuts at the next value, NaN in the missing bin")
    func distinctValues() throws {
        let x = try FeatureMatrix(columns: [[3, 1, 2, 3, .nan, 1]])
        let binned = BinnedMatrix(x, maxBin: 256, threads: 1)
        #expect(binned.cuts[0].cuts == [2, 3, .infinity])
        #expect(binned.cuts[0].binCount == 3)
        #expect(binned.bins == [2, 0, 1, 2, 3, 0])  // missing → binCount (3)
        #expect(binned.columnBins == binned.bins)
    }

    @Test("quantile cuts skip the mass of a heavily tied minimum, like XGBoost's summary pruning")
    func pruneByRank() {
        // 1,000 copies of the minimum, then 500 distinct values: cut ranks spread over the 500 (every 49.9th).
        let counts = [1000.0] + Array(repeating: 1.0, count: 500)
        #expect(BinnedMatrix.pruneByRank(counts: counts, maxBins: 10) == [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500])
    }

    @Test("many distinct values give at most max_bin bins, and max_bin − 1 when values are missing")
    func binLimits() throws {
        let values = (0..<5000).map { Double($0) }
        let full = BinnedMatrix(try FeatureMatrix(columns: [values]), maxBin: 256, threads: 1)
        #expect(full.cuts[0].binCount == 256)
        let withMissing = BinnedMatrix(try FeatureMatrix(columns: [values + [.nan]]), maxBin: 256, threads: 1)
        #expect(withMissing.cuts[0].binCount == 255)
        #expect(withMissing.bins.last == 255)
        let cuts = full.cuts[0].cuts
        #expect(zip(cuts, cuts.dropFirst()).allSatisfy { $0 < $1 })
    }
}
