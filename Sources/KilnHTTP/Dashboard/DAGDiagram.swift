import PipelineModel

/// Draws a pipeline's DAG as SVG: tasks in columns by depth (the longest chain of `needs` before them), edges as
/// curves from each upstream task to its dependents, each node coloured by its state. Every node is a
/// `<g class="node state-S" data-task="ID" data-state="S">`, which the run page's script updates live.
enum DAGDiagram {
    static let nodeWidth = 150
    static let nodeHeight = 34
    static let columnGap = 36
    static let rowGap = 14
    static let margin = 8

    /// The SVG of `pipeline` with `states` by task id (a task missing from it is drawn `pending`).
    static func svg(_ pipeline: Pipeline, states: [String: String]) -> String {
        let tasks = pipeline.tasks
        let index = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        // Depth by the longest chain of needs, relaxed until stable (declaration order need not be topological).
        var depth = [Int](repeating: 0, count: tasks.count)
        var changed = true
        var rounds = 0
        while changed && rounds <= tasks.count {
            changed = false
            rounds += 1
            for (position, task) in tasks.enumerated() {
                let wanted = task.needs.compactMap { index[$0] }.map { depth[$0] + 1 }.max() ?? 0
                if wanted > depth[position] {
                    depth[position] = wanted
                    changed = true
                }
            }
        }
        var rows: [Int: Int] = [:]
        var origin: [(x: Int, y: Int)] = []
        for position in tasks.indices {
            let column = depth[position]
            let row = rows[column, default: 0]
            rows[column] = row + 1
            origin.append((margin + column * (nodeWidth + columnGap), margin + row * (nodeHeight + rowGap)))
        }
        let width = margin * 2 + ((depth.max() ?? 0) + 1) * (nodeWidth + columnGap) - columnGap
        let height = margin * 2 + (rows.values.max() ?? 1) * (nodeHeight + rowGap) - rowGap

        var edges = ""
        for (position, task) in tasks.enumerated() {
            for need in task.needs {
                guard let from = index[need] else { continue }
                let x1 = origin[from].x + nodeWidth, y1 = origin[from].y + nodeHeight / 2
                let x2 = origin[position].x, y2 = origin[position].y + nodeHeight / 2
                let bend = (x2 - x1) / 2
                edges += "<path class=\"edge\" d=\"M\(x1),\(y1) C\(x1 + bend),\(y1) \(x2 - bend),\(y2) \(x2),\(y2)\"/>"
            }
        }
        var nodes = ""
        for (position, task) in tasks.enumerated() {
            let state = states[task.id] ?? "pending"
            let label = task.id.count > 19 ? String(task.id.prefix(18)) + "…" : task.id
            let (x, y) = origin[position]
            nodes += """
                <g class="node state-\(HTML.escape(state))" data-task="\(HTML.escape(task.id))" data-state="\(HTML.escape(state))" \
                transform="translate(\(x),\(y))"><title>\(HTML.escape(task.id)): \(HTML.escape(state))</title>\
                <rect width="\(nodeWidth)" height="\(nodeHeight)" rx="6"/>\
                <text x="10" y="\(nodeHeight / 2 + 5)">\(HTML.escape(label))</text></g>
                """
        }
        return """
            <svg class="dag" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" \
            height="\(height)" role="img" aria-label="task graph">\(edges)\(nodes)</svg>
            """
    }
}
