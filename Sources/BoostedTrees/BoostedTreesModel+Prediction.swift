import Foundation

extension BoostedTreesModel {
    /// Raw margins: base margin plus the sum of leaf values (log-odds for logistic).
    /// - Parameters:
    ///   - features: Rows to score, with the training columns (names, order, categorical flags).
    ///   - threads: Worker threads; `nil` uses the model's `threads` parameter (0 = all processors).
    /// - Returns: One margin per row.
    /// - Throws: ``BoostingError/featureCountMismatch(expected:found:)``, ``BoostingError/featureNamesMismatch(index:expected:found:)``
    ///   or ``BoostingError/featureKindMismatch(name:modelIsCategorical:)`` when the columns differ from training.
    public func predictMargin(_ features: FeatureMatrix, threads: Int? = nil) throws -> [Double] {
        try GradientBoostedTrees.checkColumns(of: features, names: featureNames, categorical: categoricalFeatures)
        let rows = features.rowCount, columns = features.columnCount
        var out = [Double](repeating: baseMargin, count: rows)
        if rows == 0 || trees.isEmpty { return out }
        let forest = self.forest
        let workers = threads.map { max(1, $0) } ?? parameters.effectiveThreads
        let block = 256
        out.withUnsafeMutableBufferPointer { outBuf in
            let result = SharedPointer(outBuf.baseAddress!)
            features.values.withUnsafeBufferPointer { vBuf in
                let values = SharedReadPointer(vBuf.baseAddress!)
                Parallel.forEachChunk(count: rows, chunk: block, threads: workers) { range in
                    var scratch = [Float](repeating: 0, count: range.count * columns)
                    for c in 0..<columns {
                        let column = values.base + c * rows
                        for (k, r) in range.enumerated() { scratch[k * columns + c] = column[r] }
                    }
                    Self.scoreBlock(forest: forest, rows: scratch, columns: columns, count: range.count,
                                    into: result.base + range.lowerBound)
                }
            }
        }
        return out
    }

    /// Adds every tree's leaf value to `out[k]` for each row-major row `k` of the block.
    ///
    /// Tree by tree, the block's rows step down one level at a time together (``ForestLayout``: leaves point to
    /// themselves, so every row takes the tree's depth in steps). Each row still adds the trees in order, so the
    /// margins are the same bits as a row-at-a-time walk.
    private static func scoreBlock(forest: ForestLayout, rows: [Float], columns: Int, count: Int,
                                   into out: UnsafeMutablePointer<Double>) {
        if count <= 2 {  // a prediction request's row or two: walk each tree only as deep as the row goes
            for k in 0..<count {
                rows.withUnsafeBufferPointer { x in scoreRow(forest: forest, row: x.baseAddress! + k * columns, into: out + k) }
            }
            return
        }
        var position = [Int32](repeating: 0, count: count)
        forest.nodes.withUnsafeBufferPointer { nodes in
            forest.value.withUnsafeBufferPointer { value in
                rows.withUnsafeBufferPointer { x in
                    position.withUnsafeMutableBufferPointer { at in
                        let base = x.baseAddress!
                        for (tree, root) in forest.roots.enumerated() {
                            for k in 0..<count { at[k] = root }
                            for _ in 0..<forest.depths[tree] {
                                for k in 0..<count {
                                    let node = nodes[Int(at[k])]
                                    at[k] = forest.next(after: node, value: base[k &* columns &+ Int(node.feature)])
                                }
                            }
                            for k in 0..<count { out[k] += value[Int(at[k])] }
                        }
                    }
                }
            }
        }
    }

    /// Adds every tree's leaf value to `out.pointee` for one row, tree by tree in order (the same bits as
    /// ``scoreBlock(forest:rows:columns:count:into:)``), stopping at the leaf rather than stepping to the tree's depth.
    private static func scoreRow(forest: ForestLayout, row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Double>) {
        forest.nodes.withUnsafeBufferPointer { nodes in
            forest.value.withUnsafeBufferPointer { value in
                for root in forest.roots {
                    var at = Int(root)
                    while true {
                        let node = nodes[at]
                        if Int(node.left) == at { break }  // leaves point to themselves
                        at = Int(forest.next(after: node, value: row[Int(node.feature)]))
                    }
                    out.pointee += value[at]
                }
            }
        }
    }

    /// Predictions: probabilities of class 1 for logistic, values for regression.
    /// - Parameters:
    ///   - features: Rows to score, with the training columns.
    ///   - threads: Worker threads; `nil` uses the model's `threads` parameter.
    /// - Returns: One prediction per row.
    /// - Throws: As ``predictMargin(_:threads:)``.
    public func predict(_ features: FeatureMatrix, threads: Int? = nil) throws -> [Double] {
        let margins = try predictMargin(features, threads: threads)
        guard parameters.objective == .binaryLogistic else { return margins }
        return margins.map { 1 / (1 + exp(-$0)) }
    }
}
