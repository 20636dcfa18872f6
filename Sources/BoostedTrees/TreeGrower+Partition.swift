extension TreeGrower {
    /// Stable partition of each split node's row range (left rows first), in parallel over fixed-size chunks
    /// of every node; returns each node's left-row count. `scratch` must be at least twice as long as `rows`.
    func partition(_ work: [(Pending, SplitCandidate)], rows: inout [Int32], scratch: inout [Int32]) -> [Int] {
        let chunk = 32_768
        var taskList: [(node: Int, begin: Int, end: Int)] = []
        for (k, (pending, _)) in work.enumerated() {
            var b = pending.begin
            repeat {
                taskList.append((k, b, min(pending.end, b + chunk)))
                b += chunk
            } while b < pending.end
        }
        let tasks = taskList
        let n = rows.count, rowCount = binned.rowCount
        var leftPerTask = [Int](repeating: 0, count: tasks.count)
        rows.withUnsafeMutableBufferPointer { rBuf in
            let rowPtr = SharedPointer(rBuf.baseAddress!)
            scratch.withUnsafeMutableBufferPointer { sBuf in
                let lefts = SharedPointer(sBuf.baseAddress!), rights = SharedPointer(sBuf.baseAddress! + n)
                binned.columnBins.withUnsafeBufferPointer { bBuf in
                    let bins = SharedReadPointer(bBuf.baseAddress!)
                    leftPerTask.withUnsafeMutableBufferPointer { lBuf in
                        let leftCount = SharedPointer(lBuf.baseAddress!)
                        // Pass 1: split each chunk into lefts/rights (same positions in two scratch halves).
                        Parallel.forEach(tasks: tasks.count, threads: threads) { t in
                            let (k, begin, end) = tasks[t]
                            let split = work[k].1
                            let column = bins.base + split.feature * rowCount
                            let missing = binned.missingBins[split.feature]
                            var l = begin, r = begin
                            for i in begin..<end {
                                let row = rowPtr[i]
                                let b = Int(column[Int(row)])
                                let goLeft: Bool
                                if b == missing {
                                    goLeft = split.defaultLeft
                                } else if let mask = split.categories {
                                    goLeft = mask.contains(b)
                                } else {
                                    goLeft = b <= split.splitBin
                                }
                                if goLeft {
                                    lefts[l] = row
                                    l += 1
                                } else {
                                    rights[r] = row
                                    r += 1
                                }
                            }
                            leftCount[t] = l - begin
                        }
                    }
                    // Pass 2: destinations by prefix sums (in task order), then copy back in parallel.
                    var destinations = [(left: Int, right: Int)](repeating: (0, 0), count: tasks.count)
                    var totalLeft = [Int](repeating: 0, count: work.count)
                    for (t, task) in tasks.enumerated() { totalLeft[task.node] += leftPerTask[t] }
                    var nextLeft = work.map(\.0.begin)
                    var nextRight = work.indices.map { work[$0].0.begin + totalLeft[$0] }
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
                            rowPtr[d] = lefts[i]
                            d += 1
                        }
                        d = targets[t].right
                        for i in begin..<(end - lc) {
                            rowPtr[d] = rights[i]
                            d += 1
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
