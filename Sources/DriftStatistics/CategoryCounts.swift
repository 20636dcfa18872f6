/// Category frequencies of a reference and a current sample over the union of their categories.
struct CategoryCounts: Sendable {
    /// Categories present in either sample, ascending.
    let categories: [Double]
    let reference: [Double]
    let current: [Double]
    let referenceTotal: Double
    let currentTotal: Double

    /// Counts non-missing values (NaN ignored) of both samples.
    init(reference: [Double], current: [Double]) {
        var ref: [Double: Double] = [:], cur: [Double: Double] = [:]
        for v in reference where !v.isNaN { ref[v == 0 ? 0 : v, default: 0] += 1 }
        for v in current where !v.isNaN { cur[v == 0 ? 0 : v, default: 0] += 1 }
        categories = Set(ref.keys).union(cur.keys).sorted()
        self.reference = categories.map { ref[$0] ?? 0 }
        self.current = categories.map { cur[$0] ?? 0 }
        referenceTotal = self.reference.reduce(0, +)
        currentTotal = self.current.reduce(0, +)
    }
}
