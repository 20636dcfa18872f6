extension TreeGrower {
    /// Rows per partition task.
    static let partitionChunk = 32_768

    /// Stable partition of each split node's row range (left rows first), in parallel over fixed-size chunks
    /// of every node; the (g, h) pairs in `gradients` move with their rows, so every node's gradients stay
    /// contiguous and histogram building reads them in order. Returns each node's left-row count.
    ///
    /// Pass 1 writes each chunk's left rows forward from the chunk's start in the scratch buffers and its right
    /// rows backward from the chunk's end, without branching on the split (both slots are written, one index
    /// advances); pass 2 copies lefts, then rights in their original order, to their final places.
    /// `rowScratch` and `gradientScratch` must be at least as long as `rows`.
    func partition(_ work: [(Pending, SplitCandidate)], rows: inout [Int32], gradients: inout [SIMD2<Float>],
                   rowScratch: inout [Int32], gradientScratch: inout [SIMD2<Float>]) -> [Int] {
        let chunk = Self.partitionChunk
        var taskList: [(node: Int, begin: Int, end: Int)] = []
        for (k, (pending, _)) in work.enumerated() {
            var b = pending.begin
            repeat {
                taskList.append((k, b, min(pending.end, b + chunk)))
                b += chunk
            } while b < pending.end
        }
        let tasks = taskList
        let rowCount = binned.rowCount
        var leftPerTask = [Int](repeating: 0, count: tasks.count)
        rows.withUnsafeMutableBufferPointer { rBuf in
            let rowPtr = SharedPointer(rBuf.baseAddress!)
            gradients.withUnsafeMutableBufferPointer { gBuf in
                let ghPtr = SharedPointer(gBuf.baseAddress!)
                rowScratch.withUnsafeMutableBufferPointer { sBuf in
                    let rowOut = SharedPointer(sBuf.baseAddress!)
                    gradientScratch.withUnsafeMutableBufferPointer { gsBuf in
                        let ghOut = SharedPointer(gsBuf.baseAddress!)
                        binned.columnBins.withUnsafeBufferPointer { bBuf in
                            let bins = SharedReadPointer(bBuf.baseAddress!)
                            leftPerTask.withUnsafeMutableBufferPointer { lBuf in
                                let leftCount = SharedPointer(lBuf.baseAddress!)
                                Parallel.forEach(tasks: tasks.count, threads: threads) { t in
                                    let (k, begin, end) = tasks[t]
                                    let split = work[k].1
                                    let column = bins.base + split.feature * rowCount
                                    let missing = binned.missingBins[split.feature]
                                    let defaultLeft = split.defaultLeft
                                    var l = begin, r = end &- 1
                                    @inline(__always) func place(_ i: Int, _ goLeft: Bool) {
                                        let row = rowPtr[i], gh = ghPtr[i]
                                        rowOut[l] = row
                                        rowOut[r] = row
                                        ghOut[l] = gh
                                        ghOut[r] = gh
                                        let step = goLeft ? 1 : 0
                                        l &+= step
                                        r &-= 1 &- step
                                    }
                                    if let mask = split.categories {
                                        for i in begin..<end {
                                            let b = Int(column[Int(rowPtr[i])])
                                            place(i, b == missing ? defaultLeft : mask.contains(b))
                                        }
                                    } else {
                                        let splitBin = split.splitBin
                                        for i in begin..<end {
                                            let b = Int(column[Int(rowPtr[i])])
                                            place(i, b == missing ? defaultLeft : b <= splitBin)
                                        }
                                    }
                                    leftCount[t] = l &- begin
                                }
                            }
                            // Pass 2: destinations by prefix sums (in task order), then copy back in parallel.
                            var totalLeft = [Int](repeating: 0, count: work.count)
                            for (t, task) in tasks.enumerated() { totalLeft[task.node] += leftPerTask[t] }
                            var nextLeft = work.map(\.0.begin)
                            var nextRight = work.indices.map { work[$0].0.begin + totalLeft[$0] }
                            var destinations = [(left: Int, right: Int)](repeating: (0, 0), count: tasks.count)
                            for (t, task) in tasks.enumerated() {
                                destinations[t] = (nextLeft[task.node], nextRight[task.node])
                                nextLeft[task.node] += leftPerTask[t]
                                nextRight[task.node] += (task.end - task.begin) - leftPerTask[t]
                            }
                            let leftSnapshot = leftPerTask, targets = destinations
                            Parallel.forEach(tasks: tasks.count, threads: threads) { t in
                                let (_, begin, end) = tasks[t]
                                let lc = leftSnapshot[t]
                                var d = targets[t].left
                                for i in begin..<(begin + lc) {
                                    rowPtr[d] = rowOut[i]
                                    ghPtr[d] = ghOut[i]
                                    d += 1
                                }
                                d = targets[t].right
                                var i = end - 1
                                while i >= begin + lc {
                                    rowPtr[d] = rowOut[i]
                                    ghPtr[d] = ghOut[i]
                                    d += 1
                                    i -= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = [Int](repeating: 0, count: work.count)
        for (t, task) in tasks.enumerated() { result[task.node] += leftPerTask[t] }
        return result
    }
}
