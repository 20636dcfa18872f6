/// A checked pipeline: the DAG verified and indexed, every expression parsed, ready for the engine.
///
/// Building a plan finds every problem at once and throws them together as ``PipelineValidationError``.
public struct Plan: Sendable {
    /// The pipeline this plan checked.
    public let pipeline: Pipeline
    /// Task index by id.
    public let index: [String: Int]
    /// Direct upstream tasks (indices) of each task.
    public let needs: [[Int]]
    /// Direct downstream tasks (indices) of each task.
    public let dependents: [[Int]]
    /// Task indices in an order where every task comes after its needs.
    public let order: [Int]
    /// The effective condition of each task (`success()` implied when the `if:` calls no status function).
    public let conditions: [Expression]
    /// Every `${{ }}` template of the tasks' `with:`, `run:`, `shell:`, `env:` and `workdir:`, parsed, by its text
    /// (the checks parse them all, so a run's planner does not parse them again).
    public let templates: [String: Template]

    private let upstreamBits: [[UInt64]]

    /// Checks `pipeline`.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline to check.
    ///   - knownKinds: Task kind names that `uses:` may name, or `nil` to skip that check.
    /// - Throws: ``PipelineValidationError`` listing every problem found.
    public init(_ pipeline: Pipeline, knownKinds: Set<String>? = nil) throws(PipelineValidationError) {
        var issues: [PipelineIssue] = []
        self.pipeline = pipeline
        let tasks = pipeline.tasks
        if pipeline.name.trimmingSpaces.isEmpty {
            issues.append(PipelineIssue("the pipeline needs a name", at: [.key("name")]))
        }
        if tasks.isEmpty {
            issues.append(PipelineIssue("the pipeline has no tasks; add at least one under 'tasks:'", at: [.key("tasks")]))
        }
        // The loops below read fields through `tasks[position]`: binding a whole task copies all of its fields.
        var index: [String: Int] = [:]
        index.reserveCapacity(tasks.count)
        for position in tasks.indices {
            let id = tasks[position].id
            if !Plan.isValidID(id) {
                issues.append(
                    PipelineIssue(
                        "task id '\(id)' is invalid: use lowercase letters, digits, '-' and '_', starting with a letter or digit",
                        at: [.key("tasks"), .key(id)], atKey: true))
            }
            // One lookup: a repeated id puts the first position back.
            if let first = index.updateValue(position, forKey: id) {
                index[id] = first
                issues.append(PipelineIssue("duplicate task id '\(id)'", at: [.key("tasks"), .key(id)], atKey: true))
            }
        }
        self.index = index

        var needs = [[Int]](repeating: [], count: tasks.count)
        var dependents = [[Int]](repeating: [], count: tasks.count)
        for position in tasks.indices {
            // Most tasks need a few others: a repeat is looked for among the earlier needs, a set only for many.
            let (id, names) = (tasks[position].id, tasks[position].needs)
            needs[position].reserveCapacity(names.count)
            var seen = Set<String>()
            if names.count > 8 { seen.reserveCapacity(names.count) }
            for (needIndex, need) in names.enumerated() {
                var path: [PipelineIssue.PathComponent] { [.key("tasks"), .key(id), .key("needs"), .index(needIndex)] }
                let repeated = names.count > 8 ? !seen.insert(need).inserted : names[..<needIndex].contains(need)
                if repeated {
                    issues.append(PipelineIssue("'\(need)' is listed twice in needs", at: path))
                } else if need == id {
                    issues.append(PipelineIssue("a task cannot need itself", at: path))
                } else if let upstream = index[need] {
                    needs[position].append(upstream)
                    dependents[upstream].append(position)
                } else {
                    issues.append(
                        PipelineIssue("unknown task '\(need)'\(Suggestion.hint(for: need, in: index.keys))", at: path))
                }
            }
        }
        self.needs = needs
        self.dependents = dependents

        // Topological order (Kahn); what is left over sits on or behind a cycle.
        var remaining = needs.map { $0.count }
        var order: [Int] = []
        order.reserveCapacity(tasks.count)
        var ready = (0..<tasks.count).filter { remaining[$0] == 0 }
        while let next = ready.popLast() {
            order.append(next)
            for dependent in dependents[next] {
                remaining[dependent] -= 1
                if remaining[dependent] == 0 { ready.append(dependent) }
            }
        }
        if order.count < tasks.count {
            let cycle = Plan.findCycle(needs: needs, candidates: Set((0..<tasks.count).filter { remaining[$0] > 0 }))
            let names = cycle.map { tasks[$0].id }
            let first = cycle[0]
            let needIndex = tasks[first].needs.firstIndex(of: tasks[cycle[cycle.count - 1]].id) ?? 0
            issues.append(
                PipelineIssue(
                    "needs form a cycle: \((names + [names[0]]).joined(separator: " → ")); remove one of these edges",
                    at: [.key("tasks"), .key(tasks[first].id), .key("needs"), .index(needIndex)]))
            order += (0..<tasks.count).filter { remaining[$0] > 0 }
        }
        self.order = order

        // Transitive upstream sets as bitsets, built in topological order.
        let words = (tasks.count + 63) / 64
        var upstreamBits = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: tasks.count)
        for task in order {
            for need in needs[task] {
                upstreamBits[task][need / 64] |= 1 << UInt64(need % 64)
                for word in 0..<words { upstreamBits[task][word] |= upstreamBits[need][word] }
            }
        }
        self.upstreamBits = upstreamBits

