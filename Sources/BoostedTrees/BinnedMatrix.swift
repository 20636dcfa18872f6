/// Bin boundaries of one feature, computed once before training.
struct FeatureCuts: Sendable, Equatable {
    /// Numeric: strictly increasing upper bounds; bin `i` holds `cuts[i-1] <= x < cuts[i]`; the last is +∞.
    /// Empty for categorical features.
    var cuts: [Float]
    /// Number of bins in use (excluding the missing-value bin).
    var binCount: Int
    /// Whether bins are category codes.
    var isCategorical: Bool
}

/// The training matrix reduced to bin indices: row-major `UInt8`; a missing value gets the bin index equal to
/// the feature's ``FeatureCuts/binCount`` (one past its last real bin).
///
/// Histograms use a compact layout: feature `f` owns slots `offsets[f] ..< offsets[f] + binCount + 1`
/// (the last one for missing values), so one-hot features cost 3 slots, not 256.
///
/// Numeric features get up to `max_bin` quantile bins of their non-missing values (all distinct values when there
/// are few enough); quantiles are taken on at most ``quantileSampleSize`` evenly strided rows. When a feature has
/// missing values and would fill all 256 `UInt8` codes, its top two bins merge so the last code is free for them.
/// Categorical features use their code as the bin.
struct BinnedMatrix: Sendable {
    /// Rows used to find quantile cut points (strided sample when there are more rows).
    static let quantileSampleSize = 262_144

    let rowCount: Int
    let featureCount: Int
    /// Row-major bins: `bins[row * featureCount + feature]` (histogram building reads whole rows).
    let bins: [UInt8]
    /// Column-major copy: `columnBins[feature * rowCount + row]` (partitioning reads one feature).
    let columnBins: [UInt8]
    let cuts: [FeatureCuts]
    /// First histogram slot of each feature.
    let offsets: [Int]
    /// Bin index used for a missing value of each feature (= its bin count).
    let missingBins: [Int]
    /// Histogram slots over all features.
    let totalSlots: Int

