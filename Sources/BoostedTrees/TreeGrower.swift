import CPrefetch
/// Grows one regression tree depth-wise from gradient histograms.
///
/// Per level: find every node's best split from its histogram, partition the node's rows (stable) together with
/// their (g, h) pairs, then build the histogram of the smaller child only and derive its sibling as
/// parent − smaller (histogram subtraction). The last level is not partitioned: its rows are routed to their
/// leaves when the leaf values are added to the margins.
/// Histograms are built in parallel by (node, feature block) tasks; every histogram cell is summed by one task
/// in row order, so the result does not depend on the thread count.
struct TreeGrower {
    let binned: BinnedMatrix
    let parameters: BoostingParameters
    let threads: Int

    /// A node waiting to be split.
    struct Pending {
        var node: Int
        var begin: Int
        var end: Int
        var g: Double
        var h: Double
        var histogram: [Double]
    }

    /// Doubles in one node histogram: (g, h) per slot.
    var histogramSize: Int { binned.totalSlots * 2 }

    /// Grows a tree on `rows` (indices of the sampled rows, ascending; reordered in place) using `features`.
    /// - Parameters:
    ///   - gradients: (g, h) of every row in `rows`, at the same position (`gradients[i]` belongs to `rows[i]`);
    ///     reordered with `rows`, so a node's gradients are contiguous and read in order.
    ///   - rows: Row indices; partitioned in place.
    ///   - rowScratch: A buffer at least as long as `rows`.
    ///   - gradientScratch: A buffer at least as long as `rows`.
    ///   - features: The features this tree may split on, ascending.
    /// - Returns: The nodes (node 0 is the root) and the ranges of the reordered `rows` that reach each leaf or
    ///   each split of the last level: those rows are not partitioned, as their two leaves are known
    ///   (``addLeafValues(nodes:ranges:rows:to:)`` routes them).
    func grow(gradients: inout [SIMD2<Float>], rows: inout [Int32], rowScratch: inout [Int32],
              gradientScratch: inout [SIMD2<Float>], features: [Int])
        -> (nodes: [TreeNode], leaves: [(node: Int, range: Range<Int>)])
    {
        let eta = parameters.learningRate, lambda = parameters.lambda
        var g = 0.0, h = 0.0
        for i in rows.indices {
            g += Double(gradients[i].x)
            h += Double(gradients[i].y)
        }
        var nodes = [TreeNode(value: -g / (h + lambda) * eta, cover: h)]
        var leaves: [(node: Int, range: Range<Int>)] = []
        if rows.isEmpty { return (nodes, leaves) }
        var root = Pending(node: 0, begin: 0, end: rows.count, g: g, h: h, histogram: [])
        var rootList = [root]
        buildHistograms(for: &rootList, gradients: gradients, rows: rows, features: features)
        root = rootList[0]
        var level = [root]
        for depth in 0..<parameters.maxDepth {
            let splits = bestSplits(for: level, features: features)
            var partitions: [(Pending, SplitCandidate)] = []
            for (pending, split) in zip(level, splits) {
                if let split {
                    partitions.append((pending, split))
                } else {
                    leaves.append((pending.node, pending.begin..<pending.end))
                }
            }
            if partitions.isEmpty { break }
            let last = depth + 1 == parameters.maxDepth
            let leftCounts = last ? [] : partition(partitions, rows: &rows, gradients: &gradients,
                                                   rowScratch: &rowScratch, gradientScratch: &gradientScratch)
            var children: [Pending] = []
            var buildList: [Pending] = []
            var pairs: [(parent: Int, smallIsLeft: Bool)] = []
            for (k, (pending, split)) in partitions.enumerated() {
                let id = pending.node
                let leftID = nodes.count, rightID = nodes.count + 1
                nodes[id].feature = split.feature
                nodes[id].splitBin = split.splitBin
                nodes[id].categories = split.categories
                nodes[id].defaultLeft = split.defaultLeft
                nodes[id].left = leftID
                nodes[id].right = rightID
                nodes[id].gain = split.gain
                let (rg, rh) = (pending.g - split.leftG, pending.h - split.leftH)
                nodes.append(TreeNode(value: -split.leftG / (split.leftH + lambda) * eta, cover: split.leftH))
                nodes.append(TreeNode(value: -rg / (rh + lambda) * eta, cover: rh))
                let mid = last ? pending.begin : pending.begin + leftCounts[k]
                let left = Pending(node: leftID, begin: pending.begin, end: mid, g: split.leftG, h: split.leftH, histogram: [])
                let right = Pending(node: rightID, begin: mid, end: pending.end, g: rg, h: rh, histogram: [])
                children.append(left)
                children.append(right)
                let smallIsLeft = left.end - left.begin <= right.end - right.begin
                buildList.append(smallIsLeft ? left : right)
                pairs.append((k, smallIsLeft))
            }
            if last {
                for (pending, _) in partitions { leaves.append((pending.node, pending.begin..<pending.end)) }
                break
            }
            buildHistograms(for: &buildList, gradients: gradients, rows: rows, features: features)
            for (k, pair) in pairs.enumerated() {
                var small = buildList[k].histogram
                let parent = partitions[pair.parent].0.histogram
                var large = parent
                for i in large.indices { large[i] -= small[i] }
                if pair.smallIsLeft {
                    children[2 * k].histogram = small
                    children[2 * k + 1].histogram = large
                } else {
                    children[2 * k].histogram = large
                    children[2 * k + 1].histogram = small
                }
                small = []
            }
            level = children
        }
        return (nodes, leaves)
    }

