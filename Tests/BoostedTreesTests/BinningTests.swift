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

    @Test("the vector cut search finds the binary search's bin, for every cut count up to 256")
    func cutSearch() {
        var rng = SplitMix64(seed: 3)
        for count in [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257] {
            var cuts = (0..<(count - 1)).map { Float($0) * 0.5 - 20 }
            cuts.append(.infinity)
            let search = CutSearch(cuts)
            var probes: [Float] = [-.infinity, .infinity, -0.0, 0, -20, -20.25, 200] + cuts.dropLast()
            for _ in 0..<500 { probes.append(Float(rng.nextUnit() * 160 - 30)) }
            for v in probes {
                let expected = cuts.withUnsafeBufferPointer { BinnedMatrix.bin(of: v, cuts: $0) }
                #expect(search.bin(of: v) == expected, "\(count) cuts, value \(v)")
            }
        }
    }

    @Test("radix-sorted quantile samples equal the standard sort, −0 and +0 kept in their order")
    func radixSort() {
        var rng = SplitMix64(seed: 5)
        var values = (0..<5000).map { _ in Float(rng.nextUnit() * 200 - 100).rounded() }
        values += [-0.0, 0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        let sorted = BinnedMatrix.radixSorted(values)
        #expect(sorted.map(\.bitPattern) == values.sorted().map(\.bitPattern))
    }

    @Test("quantile cuts skip the mass of a heavily tied minimum, like XGBoost's summary pruning")
    func pruneByRank() {
        // 1,000 copies of the minimum, then 500 distinct values: cut ranks spread over the 500 (every 49.9th).
        let counts = [1000.0] + Array(repeating: 1.0, count: 500)
        #expect(BinnedMatrix.pruneByRank(counts: counts, maxBins: 10) == [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500])
    }

    @Test("many distinct values give at most max_bin bins; with missing values 256 bins lose only their top cut")
    func binLimits() throws {
        let values = (0..<5000).map { Double($0) }
        let full = BinnedMatrix(try FeatureMatrix(columns: [values]), maxBin: 256, threads: 1)
        #expect(full.cuts[0].binCount == 256)
        let cuts = full.cuts[0].cuts
        #expect(zip(cuts, cuts.dropFirst()).allSatisfy { $0 < $1 })
        // The missing value takes code 255, so the top two bins merge; every other cut stays put.
        let withMissing = BinnedMatrix(try FeatureMatrix(columns: [values + [.nan]]), maxBin: 256, threads: 1)
        #expect(withMissing.cuts[0].binCount == 255)
        #expect(withMissing.bins.last == 255)
        #expect(withMissing.cuts[0].cuts == Array(cuts.dropLast(2)) + [.infinity])
        #expect(withMissing.bins[4999] == 254)
        // Below 256 bins the missing code fits after them: max_bin real bins, as without missing values.
        let small = BinnedMatrix(try FeatureMatrix(columns: [values]), maxBin: 64, threads: 1)
        let smallMissing = BinnedMatrix(try FeatureMatrix(columns: [values + [.nan]]), maxBin: 64, threads: 1)
        #expect(smallMissing.cuts[0] == small.cuts[0])
        #expect(smallMissing.cuts[0].binCount == 64)
        #expect(smallMissing.bins.last == 64)
        // 256 distinct values and a missing one: all distinct values but the top two keep their own bin.
        let distinct = (0..<256).map { Double($0) }
        let distinctMissing = BinnedMatrix(try FeatureMatrix(columns: [distinct + [.nan]]), maxBin: 256, threads: 1)
        #expect(distinctMissing.cuts[0].binCount == 255)
        #expect(distinctMissing.bins[253] == 253 && distinctMissing.bins[254] == 254 && distinctMissing.bins[255] == 254)
        #expect(distinctMissing.bins[256] == 255)
    }
}