    /// Computes cut points and bins every value.
    init(_ matrix: FeatureMatrix, maxBin: Int, threads: Int) {
        let rows = matrix.rowCount, features = matrix.columnCount
        var cutList = [FeatureCuts](repeating: FeatureCuts(cuts: [], binCount: 0, isCategorical: false),
                                    count: features)
        cutList.withUnsafeMutableBufferPointer { out in
            let shared = SharedPointer(out.baseAddress!)
            matrix.values.withUnsafeBufferPointer { values in
                let source = SharedReadPointer(values.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                Parallel.forEach(tasks: features, threads: threads) { f in
                    let column = UnsafeBufferPointer(start: source.base + f * rows, count: rows)
                    shared[f] = matrix.isCategorical[f]
                        ? Self.categoricalCuts(column)
                        : Self.numericCuts(column, maxBin: maxBin, hasMissing: column.contains(where: \.isNaN))
                }
            }
        }
        // Both layouts are written in one pass over row chunks: each value is binned once.
        var bins = [UInt8](repeating: 0, count: rows * features)
        var columnBins = [UInt8](repeating: 0, count: rows * features)
        let cutsCopy = cutList
        bins.withUnsafeMutableBufferPointer { out in
            let target = SharedPointer(out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
            columnBins.withUnsafeMutableBufferPointer { columnOut in
                let columnTarget = SharedPointer(columnOut.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
                matrix.values.withUnsafeBufferPointer { values in
                    let source = SharedReadPointer(values.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                    Parallel.forEachChunk(count: rows, chunk: 16_384, threads: threads) { range in
                        for f in 0..<features {
                            let column = source.base + f * rows
                            let columnBase = columnTarget.base + f * rows
                            let featureCuts = cutsCopy[f]
                            let missing = UInt8(truncatingIfNeeded: featureCuts.binCount)  // used only when the feature has NaN (then < 256)
                            if featureCuts.isCategorical {
                                for r in range {
                                    let v = column[r]
                                    let b = v.isNaN ? missing : UInt8(Int(v))
                                    target[r &* features &+ f] = b
                                    columnBase[r] = b
                                }
                            } else {
                                let search = CutSearch(featureCuts.cuts)
                                for r in range {
                                    let v = column[r]
                                    let b = v.isNaN ? missing : UInt8(truncatingIfNeeded: search.bin(of: v))
                                    target[r &* features &+ f] = b
                                    columnBase[r] = b
                                }
                            }
                        }
                    }
                }
            }
        }
        self.rowCount = rows
        self.featureCount = features
        self.bins = bins
        self.columnBins = columnBins
        self.cuts = cutList
        var offsets = [Int](), total = 0
        for c in cutList {
            offsets.append(total)
            total += c.binCount + 1
        }
        self.offsets = offsets
        self.missingBins = cutList.map(\.binCount)
        self.totalSlots = total
    }

    /// Index of the first cut strictly greater than `v` (cuts end with +∞, so always in range): the number of
    /// cuts before the last that are `<= v`, found by a binary search without data-dependent branches.
    /// (``CutSearch`` finds the same bin with two vector comparisons; this is its reference.)
    @inline(__always)
    static func bin(of v: Float, cuts: UnsafeBufferPointer<Float>) -> Int {
        var n = cuts.count - 1
        if n <= 0 { return 0 }
        var first = 0
        while n > 1 {
            let half = n >> 1
            // A multiply, not a select: the compiler keeps it branch-free (a select becomes a mispredicted jump).
            let step = unsafeBitCast(cuts[first &+ half] <= v, to: UInt8.self)
            first &+= half &* Int(step)
            n &-= half
        }
        return first &+ (cuts[first] <= v ? 1 : 0)
    }

    /// Cut points of a numeric column.
    static func numericCuts(_ column: UnsafeBufferPointer<Float>, maxBin: Int, hasMissing: Bool) -> FeatureCuts {
        let stride = max(1, column.count / quantileSampleSize)
        var sample = [Float]()
        sample.reserveCapacity(column.count / stride + 1)
        var i = 0
        while i < column.count {
            if !column[i].isNaN { sample.append(column[i]) }
            i += stride
        }
        if sample.isEmpty { return FeatureCuts(cuts: [.infinity], binCount: 0, isCategorical: false) }
        sample = radixSorted(sample)
        var distinct = [Float](), counts = [Double]()
        for v in sample {
            if distinct.last == v {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(v)
                counts.append(1)
            }
        }
        var cuts = [Float]()
        if distinct.count <= maxBin {
            cuts = Array(distinct.dropFirst())
        } else {
            let picked = pruneByRank(counts: counts, maxBins: maxBin)
            cuts = picked[1..<min(picked.count, maxBin)].map { distinct[$0] }
        }
        if hasMissing && cuts.count + 1 > Int(UInt8.max) {
            // 256 bins and the missing code do not fit in a byte: merge the top two bins. Every other cut stays where
            // the feature would have it without missing values (as xgboost, which keeps missing values out of the
            // bins, places them); re-spacing the ranks for 255 bins would move them all.
            cuts.removeLast()
        }
        cuts.append(.infinity)
        return FeatureCuts(cuts: cuts, binCount: cuts.count, isCategorical: false)
    }

    /// `values` (no NaN) sorted ascending, stably, with −0 and +0 equal: the same result as the standard
    /// library's stable sort, by three 11-bit LSD radix passes over an order-preserving key.
    static func radixSorted(_ values: [Float]) -> [Float] {
        let count = values.count
        if count < 64 { return values.sorted() }
        @inline(__always) func key(_ v: Float) -> UInt32 {
            let bits = v == 0 ? 0 : v.bitPattern
            return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        }
        var keys = values.map(key), payload = values
        var keyScratch = [UInt32](repeating: 0, count: count), payloadScratch = [Float](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: 2048)
        for shift in [UInt32(0), 11, 22] {
            for i in counts.indices { counts[i] = 0 }
            for k in keys { counts[Int((k >> shift) & 2047)] += 1 }
            var total = 0
            for i in counts.indices {
                let c = counts[i]
                counts[i] = total
                total += c
            }
            for i in 0..<count {
                let k = keys[i], d = Int((k >> shift) & 2047)
                let at = counts[d]
                counts[d] = at + 1
                keyScratch[at] = k
                payloadScratch[at] = payload[i]
            }
            swap(&keys, &keyScratch)
            swap(&payload, &payloadScratch)
        }
        return payload
    }

    /// Picks up to `maxBins + 1` entries of an exact weighted quantile summary (distinct values with counts)
    /// at evenly spaced ranks between the masses of the minimum and the maximum, as XGBoost's
    /// `WQSummary::SetPrune` does; returns indices into the distinct values (first and last always kept).
    static func pruneByRank(counts: [Double], maxBins: Int) -> [Int] {
        let size = counts.count
        var rmin = [Double](repeating: 0, count: size)
        for i in 1..<size { rmin[i] = rmin[i - 1] + counts[i - 1] }
        let begin = counts[0]  // rmax of the first entry
        let range = rmin[size - 1] - begin
        let n = Double(maxBins)
        var picked = [0]
        var i = 1, last = 0
        for k in 1..<maxBins {
            let dx2 = 2 * (Double(k) * range / n + begin)
            while i < size - 1 && dx2 >= 2 * rmin[i + 1] + counts[i + 1] { i += 1 }
            if i == size - 1 { break }
            // Entry i covers ranks [rmin, rmin + count); pick it when the target rank falls inside.
            if dx2 < 2 * (rmin[i] + counts[i]) {
                if i != last {
                    picked.append(i)
                    last = i
                }
            } else if i + 1 != last {
                picked.append(i + 1)
                last = i + 1
            }
        }
        if last != size - 1 { picked.append(size - 1) }
        return picked
    }

    /// Bins of a categorical column: one per code up to the largest code seen.
    static func categoricalCuts(_ column: UnsafeBufferPointer<Float>) -> FeatureCuts {
        var largest = -1
        for v in column where !v.isNaN { largest = max(largest, Int(v)) }
        return FeatureCuts(cuts: [], binCount: largest + 1, isCategorical: true)
    }
}

/// Bin lookup for up to 256 cuts by two 16-wide comparisons instead of a binary search: the cuts (without the
/// final +∞), padded with +∞ to 17 blocks of 16; the first comparison counts the blocks whose last cut is `<= v`,
/// the second the cuts `<= v` in the next block. Same result as ``BinnedMatrix/bin(of:cuts:)``.
struct CutSearch {
    private let blockEnds: SIMD16<Float>
    private let blocks: [SIMD16<Float>]
    private let realCuts: Int

    /// - Parameter cuts: Strictly increasing cuts ending with +∞, at most 257 of them.
    init(_ cuts: [Float]) {
        precondition(cuts.count <= 257, "at most 256 bins")
        realCuts = max(0, cuts.count - 1)
        var padded = [Float](repeating: .infinity, count: 17 * 16)
        for i in 0..<realCuts { padded[i] = cuts[i] }
        blocks = (0..<17).map { b in SIMD16<Float>((0..<16).map { padded[b * 16 + $0] }) }
        blockEnds = SIMD16<Float>((0..<16).map { padded[$0 * 16 + 15] })
    }

    /// The bin of a non-NaN value.
    @inline(__always)
    func bin(of v: Float) -> Int {
        let splat = SIMD16<Float>(repeating: v)
        let block = Self.count(blockEnds .<= splat)
        let within = blocks.withUnsafeBufferPointer { Self.count($0[block] .<= splat) }
        return min(block &* 16 &+ within, realCuts)  // +∞ itself would count the padding
    }

    @inline(__always)
    private static func count(_ mask: SIMDMask<SIMD16<Int32>>) -> Int {
        Int(SIMD16<Int32>(repeating: 0).replacing(with: 1, where: mask).wrappedSum())
    }
}
