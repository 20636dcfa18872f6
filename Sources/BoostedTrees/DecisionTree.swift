/// One fitted regression tree, stored as parallel node arrays (node 0 is the root).
///
/// A row goes to `leftChild` when its value is missing and `defaultLeft` is true, or when it is present and
/// `value < threshold` (numeric split) or its code is in `categories` (categorical split); otherwise to
/// `rightChild`. Leaves have `splitFeature == -1` and children -1; their `leafValue` is added to the margin
/// (already multiplied by the learning rate).
public struct DecisionTree: Sendable, Equatable {
    /// Feature index of each node's split; -1 for leaves.
    public let splitFeature: [Int]
    /// Numeric split threshold (`value < threshold` goes left); 0 for leaves and categorical splits.
    public let threshold: [Float]
    /// Whether missing values go left.
    public let defaultLeft: [Bool]
    /// Index of the left child; -1 for leaves.
    public let leftChild: [Int]
    /// Index of the right child; -1 for leaves.
    public let rightChild: [Int]
    /// Leaf value −G/(H+λ)·η (for internal nodes: the value the node would have as a leaf).
    public let leafValue: [Double]
    /// Categorical splits: the codes that go left, ascending; empty for other nodes.
    public let categories: [[Int]]
    /// Loss reduction of each split; 0 for leaves.
    public let splitGain: [Double]
    /// Hessian sum of the training rows in each node.
    public let cover: [Double]
    /// `categories` as masks, for prediction.
    let categoryMasks: [CategoryMask?]

    /// Number of nodes.
    public var nodeCount: Int { splitFeature.count }

    /// Builds a tree from grown nodes, turning bin splits into real-valued thresholds.
    init(nodes: [TreeNode], cuts: [FeatureCuts]) {
        splitFeature = nodes.map(\.feature)
        threshold = nodes.map { n in
            n.feature < 0 || n.categories != nil ? 0 : cuts[n.feature].cuts[n.splitBin]
        }
        defaultLeft = nodes.map(\.defaultLeft)
        leftChild = nodes.map(\.left)
        rightChild = nodes.map(\.right)
        leafValue = nodes.map(\.value)
        categories = nodes.map { $0.categories?.codes ?? [] }
        splitGain = nodes.map(\.gain)
        cover = nodes.map(\.cover)
        categoryMasks = nodes.map(\.categories)
    }

    /// Sum of the leaf values reached by one row.
    /// - Parameter value: Returns the row's value of a feature (NaN = missing).
    /// - Returns: The leaf value this tree assigns to the row.
    @inline(__always)
    func leaf(_ value: (Int) -> Float) -> Double {
        var n = 0
        while leftChild[n] >= 0 {
            let x = value(splitFeature[n])
            let goLeft: Bool
            if x.isNaN {
                goLeft = defaultLeft[n]
            } else if let mask = categoryMasks[n] {
                goLeft = mask.contains(Int(x))
            } else {
                goLeft = x < threshold[n]
            }
            n = goLeft ? leftChild[n] : rightChild[n]
        }
        return leafValue[n]
    }
}

extension DecisionTree: Codable {
    enum CodingKeys: String, CodingKey {
        case splitFeature = "split_feature", threshold, defaultLeft = "default_left", leftChild = "left_child"
        case rightChild = "right_child", leafValue = "leaf_value", categories, splitGain = "split_gain", cover
    }

    /// Decodes and checks a tree: equal array lengths, children after their parent, categories in 0..<255.
    /// - Parameter decoder: The decoder.
    /// - Throws: ``BoostingError/malformedModel(_:)`` when the structure is invalid.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        splitFeature = try c.decode([Int].self, forKey: .splitFeature)
        threshold = try c.decode([Float].self, forKey: .threshold)
        defaultLeft = try c.decode([Bool].self, forKey: .defaultLeft)
        leftChild = try c.decode([Int].self, forKey: .leftChild)
        rightChild = try c.decode([Int].self, forKey: .rightChild)
        leafValue = try c.decode([Double].self, forKey: .leafValue)
        categories = try c.decode([[Int]].self, forKey: .categories)
        splitGain = try c.decode([Double].self, forKey: .splitGain)
        cover = try c.decode([Double].self, forKey: .cover)
        let n = splitFeature.count
        guard n > 0, [threshold.count, defaultLeft.count, leftChild.count, rightChild.count, leafValue.count,
                      categories.count, splitGain.count, cover.count].allSatisfy({ $0 == n }) else {
            throw BoostingError.malformedModel("a tree's node arrays are empty or of different lengths")
        }
        for i in 0..<n {
            let isLeaf = leftChild[i] == -1 && rightChild[i] == -1
            if isLeaf {
                guard splitFeature[i] == -1, leafValue[i].isFinite else {
                    throw BoostingError.malformedModel("leaf \(i) has a split feature or a non-finite value")
                }
            } else {
                guard leftChild[i] > i, leftChild[i] < n, rightChild[i] > i, rightChild[i] < n,
                      leftChild[i] != rightChild[i], splitFeature[i] >= 0, threshold[i].isFinite || !categories[i].isEmpty
                else { throw BoostingError.malformedModel("node \(i) has invalid children or split") }
            }
            guard categories[i].allSatisfy({ (0..<FeatureMatrix.maximumCategoryCount).contains($0) }) else {
                throw BoostingError.malformedModel("node \(i) has category codes outside 0..<255")
            }
        }
        categoryMasks = categories.map { $0.isEmpty ? nil : CategoryMask($0) }
    }

    /// Encodes the node arrays under snake_case keys.
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(splitFeature, forKey: .splitFeature)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(defaultLeft, forKey: .defaultLeft)
        try c.encode(leftChild, forKey: .leftChild)
        try c.encode(rightChild, forKey: .rightChild)
        try c.encode(leafValue, forKey: .leafValue)
        try c.encode(categories, forKey: .categories)
        try c.encode(splitGain, forKey: .splitGain)
        try c.encode(cover, forKey: .cover)
    }
}