        var conditions: [Expression] = []
        conditions.reserveCapacity(tasks.count)
        let templates = TemplateParses()
        let success = Expression.call(.success)
        for position in tasks.indices {
            let checker = ReferenceChecker(
                params: pipeline.params, taskID: tasks[position].id, index: index, upstream: upstreamBits[position],
                templates: templates)
            conditions.append(checker.checkCondition(tasks[position].condition, absent: success, issues: &issues))
            // The checks take the fields they read: a whole task passed on is copied, every field of it.
            checker.checkAction(
                tasks[position].action, env: tasks[position].env, workdir: tasks[position].workdir, issues: &issues,
                knownKinds: knownKinds)
            Plan.checkPolicies(of: tasks, at: position, issues: &issues)
        }
        self.conditions = conditions
        self.templates = templates.successes
        Plan.checkValues(pipeline, issues: &issues)
        if let triggers = pipeline.triggers { Plan.checkSchedule(triggers, issues: &issues) }
        if !issues.isEmpty { throw PipelineValidationError(issues: issues) }
    }

    /// Whether `candidate` is upstream (transitively) of `task`.
    public func isUpstream(_ candidate: Int, of task: Int) -> Bool {
        upstreamBits[task][candidate / 64] & (1 << UInt64(candidate % 64)) != 0
    }

    /// Transitive upstream task indices of `task`.
    public func upstream(of task: Int) -> [Int] {
        var result: [Int] = []
        for (word, bits) in upstreamBits[task].enumerated() where bits != 0 {
            for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 { result.append(word * 64 + bit) }
        }
        return result
    }

    /// Whether `id` is a valid task id: `[a-z0-9][a-z0-9_-]*`.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, (first >= 97 && first <= 122) || (first >= 48 && first <= 57) else { return false }
        return id.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }

    private static func findCycle(needs: [[Int]], candidates: Set<Int>) -> [Int] {
        // Walk needs inside the leftover set until a node repeats: every leftover node has a leftover need.
        var node = candidates.min()!
        var seenAt: [Int: Int] = [:]
        var path: [Int] = []
        while seenAt[node] == nil {
            seenAt[node] = path.count
            path.append(node)
            node = needs[node].first { candidates.contains($0) }!
        }
        return Array(path[seenAt[node]!...]).reversed()
    }

    /// The policy checks of `tasks[position]`, reading its fields in place (the task passed whole is copied).
    private static func checkPolicies(of tasks: [TaskSpec], at position: Int, issues: inout [PipelineIssue]) {
        let (retry, timeout) = (tasks[position].retry, tasks[position].timeout)
        var base: [PipelineIssue.PathComponent] { [.key("tasks"), .key(tasks[position].id)] }
        if retry.retries < 0 {
            issues.append(PipelineIssue("retries must be 0 or more", at: base + [.key("retries")]))
        }
        if !(retry.backoff >= 1) {
            issues.append(PipelineIssue("retry_backoff must be 1.0 or more (1.0 keeps the delay constant)", at: base + [.key("retry_backoff")]))
        }
        if !(retry.jitter >= 0 && retry.jitter <= 1) {
            issues.append(PipelineIssue("retry_jitter must be between 0 and 1 (a fraction of each delay)", at: base + [.key("retry_jitter")]))
        }
        if let timeout = timeout, timeout <= .zero {
            issues.append(PipelineIssue("timeout must be longer than 0s", at: base + [.key("timeout")]))
        }
        func check(_ duration: Duration?, _ field: String, _ path: @autoclosure () -> [PipelineIssue.PathComponent]) {
            guard let duration else { return }
            if let problem = DurationText.problem(with: duration, field: field) {
                issues.append(PipelineIssue(problem, at: base + path()))
            } else if duration < .zero, field != "timeout" {
                issues.append(PipelineIssue("\(field) must not be negative", at: base + path()))
            }
        }
        check(timeout, "timeout", [.key("timeout")])
        check(retry.delay, "retry_delay", [.key("retry_delay")])
        check(retry.maxDelay, "retry_max_delay", [.key("retry_max_delay")])
        check(tasks[position].cache?.expire, "cache expire", [.key("cache"), .key("expire")])
        if case .run(let argv) = tasks[position].action, argv.isEmpty {
            issues.append(PipelineIssue("run needs at least the program to start, e.g. [python3, train.py]", at: base + [.key("run")]))
        }
    }
}
