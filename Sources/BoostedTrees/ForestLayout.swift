/// All trees' nodes in one flat array with absolute child indices, for fast batch prediction.
///
/// A leaf points to itself on both sides, so a row can take exactly `depths[t]` steps down tree `t` whatever leaf it
/// reaches: scoring walks a block of rows level by level with no "is this a leaf?" branch, and the rows' independent
/// steps overlap in the processor instead of waiting on one row's chain of loads.
struct ForestLayout: Sendable {
    /// One node, packed so that a step reads one 24-byte record.
    struct Node: Sendable {
        /// The split feature (0 for leaves, which ignore it).
        var feature: Int32
        /// Numeric split: `value < threshold` goes left.
        var threshold: Float
        /// The next node for a row going left (the node itself for a leaf).
        var left: Int32
        /// The next node for a row going right (the node itself for a leaf).
        var right: Int32
        /// Index into ``ForestLayout/masks`` for a categorical split, or -1.
        var mask: Int32
        /// Whether a missing value goes left.
        var defaultLeft: Bool
    }

    /// The node a row with `value` in the split feature goes to from `node`: the default side for a missing value,
    /// the category mask's answer for a categorical split, `value < threshold` otherwise.
    @inline(__always)
    func next(after node: Node, value: Float) -> Int32 {
        let goLeft: Bool
        if value.isNaN {
            goLeft = node.defaultLeft
        } else if node.mask >= 0 {
            goLeft = masks[Int(node.mask)].contains(Int(value))
        } else {
            goLeft = value < node.threshold
        }
        return goLeft ? node.left : node.right
    }

    var nodes: [Node] = []
    /// Each node's leaf value (read only at the node a row ends on).
    var value: [Double] = []
    var masks: [CategoryMask] = []
    var roots: [Int32] = []
    /// Each tree's depth: the most steps from its root to a leaf.
    var depths: [Int] = []

    init(trees: [DecisionTree]) {
        for tree in trees where tree.nodeCount > 0 {  // a tree without nodes adds nothing
            let offset = nodes.count
            roots.append(Int32(offset))
            var depth = [Int](repeating: 0, count: tree.nodeCount)
            var deepest = 0
            for i in 0..<tree.nodeCount {
                let isLeaf = tree.leftChild[i] < 0
                var maskIndex: Int32 = -1
                if !isLeaf, let mask = tree.categoryMasks[i] {
                    maskIndex = Int32(masks.count)
                    masks.append(mask)
                }
                nodes.append(Node(
                    feature: isLeaf ? 0 : Int32(tree.splitFeature[i]),
                    threshold: tree.threshold[i],
                    left: Int32(isLeaf ? offset + i : offset + tree.leftChild[i]),
                    right: Int32(isLeaf ? offset + i : offset + tree.rightChild[i]),
                    mask: maskIndex,
                    defaultLeft: tree.defaultLeft[i]))
                value.append(tree.leafValue[i])
            }
            // Depth first from the root; a node is visited once, so a malformed tree cannot loop.
            var stack = tree.nodeCount > 0 ? [0] : []
            var visited = [Bool](repeating: false, count: tree.nodeCount)
            while let i = stack.popLast() {
                guard !visited[i] else { continue }
                visited[i] = true
                deepest = max(deepest, depth[i])
                for child in [tree.leftChild[i], tree.rightChild[i]] where child >= 0 && child < tree.nodeCount {
                    depth[child] = depth[i] + 1
                    stack.append(child)
                }
            }
            depths.append(deepest)
        }
    }
}
