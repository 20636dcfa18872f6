/// One node of a tree while it is being grown (split expressed in bins).
struct TreeNode: Sendable {
    /// Split feature, or -1 for a leaf.
    var feature = -1
    /// Numeric split: rows with `bin <= splitBin` go left.
    var splitBin = 0
    /// Categorical split: rows whose code is in the mask go left.
    var categories: CategoryMask?
    /// Where missing values go.
    var defaultLeft = false
    var left = -1
    var right = -1
    /// −G/(H+λ)·η: the leaf value (also kept for internal nodes).
    var value = 0.0
    /// Loss reduction of the split (0 for leaves).
    var gain = 0.0
    /// Hessian sum of the rows in the node.
    var cover = 0.0
}
