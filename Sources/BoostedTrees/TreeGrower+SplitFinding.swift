extension TreeGrower {
    /// Smallest loss reduction treated as a real improvement (XGBoost's kRtEps).
    static let minimumGain = 1e-6

    /// The best valid split of `node` over `features`, or `nil` when no split satisfies
    /// `min_child_weight`, reduces the loss by more than 1e-6 and by at least `gamma`.
    ///
    /// Numeric features are scanned left to right with missing values sent right, and, when the node has missing
    /// values for the feature, again with them sent left. Categorical features sort their present categories by
    /// G/(H+λ) and scan prefixes of that order as the left set (the optimal partition for this loss).
    /// Ties keep the earlier candidate (lower feature index, lower bin).
    func bestSplit(for node: Pending, features: [Int]) -> SplitCandidate? {
        let lambda = parameters.lambda, mcw = parameters.minChildWeight
        let G = node.g, H = node.h
        let parentScore = G * G / (H + lambda)
        var best: SplitCandidate?
        var bestGain = Self.minimumGain
        node.histogram.withUnsafeBufferPointer { hist in
            @inline(__always) func consider(_ gl: Double, _ hl: Double, _ feature: Int, _ bin: Int,
                                            _ mask: CategoryMask?, _ defaultLeft: Bool) {
                let gr = G - gl, hr = H - hl
                if hl < mcw || hr < mcw || hl <= 0 || hr <= 0 { return }
                let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore
                if gain > bestGain {
                    bestGain = gain
                    best = SplitCandidate(gain: gain, feature: feature, splitBin: bin, categories: mask,
                                          defaultLeft: defaultLeft, leftG: gl, leftH: hl)
                }
            }
            for f in features {
                let cut = binned.cuts[f]
                let base = binned.offsets[f] * 2
                let gm = hist[base + 2 * cut.binCount], hm = hist[base + 2 * cut.binCount + 1]
                let hasMissing = hm > 0
                if cut.isCategorical {
                    var present: [(code: Int, score: Double)] = []
                    for c in 0..<cut.binCount where hist[base + 2 * c + 1] > 0 {
                        present.append((c, hist[base + 2 * c] / (hist[base + 2 * c + 1] + lambda)))
                    }
                    if present.count < 2 { continue }
                    present.sort { $0.score < $1.score || ($0.score == $1.score && $0.code < $1.code) }
                    var gl = 0.0, hl = 0.0
                    var mask = CategoryMask()
                    for k in 0..<(present.count - 1) {
                        let c = present[k].code
                        gl += hist[base + 2 * c]
                        hl += hist[base + 2 * c + 1]
                        mask.insert(c)
                        consider(gl, hl, f, -1, mask, false)
                        if hasMissing { consider(gl + gm, hl + hm, f, -1, mask, true) }
                    }
                } else {
                    if cut.binCount < 2 { continue }
                    var gl = 0.0, hl = 0.0
                    for b in 0..<(cut.binCount - 1) {
                        gl += hist[base + 2 * b]
                        hl += hist[base + 2 * b + 1]
                        consider(gl, hl, f, b, nil, false)
                        if hasMissing { consider(gl + gm, hl + hm, f, b, nil, true) }
                    }
                }
            }
        }
        guard let found = best, found.gain >= parameters.gamma else { return nil }
        return found
    }
}
