import Foundation

extension GradientBoostedTrees {
    /// Validates features, labels and weights for training.
    static func checkTrainingInputs(_ x: FeatureMatrix, labels: [Double], weights: [Double]?,
                                    objective: BoostingParameters.Objective, requireBothClasses: Bool = true) throws {
        guard x.rowCount > 0 else { throw BoostingError.emptyTrainingSet }
        guard x.columnCount > 0 else {
            throw BoostingError.invalidFeatureMatrix("it has no feature columns; pass at least one column.")
        }
        guard labels.count == x.rowCount else {
            throw BoostingError.countMismatch(what: "labels", expected: x.rowCount, found: labels.count)
        }
        var positives = 0
        for (i, y) in labels.enumerated() {
            guard y.isFinite else { throw BoostingError.nonFiniteLabel(index: i, value: y) }
            if objective == .binaryLogistic {
                guard y == 0 || y == 1 else { throw BoostingError.invalidClassLabel(index: i, value: y) }
                if y == 1 { positives += 1 }
            }
        }
        if objective == .binaryLogistic && requireBothClasses {
            if positives == 0 { throw BoostingError.singleClassLabels(presentClass: 0) }
            if positives == labels.count { throw BoostingError.singleClassLabels(presentClass: 1) }
        }
        if let weights {
            guard weights.count == x.rowCount else {
                throw BoostingError.countMismatch(what: "weights", expected: x.rowCount, found: weights.count)
            }
            for (i, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
                throw BoostingError.invalidWeight(index: i, value: w)
            }
            if !weights.contains(where: { $0 > 0 }) { throw BoostingError.invalidWeight(index: 0, value: 0) }
        }
    }

    /// Checks that `x` has exactly the given columns (names, order, kinds).
    static func checkColumns(of x: FeatureMatrix, names: [String], categorical: [Bool]) throws {
        guard x.columnCount == names.count else {
            throw BoostingError.featureCountMismatch(expected: names.count, found: x.columnCount)
        }
        for i in 0..<names.count {
            if x.names[i] != names[i] {
                throw BoostingError.featureNamesMismatch(index: i, expected: names[i], found: x.names[i])
            }
            if x.isCategorical[i] != categorical[i] {
                throw BoostingError.featureKindMismatch(name: names[i], modelIsCategorical: categorical[i])
            }
        }
    }

    /// 0.5 for logistic; the weighted label mean for squared error.
    static func defaultBaseScore(labels: [Double], weights: [Double]?, objective: BoostingParameters.Objective) -> Double {
        if objective == .binaryLogistic { return 0.5 }
        var sum = 0.0, total = 0.0
        for i in labels.indices {
            let w = weights?[i] ?? 1
            sum += w * labels[i]
            total += w
        }
        return sum / total
    }

    /// Sample weights times `scale_pos_weight` for positive rows (logistic), or `nil` when all are 1.
    static func effectiveWeights(labels: [Double], weights: [Double]?, parameters: BoostingParameters) -> [Double]? {
        let scale = parameters.objective == .binaryLogistic ? parameters.scalePosWeight : 1
        if weights == nil && scale == 1 { return nil }
        return labels.indices.map { i in (weights?[i] ?? 1) * (labels[i] == 1 ? scale : 1) }
    }

    /// Fills (g, h) of every row from the current margins.
    static func computeGradients(margins: [Double], labels: [Double], weights: [Double]?,
                                 objective: BoostingParameters.Objective, into gradients: inout [SIMD2<Float>],
                                 threads: Int) {
        let n = margins.count
        gradients.withUnsafeMutableBufferPointer { gBuf in
            let out = SharedPointer(gBuf.baseAddress!)
            margins.withUnsafeBufferPointer { mBuf in
                let m = SharedReadPointer(mBuf.baseAddress!)
                labels.withUnsafeBufferPointer { lBuf in
                    let y = SharedReadPointer(lBuf.baseAddress!)
                    Parallel.forEachChunk(count: n, chunk: 65_536, threads: threads) { range in
                        for i in range {
                            let w = weights?[i] ?? 1
                            var g: Double, h: Double
                            if objective == .binaryLogistic {
                                let p = 1 / (1 + exp(-m[i]))
                                g = p - y[i]
                                h = max(p * (1 - p), 1e-16)
                            } else {
                                g = m[i] - y[i]
                                h = 1
                            }
                            out[i] = SIMD2(Float(g * w), Float(h * w))
                        }
                    }
                }
            }
        }
    }

    /// Draws ⌊fraction·count⌋ (at least 1) distinct features, returned ascending.
    static func sampleFeatures(count: Int, fraction: Double, rng: inout SplitMix64) -> [Int] {
        var all = Array(0..<count)
        if fraction >= 1 { return all }
        let k = max(1, Int(fraction * Double(count)))
        for i in 0..<k {
            let j = i + Int(rng.next() % UInt64(count - i))
            all.swapAt(i, j)
        }
        return all[0..<k].sorted()
    }

    /// Adds a grown tree's leaf values to every training row's margin, routing rows by their bins.
    static func addTree(_ nodes: [TreeNode], binned: BinnedMatrix, to margins: inout [Double], threads: Int) {
        let featureCount = binned.featureCount
        margins.withUnsafeMutableBufferPointer { mBuf in
            let m = SharedPointer(mBuf.baseAddress!)
            binned.bins.withUnsafeBufferPointer { bBuf in
                let bins = SharedReadPointer(bBuf.baseAddress!)
                nodes.withUnsafeBufferPointer { nodeBuf in
                    let tree = SharedReadPointer(nodeBuf.baseAddress!)
                    Parallel.forEachChunk(count: binned.rowCount, chunk: 65_536, threads: threads) { range in
                        for r in range {
                            var n = 0
                            while tree[n].left >= 0 {
                                let node = tree[n]
                                let b = Int(bins[r * featureCount + node.feature])
                                let goLeft: Bool
                                if b == binned.missingBins[node.feature] {
                                    goLeft = node.defaultLeft
                                } else if let mask = node.categories {
                                    goLeft = mask.contains(b)
                                } else {
                                    goLeft = b <= node.splitBin
                                }
                                n = goLeft ? node.left : node.right
                            }
                            m[r] += tree[n].value
                        }
                    }
                }
            }
        }
    }

    /// Weighted log loss (logistic, probabilities clipped to [1e-15, 1 − 1e-15]) or RMSE (squared error).
    static func loss(margins: [Double], labels: [Double], weights: [Double]?,
                     objective: BoostingParameters.Objective) -> Double {
        var sum = 0.0, total = 0.0
        for i in margins.indices {
            let w = weights?[i] ?? 1
            if objective == .binaryLogistic {
                let p = min(max(1 / (1 + exp(-margins[i])), 1e-15), 1 - 1e-15)
                sum -= w * (labels[i] == 1 ? log(p) : log(1 - p))
            } else {
                let d = margins[i] - labels[i]
                sum += w * d * d
            }
            total += w
        }
        let mean = sum / max(total, .leastNonzeroMagnitude)
        return objective == .binaryLogistic ? mean : mean.squareRoot()
    }
}
