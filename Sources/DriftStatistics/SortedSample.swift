/// The non-missing values of a numeric sample, sorted ascending (LSD radix sort on order-preserving bit keys).
struct SortedSample: Sendable {
    let values: [Double]

    /// Drops NaN and sorts.
    ///
    /// When every value is exactly a `Float` (float32 sources, integers below 2^24), the sort runs on 32-bit keys:
    /// three passes over half the bytes instead of up to six over all of them, with the same order and values.
    /// - Throws: ``DriftError/nonFiniteValue(column:value:)`` for ±∞.
    init(_ raw: [Double], column: String) throws {
        if let narrow = try Self.sortedAsFloats(raw, column: column) {
            values = narrow
            return
        }
        var keys = [UInt64]()
        keys.reserveCapacity(raw.count)
        for v in raw {
            if v.isNaN { continue }
            if v.isInfinite { throw DriftError.nonFiniteValue(column: column, value: v) }
            let bits = (v == 0 ? 0.0 : v).bitPattern  // −0 → +0
            keys.append(bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63))
        }
        Self.radixSort(&keys)
        values = keys.map { k in Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k) }
    }

    /// The sorted non-missing values through 32-bit keys, or `nil` as soon as one value is not exactly a `Float`.
    ///
    /// One pass makes the keys and counts every digit; the 11-bit scatter passes skip digits every key shares, and
    /// the last one writes the decoded values straight into the result. No buffer is zeroed first.
    private static func sortedAsFloats(_ raw: [Double], column: String) throws -> [Double]? {
        let radix = 2048, passes = 3
        var counts = [Int](repeating: 0, count: passes * radix)
        var exact = true
        var infinite: Double?
        var keys = [UInt32](unsafeUninitializedCapacity: raw.count) { out, made in
            made = 0
            HugePages.advise(out)
            raw.withUnsafeBufferPointer { source in
                counts.withUnsafeMutableBufferPointer { counts in
                    for v in source {
                        if v.isNaN { continue }
                        if v.isInfinite {
                            infinite = v
                            return
                        }
                        let narrow = Float(v)
                        guard Double(narrow) == v else {
                            exact = false
                            return
                        }
                        let bits = (narrow == 0 ? Float(0) : narrow).bitPattern  // −0 → +0
                        let key = bits & (1 << 31) != 0 ? ~bits : bits | (1 << 31)
                        out[made] = key
                        made &+= 1
                        counts[Int(key & 2047)] &+= 1
                        counts[radix &+ Int((key >> 11) & 2047)] &+= 1
                        counts[2 &* radix &+ Int(key >> 22)] &+= 1
                    }
                }
            }
        }
        if let infinite { throw DriftError.nonFiniteValue(column: column, value: infinite) }
        guard exact else { return nil }
        func decode(_ key: UInt32) -> Double {
            Double(Float(bitPattern: key & (1 << 31) != 0 ? key & ~(1 << 31) : ~key))
        }
        let n = keys.count
        if n < 256 {
            keys.sort()
            return keys.map(decode)
        }
        // The passes whose digit differs between keys, their counts turned into starting offsets.
        let first = keys[0]
        let active = (0..<passes).filter { pass in
            counts[pass * radix + Int((first >> UInt32(11 * pass)) & 2047)] != n
        }
        if active.isEmpty { return keys.map(decode) }  // every key is the same
        for pass in active {
            var sum = 0
            for digit in pass * radix..<(pass + 1) * radix {
                let count = counts[digit]
                counts[digit] = sum
                sum += count
            }
        }
        var scratch = [UInt32](unsafeUninitializedCapacity: n) { buffer, made in
            HugePages.advise(buffer)
            made = n
        }
        for pass in active.dropLast() {
            scatter(keys, into: &scratch, offsets: &counts, base: pass * radix, shift: 11 * pass)
            swap(&keys, &scratch)
        }
        let last = active.last!, base = last * radix, shift = UInt32(11 * last)
        return [Double](unsafeUninitializedCapacity: n) { target, made in
            HugePages.advise(target)
            keys.withUnsafeBufferPointer { source in
                counts.withUnsafeMutableBufferPointer { offsets in
                    for key in source {
                        let slot = base &+ Int((key >> shift) & 2047)
                        target[offsets[slot]] = decode(key)
                        offsets[slot] &+= 1
                    }
                }
            }
            made = n
        }
    }

    /// Sorts unsigned keys with 11-bit LSD passes (three for 32-bit keys, six for 64-bit ones), skipping passes where
    /// every key has the same digit.
    ///
    /// One counting pass fills every histogram; every pass then scatters through unchecked pointers (the digit and
    /// offset arithmetic cannot overflow: digits are below 2,048 and offsets below the key count).
    static func radixSort<Key: FixedWidthInteger & UnsignedInteger>(_ keys: inout [Key]) {
        let n = keys.count
        if n < 2 { return }
        if n < 256 {
            keys.sort()
            return
        }
        let passes = (Key.bitWidth + 10) / 11, radix = 2048
        var counts = [Int](repeating: 0, count: passes * radix)
        keys.withUnsafeBufferPointer { source in
            counts.withUnsafeMutableBufferPointer { counts in
                for key in source {
                    var rest = key
                    for pass in 0..<passes {
                        counts[pass &* radix &+ Int(truncatingIfNeeded: rest & 2047)] &+= 1
                        rest >>= 11
                    }
                }
            }
        }
        var buffer = [Key](repeating: 0, count: n)
        for pass in 0..<passes {
            let base = pass * radix
            let shift = 11 * pass
            if counts[base + Int(truncatingIfNeeded: (keys[0] >> shift) & 2047)] == n { continue }
            var sum = 0
            for digit in 0..<radix {
                let count = counts[base + digit]
                counts[base + digit] = sum
                sum += count
            }
            scatter(keys, into: &buffer, offsets: &counts, base: base, shift: shift)
            swap(&keys, &buffer)
        }
    }

    /// One LSD pass: each key to `target` at its 11-bit digit's next offset (`offsets[base + digit]`, advanced).
    @inline(__always)
    static func scatter<Key: FixedWidthInteger & UnsignedInteger>(
        _ keys: [Key], into target: inout [Key], offsets: inout [Int], base: Int, shift: Int
    ) {
        keys.withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer { target in
                offsets.withUnsafeMutableBufferPointer { offsets in
                    for key in source {
                        let slot = base &+ Int(truncatingIfNeeded: (key >> shift) & 2047)
                        target[offsets[slot]] = key
                        offsets[slot] &+= 1
                    }
                }
            }
        }
    }

    /// One merge walk over two sorted samples: the Kolmogorov–Smirnov statistic sup |F_a − F_b| and the Wasserstein-1
    /// distance ∫ |F_a − F_b| (both 0 when a sample is empty).
    ///
    /// Ties advance both sides together. The CDF gap is kept as the exact integer `i·n2 − j·n1` and scaled once: per
    /// step for the area (no division in the loop), at the end for the statistic. The walk reads the arrays through
    /// unchecked pointers.
    static func cdfGaps(_ a: SortedSample, _ b: SortedSample) -> (statistic: Double, area: Double) {
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                let n1 = x.count, n2 = y.count
                guard n1 > 0, n2 > 0 else { return (0, 0) }
                let scale = 1 / (Double(n1) * Double(n2))
                var i = 0, j = 0, widest = 0, total = 0.0
                var previous = min(x[0], y[0])
                while i < n1 || j < n2 {
                    let next = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j]
                    total += Double(abs(i &* n2 &- j &* n1)) * scale * (next - previous)
                    while i < n1 && x[i] == next { i &+= 1 }
                    while j < n2 && y[j] == next { j &+= 1 }
                    // Once a side is used up the gap only narrows, so the widest is unchanged by the tail.
                    widest = max(widest, abs(i &* n2 &- j &* n1))
                    previous = next
                }
                return (Double(widest) / (Double(n1) * Double(n2)), total)
            }
        }
    }

    /// Population mean and standard deviation.
    var meanAndStandardDeviation: (mean: Double, std: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        var sq = 0.0
        for v in values { sq += (v - mean) * (v - mean) }
        return (mean, (sq / Double(values.count)).squareRoot())
    }

    /// numpy's default (linear) quantile.
    func quantile(_ p: Double) -> Double {
        let h = Double(values.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, values.count - 1)
        return values[lo] + (h - Double(lo)) * (values[hi] - values[lo])
    }

    /// Number of values `< x`.
    func countLess(than x: Double) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if values[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