    /// Adds the leaf values of a grown tree to `margins`, given the ranges ``grow(gradients:rows:rowScratch:gradientScratch:features:)``
    /// returned: rows of a leaf's range get its value; rows of a last-level split's range get the value of
    /// the leaf their bin leads to.
    func addLeafValues(nodes: [TreeNode], ranges: [(node: Int, range: Range<Int>)], rows: [Int32],
                       to margins: inout [Double]) {
        let rowCount = binned.rowCount
        margins.withUnsafeMutableBufferPointer { mBuf in
            let m = SharedPointer(mBuf.baseAddress!)
            rows.withUnsafeBufferPointer { rBuf in
                let rowPtr = SharedReadPointer(rBuf.baseAddress!)
                binned.columnBins.withUnsafeBufferPointer { bBuf in
                    let bins = SharedReadPointer(bBuf.baseAddress!)
                    Parallel.forEach(tasks: ranges.count, threads: threads) { t in
                        let node = nodes[ranges[t].node], range = ranges[t].range
                        if node.left < 0 {
                            for k in range { m[Int(rowPtr[k])] += node.value }
                            return
                        }
                        let leftValue = nodes[node.left].value, rightValue = nodes[node.right].value
                        let column = bins.base + node.feature * rowCount
                        let missing = binned.missingBins[node.feature]
                        for k in range {
                            let r = Int(rowPtr[k]), b = Int(column[r])
                            let goLeft = b == missing ? node.defaultLeft
                                : (node.categories.map { $0.contains(b) } ?? (b <= node.splitBin))
                            m[r] += goLeft ? leftValue : rightValue
                        }
                    }
                }
            }
        }
    }

    /// Best split of every node, evaluated in parallel over nodes.
    func bestSplits(for level: [Pending], features: [Int]) -> [SplitCandidate?] {
        let results = ParallelResults<SplitCandidate?>(count: level.count, initial: nil)
        Parallel.forEach(tasks: level.count, threads: threads) { k in
            results[k] = bestSplit(for: level[k], features: features)
        }
        return results.values
    }

    /// Rows per histogram task. Partial histograms of fixed row chunks are summed in chunk order, so results
    /// depend on this constant but not on the thread count.
    static let histogramChunk = 32_768

    /// Rows between a row's prefetch and its histogram update.
    static let histogramLookahead = 6

