extension BoostedTreesModel {
    /// Scores every feature; features never split on get 0.
    /// - Parameter kind: What to measure. Default ``FeatureImportance/gain``.
    /// - Returns: `(name, score)` pairs in column order.
    public func featureImportance(_ kind: FeatureImportance = .gain) -> [(name: String, score: Double)] {
        var total = [Double](repeating: 0, count: featureNames.count)
        var count = [Double](repeating: 0, count: featureNames.count)
        for tree in trees {
            for i in 0..<tree.nodeCount where tree.splitFeature[i] >= 0 {
                total[tree.splitFeature[i]] += tree.splitGain[i]
                count[tree.splitFeature[i]] += 1
            }
        }
        return featureNames.indices.map { f in
            switch kind {
            case .gain: return (featureNames[f], count[f] > 0 ? total[f] / count[f] : 0)
            case .totalGain: return (featureNames[f], total[f])
            case .weight: return (featureNames[f], count[f])
            }
        }
    }
}
