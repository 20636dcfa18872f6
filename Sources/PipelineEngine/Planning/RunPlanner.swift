import PipelineModel

/// The pure state machine behind one execution of a run: which task to skip, start, retry or finish next.
///
/// It never performs I/O: the executor feeds it results and the time, and stores every record it changes.
struct RunPlanner {
    let plan: Plan
    let params: [String: JSONValue]
    let environment: [String: String]
    private(set) var records: [TaskRecord]
    /// Attempts already made before this execution (so `kiln resume` grants a fresh retry budget).
    private var budgetBase: [Int]
    /// Needs of each task that are not terminal yet.
    private var openNeeds: [Int]
    /// Tasks whose needs are all terminal and whose condition has not been decided.
    private var undecided: [Int] = []
    /// Tasks decided to run, waiting for a free slot (FIFO).
    private var startable: [Int] = []
    private var startableHead = 0
    private(set) var running = 0
    private(set) var waitingRetries = 0
    /// Tasks waiting for a decision that has not come yet.
    private(set) var waitingDecisions = 0
    private var terminalCount = 0
    /// Records changed since the last `takeChanges()`, in order.
    private var changed: [Int] = []

    init(plan: Plan, params: [String: JSONValue], environment: [String: String], records: [TaskRecord], now: Timestamp) {
        self.plan = plan
        self.params = params
        self.environment = environment
        let byID = Dictionary(records.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
        self.records = plan.pipeline.tasks.map { byID[$0.id] ?? TaskRecord(taskID: $0.id) }
        budgetBase = self.records.map(\.attempts)
        openNeeds = plan.needs.map(\.count)
        for task in 0..<self.records.count where self.records[task].state.isTerminal {
            terminalCount += 1
            for dependent in plan.dependents[task] { openNeeds[dependent] -= 1 }
        }
        for task in plan.order where !self.records[task].state.isTerminal && self.records[task].state != .waiting
            && openNeeds[task] == 0
        {
            undecided.append(task)
        }
        // After the scan above, so a deadline that fails a task here queues its dependents exactly once.
        for task in plan.order where self.records[task].state == .waiting {
            if self.records[task].decision != nil {
                startable.append(task)  // decided while no process held it: run it again to act on the decision
            } else if let deadline = self.records[task].deadline, deadline <= now {
                waitingDecisions += 1
                deadlinePassed(task, now: now)
            } else {
                waitingDecisions += 1
            }
        }
    }

    /// Whether nothing can progress until a waiting task gets a decision.
    var isStalled: Bool {
        !isFinished && running == 0 && waitingRetries == 0 && startableHead == startable.count && undecided.isEmpty
            && waitingDecisions > 0
    }

    var isFinished: Bool { terminalCount == records.count }

    /// Indices of records changed since the last call.
    mutating func takeChanges() -> [Int] {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed
    }

    /// Evaluates the conditions of every task whose needs are done; marks the false ones skipped (cascading).
    mutating func decide(now: Timestamp) {
        while let task = undecided.popLast() {
            guard !records[task].state.isTerminal else { continue }
            let runs: Bool
            do {
                runs = try plan.conditions[task].evaluate(in: EvaluationScope(planner: self, task: task)).isTruthy
            } catch {
                finish(task, state: .failed, error: "condition could not be evaluated: \(error.message)", now: now)
                continue
            }
            if runs {
                startable.append(task)
            } else {
                finish(task, state: .skipped, error: skipReason(task), now: now)
            }
        }
    }

    /// The next task to start, if a slot is free and one is waiting.
    mutating func nextToStart(freeSlots: Int) -> Int? {
        guard freeSlots > running, startableHead < startable.count else { return nil }
        defer {
            startableHead += 1
            if startableHead == startable.count {
                startable.removeAll(keepingCapacity: true)
                startableHead = 0
            }
        }
        return startable[startableHead]
    }

    /// Evaluates the templates of `task` for its next attempt.
    func resolve(_ task: Int) throws -> (ResolvedAction, [String: JSONValue], [String: String], String?) {
        let spec = plan.pipeline.tasks[task]
        let scope = EvaluationScope(planner: self, task: task)
        var action: ResolvedAction
        var inputs: [String: JSONValue] = [:]
        switch spec.action {
        case .run(let argv): action = .run(try argv.map { try Self.render($0, scope: scope) })
        case .shell(let script): action = .shell(try Self.render(script, scope: scope))
        case .uses(let kind, let with):
            action = .uses(kind)
            inputs = try with.mapValues { try Self.resolveValue($0, scope: scope) }
        }
        let env = try spec.env.mapValues { try Self.render($0, scope: scope) }
        let workdir = try spec.workdir.map { try Self.render($0, scope: scope) }
        return (action, inputs, env, workdir)
    }

    /// Renders `text`, skipping the parse when it holds no expression (most strings).
    private static func render(_ text: String, scope: EvaluationScope) throws -> String {
        text.contains("${{") ? try Template(text).render(in: scope) : text
    }

    private static func resolveValue(_ value: JSONValue, scope: EvaluationScope) throws -> JSONValue {
        switch value {
        case .string(let text): return text.contains("${{") ? try Template(text).value(in: scope) : value
        case .array(let values): return .array(try values.map { try resolveValue($0, scope: scope) })
        case .object(let members): return .object(try members.mapValues { try resolveValue($0, scope: scope) })
        case .null, .bool, .number: return value
        }
    }

    /// Marks `task` running with a new attempt; returns the attempt number.
    mutating func markRunning(_ task: Int, now: Timestamp) -> Int {
        records[task].state = .running
        records[task].deadline = nil
        records[task].attempts += 1
        records[task].retryAt = nil
        records[task].error = nil
        if records[task].startedAt == nil { records[task].startedAt = now }
        running += 1
        changed.append(task)
        return records[task].attempts
    }

    /// Records a successful attempt (or a cache hit when `cached`).
    mutating func succeeded(_ task: Int, outputs: [String: JSONValue], cached: Bool, cacheKey: String?, cacheNote: String?, now: Timestamp) {
        running -= 1
        records[task].outputs = outputs
        records[task].cacheKey = cacheKey
        records[task].cacheNote = cacheNote
        finish(task, state: cached ? .cached : .succeeded, error: nil, now: now)
    }

    /// Records a failed attempt; returns when to retry, or `nil` when the task failed for good.
    mutating func failed(
        _ task: Int, error: String, cacheKey: String?, now: Timestamp, random: inout some RandomNumberGenerator
    ) -> Timestamp? {
        running -= 1
        records[task].cacheKey = cacheKey
        let policy = plan.pipeline.tasks[task].retry
        let used = records[task].attempts - budgetBase[task]
        guard used <= policy.retries else {
            finish(task, state: .failed, error: error, now: now)
            return nil
        }
        let due = now.adding(policy.delay(beforeRetry: used, using: &random))
        records[task].state = .pending
        records[task].error = error
        records[task].retryAt = due
        waitingRetries += 1
        changed.append(task)
        return due
    }

    /// The attempt asked to wait for a decision.
    mutating func suspended(_ task: Int, reason: String, deadline: Timestamp?) {
        running -= 1
        waitingDecisions += 1
        records[task].state = .waiting
        records[task].error = "waiting: \(reason)"
        records[task].deadline = deadline
        records[task].decision = nil
        changed.append(task)
    }

    /// A waiting task's deadline passed: it fails as rejected, unless a decision came first.
    mutating func deadlinePassed(_ task: Int, now: Timestamp) {
        guard records[task].state == .waiting, records[task].decision == nil else { return }
        waitingDecisions -= 1
        records[task].decision = Decision(approved: false, reason: "deadline passed", actor: "deadline", at: now)
        finish(task, state: .failed, error: "rejected: no decision before the deadline \(records[task].deadline?.iso8601 ?? "")", now: now)
    }

    /// A retry is due: the task may start again.
    mutating func retryDue(_ task: Int) {
        waitingRetries -= 1
        startable.append(task)
    }

    /// Marks a running attempt cancelled.
    mutating func cancelled(_ task: Int, now: Timestamp) {
        running -= 1
        finish(task, state: .cancelled, error: "cancelled", now: now)
    }

    private mutating func finish(_ task: Int, state: TaskState, error: String?, now: Timestamp) {
        records[task].state = state
        records[task].error = error
        records[task].finishedAt = now
        records[task].retryAt = nil
        terminalCount += 1
        changed.append(task)
        for dependent in plan.dependents[task] {
            openNeeds[dependent] -= 1
            if openNeeds[dependent] == 0, !records[dependent].state.isTerminal { undecided.append(dependent) }
        }
    }

    private func skipReason(_ task: Int) -> String {
        let needs = plan.needs[task]
        if let failed = needs.first(where: { records[$0].state == .failed }) {
            return "skipped: '\(records[failed].taskID)' failed"
        }
        if let skipped = needs.first(where: { !records[$0].state.isSuccess }) {
            return "skipped: '\(records[skipped].taskID)' did not succeed (\(records[skipped].state.rawValue))"
        }
        return "skipped: condition is false"
    }

    /// What expressions of one task can see.
    struct EvaluationScope: ExpressionContext {
        let planner: RunPlanner
        let task: Int

        func value(at path: [String]) throws(ExpressionError) -> JSONValue? {
            switch path[0] {
            case "params": return path.count >= 2 ? Self.walk(planner.params[path[1]], path.dropFirst(2)) : nil
            case "env": return path.count == 2 ? planner.environment[path[1]].map(JSONValue.string) : nil
            case "tasks":
                guard path.count >= 3, let index = planner.plan.index[path[1]] else { return nil }
                guard let outputs = planner.records[index].outputs else { return nil }
                if path.count == 3 { return .object(outputs) }
                return Self.walk(outputs[path[3]], path.dropFirst(4))
            default: return nil
            }
        }

        private static func walk(_ value: JSONValue?, _ rest: ArraySlice<String>) -> JSONValue? {
            var current = value
            for key in rest {
                guard case .object(let members)? = current else { return nil }
                current = members[key]
            }
            return current
        }

        func status(_ function: Expression.StatusFunction) -> Bool {
            switch function {
            case .always: return true
            case .success: return planner.plan.needs[task].allSatisfy { planner.records[$0].state.isSuccess }
            case .failure: return planner.plan.upstream(of: task).contains { planner.records[$0].state == .failed }
            }
        }
    }
}