    /// Builds the histogram of every pending node: parallel (node, row chunk) tasks each fill a partial
    /// histogram over all features, then each node sums its partials in chunk order.
    /// `gradients[i]` is the (g, h) of `rows[i]`.
    func buildHistograms(for pending: inout [Pending], gradients: [SIMD2<Float>], rows: [Int32], features: [Int]) {
        let size = histogramSize
        var taskList: [(node: Int, begin: Int, end: Int)] = []
        for (k, node) in pending.enumerated() {
            var b = node.begin
            repeat {
                taskList.append((k, b, min(node.end, b + Self.histogramChunk)))
                b += Self.histogramChunk
            } while b < node.end
        }
        let tasks = taskList
        var partial = [Double](repeating: 0, count: size * tasks.count)
        let lookahead = Self.histogramLookahead
        let featureCount = binned.featureCount
        let starts = features.map { binned.offsets[$0] }
        let contiguous = features.last! - features[0] == features.count - 1
        partial.withUnsafeMutableBufferPointer { out in
            let hist = SharedPointer(out.baseAddress!)
            gradients.withUnsafeBufferPointer { gBuf in
                let gh = SharedReadPointer(gBuf.baseAddress!)
                binned.bins.withUnsafeBufferPointer { bBuf in
                    let bins = SharedReadPointer(bBuf.baseAddress!)
                    rows.withUnsafeBufferPointer { rBuf in
                        let rowPtr = SharedReadPointer(rBuf.baseAddress!)
                        features.withUnsafeBufferPointer { fBuf in
                            let slot = SharedReadPointer(fBuf.baseAddress!)
                            let width = fBuf.count
                            starts.withUnsafeBufferPointer { sBuf in
                                let start = SharedReadPointer(sBuf.baseAddress!)
                                Parallel.forEach(tasks: tasks.count, threads: threads) { t in
                                    let (_, begin, end) = tasks[t]
                                    let base = hist.base + t * size
                                    // A row's ~30 bins are one scattered read once nodes get small: the row
                                    // `lookahead` rows ahead is prefetched, so its cache miss overlaps this row's
                                    // updates. (A plain load there stalled retirement: 31 % of the loop's samples.)
                                    let last = end &- 1
                                    if contiguous {
                                        // The tree's features are adjacent in each row: no slot lookup.
                                        let first = slot[0]
                                        for i in begin..<end {
                                            let ahead = bins.base + Int(rowPtr[min(i &+ lookahead, last)]) &* featureCount
                                            kiln_prefetch(ahead)
                                            kiln_prefetch(ahead + (featureCount &- 1))
                                            let r = Int(rowPtr[i])
                                            let pair = gh[i]
                                            let g = Double(pair.x), h = Double(pair.y)
                                            let rowBase = bins.base + (r &* featureCount &+ first)
                                            for k in 0..<width {
                                                let idx = (start[k] &+ Int(rowBase[k])) &<< 1
                                                base[idx] += g
                                                base[idx &+ 1] += h
                                            }
                                        }
                                    } else {
                                        for i in begin..<end {
                                            let ahead = bins.base + Int(rowPtr[min(i &+ lookahead, last)]) &* featureCount
                                            kiln_prefetch(ahead)
                                            kiln_prefetch(ahead + (featureCount &- 1))
                                            let r = Int(rowPtr[i])
                                            let pair = gh[i]
                                            let g = Double(pair.x), h = Double(pair.y)
                                            let rowBase = bins.base + r &* featureCount
                                            for k in 0..<width {
                                                let idx = (start[k] &+ Int(rowBase[slot[k]])) &<< 1
                                                base[idx] += g
                                                base[idx &+ 1] += h
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Sum each node's partials in chunk order (fixed, thread-independent).
        var firstTask = [Int](repeating: -1, count: pending.count), taskCount = [Int](repeating: 0, count: pending.count)
        for (t, task) in tasks.enumerated() {
            if firstTask[task.node] < 0 { firstTask[task.node] = t }
            taskCount[task.node] += 1
        }
        for k in pending.indices {
            let first = firstTask[k]
            var h = Array(partial[(first * size)..<((first + 1) * size)])
            for t in (first + 1)..<(first + taskCount[k]) {
                partial.withUnsafeBufferPointer { src in
                    let p = src.baseAddress! + t * size
                    for i in 0..<size { h[i] += p[i] }
                }
            }
            pending[k].histogram = h
        }
    }
}
