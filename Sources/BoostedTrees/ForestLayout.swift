/// All trees' nodes in flat arrays with absolute child indices, for fast batch prediction.
struct ForestLayout: Sendable {
    var feature: [Int32] = []
    var threshold: [Float] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var defaultLeft: [Bool] = []
    var value: [Double] = []
    /// Index into `masks`, or -1 for numeric splits and leaves.
    var maskIndex: [Int32] = []
    var masks: [CategoryMask] = []
    var roots: [Int] = []

    init(trees: [DecisionTree]) {
        for tree in trees {
            let offset = feature.count
            roots.append(offset)
            for i in 0..<tree.nodeCount {
                feature.append(Int32(tree.splitFeature[i]))
                threshold.append(tree.threshold[i])
                left.append(tree.leftChild[i] < 0 ? -1 : Int32(tree.leftChild[i] + offset))
                right.append(tree.rightChild[i] < 0 ? -1 : Int32(tree.rightChild[i] + offset))
                defaultLeft.append(tree.defaultLeft[i])
                value.append(tree.leafValue[i])
                if let mask = tree.categoryMasks[i] {
                    maskIndex.append(Int32(masks.count))
                    masks.append(mask)
                } else {
                    maskIndex.append(-1)
                }
            }
        }
    }
}
