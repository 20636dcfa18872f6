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
/// Numeric features get up to `max_bin` quantile bins of their non-missing values (`max_bin − 1` when the
/// feature has missing values, which take the last `UInt8` code; all distinct values when there are few
/// enough); quantiles are taken on at most ``quantileSampleSize`` evenly strided rows.
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
                        : Self.numericCuts(column, maxRealBins: column.contains(where: \.isNaN) ? maxBin - 1 : maxBin)
                }
            }
        }
        var bins = [UInt8](repeating: 0, count: rows * features)
        let cutsCopy = cutList
        bins.withUnsafeMutableBufferPointer { out in
            let target = SharedPointer(out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
            matrix.values.withUnsafeBufferPointer { values in
                let source = SharedReadPointer(values.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                Parallel.forEachChunk(count: rows, chunk: 16_384, threads: threads) { range in
                    for f in 0..<features {
                        let column = source.base + f * rows
                        let featureCuts = cutsCopy[f]
                        if featureCuts.isCategorical {
                            for r in range {
                                let v = column[r]
                                target[r * features + f] = v.isNaN ? UInt8(featureCuts.binCount) : UInt8(Int(v))
                            }
                        } else {
                            featureCuts.cuts.withUnsafeBufferPointer { c in
                                for r in range {
                                    let v = column[r]
                                    target[r * features + f] = v.isNaN ? UInt8(featureCuts.binCount) : UInt8(Self.bin(of: v, cuts: c))
                                }
                            }
                        }
                    }
                }
            }
        }
        var columnBins = [UInt8](repeating: 0, count: rows * features)
        columnBins.withUnsafeMutableBufferPointer { out in
            let target = SharedPointer(out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
            bins.withUnsafeBufferPointer { rowMajor in
                let source = SharedReadPointer(rowMajor.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                Parallel.forEach(tasks: features, threads: threads) { f in
                    for r in 0..<rows { target[f * rows + r] = source[r * features + f] }
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

    /// Index of the first cut strictly greater than `v` (cuts end with +∞, so always in range).
    @inline(__always)
    static func bin(of v: Float, cuts: UnsafeBufferPointer<Float>) -> Int {
        var lo = 0, hi = cuts.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cuts[mid] > v { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Cut points of a numeric column.
    static func numericCuts(_ column: UnsafeBufferPointer<Float>, maxRealBins: Int) -> FeatureCuts {
        let stride = max(1, column.count / quantileSampleSize)
        var sample = [Float]()
        sample.reserveCapacity(column.count / stride + 1)
        var i = 0
        while i < column.count {
            if !column[i].isNaN { sample.append(column[i]) }
            i += stride
        }
        if sample.isEmpty { return FeatureCuts(cuts: [.infinity], binCount: 0, isCategorical: false) }
        sample.sort()
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
        if distinct.count <= maxRealBins {
            cuts = Array(distinct.dropFirst())
        } else {
            let picked = pruneByRank(counts: counts, maxBins: maxRealBins)
            cuts = picked[1..<min(picked.count, maxRealBins)].map { distinct[$0] }
        }
        cuts.append(.infinity)
        return FeatureCuts(cuts: cuts, binCount: cuts.count, isCategorical: false)
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
