import PipelineModel

/// Decides everything in one execution of a run: which task to skip, start, retry or fail, and how the run ends.
///
/// A pure state machine in the style of postgres-nio's connection state machine: the executor reports what
/// happened with ``handle(_:now:random:)``, asks ``nextActions(now:freeSlots:random:)`` what to do, and performs
/// the ``Action``s it gets back. The planner performs no I/O and reads no clock: time and randomness come in as
/// arguments, so every rule is a plain-value unit test.
///
/// Every record the planner changes is listed in ``changes``; the executor stores them in one transaction before
/// it performs the ``Action/start(_:)``s of the same call, so no task starts before what it depends on is durable.
///
/// ```swift
/// var planner = RunPlanner(plan: plan, params: [:], environment: [:], records: [], now: now)
/// planner.nextActions(now: now, freeSlots: 4, random: &random)  // [.start(attempt 1 of "extract")]
/// planner.handle(.attemptSucceeded(task: 0, outputs: [:], cacheKey: nil, cacheNote: nil), now: now, random: &random)
/// planner.nextActions(now: now, freeSlots: 4, random: &random)  // [.finish(.succeeded)]
/// ```
struct RunPlanner: Sendable {
    /// The checked pipeline; task indices are positions in `plan.pipeline.tasks`.
    let plan: Plan
    /// What `params.X` expressions see.
    let params: [String: JSONValue]
    /// What `env.X` expressions see.
    let environment: [String: String]
    /// The record of every task, by task index.
    private(set) var records: [TaskRecord]
    /// Indices of the records changed since the last ``clearChanges()``, in order (a record may appear twice).
    private(set) var changes: [Int] = []
    /// Attempts started and not ended yet.
    private(set) var running = 0
    /// How this execution ended, once ``nextActions(now:freeSlots:random:)`` returned ``Action/finish(_:)``.
    private(set) var outcome: Outcome?

    /// Attempts already made before this execution (so `kiln resume` grants a fresh retry budget).
    private var budgetBase: [Int]
    /// Needs of each task that are not terminal yet.
    private var openNeeds: [Int]
    /// Tasks whose needs are all terminal and whose condition has not been decided.
    private var undecided: [Int] = []
    /// Tasks decided to run, waiting for a free slot (FIFO from `startableHead`).
    private var startable: [Int] = []
    private var startableHead = 0
    /// Tasks waiting for a retry timer, tasks waiting for a decision that has not come yet, and terminal tasks.
    private var waitingRetries = 0, waitingDecisions = 0, terminalCount = 0
    /// Timers armed since the last ``nextActions(now:freeSlots:random:)``, handed out by the next call.
    private var timers: [Action] = []
    /// Whether the run was cancelled: attempts that end are stored cancelled and nothing starts.
    private var cancelling = false
    /// With `cancelling`: the run goes to its next owner, and these tasks' attempts stay running for it.
    private var handingOver: Set<Int>?
    /// The templates of `with:`, `run:`, `env:` and `workdir:`: the plan's, and any parsed since.
    var templates: TemplateCache

    /// Plans an execution of a run from its stored records (all `pending` for a new run).
    ///
    /// Resuming keeps terminal records as they are, grants a fresh retry budget, runs waiting tasks that got a
    /// decision again, and fails waiting tasks whose deadline passed before `now` as rejected (listed in
    /// ``changes``); the first ``nextActions(now:freeSlots:random:)`` arms timers for the other deadlines. A
    /// `running` record is an attempt adopted from a previous owner (still in a worker's hands): it counts as
    /// running, as this execution's first attempt, and its end comes as for any attempt started here.
    ///
    /// - Parameters:
    ///   - plan: The checked pipeline.
    ///   - params: The run's params.
    ///   - environment: What `env.X` expressions see.
    ///   - records: The stored task records, in any order; a task without one starts `pending`.
    ///   - now: The time deadlines are compared with.
    init(
        plan: Plan, params: [String: JSONValue], environment: [String: String], records: [TaskRecord], now: Timestamp
    ) {
        self.plan = plan
        self.params = params
        self.environment = environment
        templates = TemplateCache(known: plan.templates)
        let tasks = plan.pipeline.tasks
        if records.count == tasks.count, records.indices.allSatisfy({ records[$0].taskID == tasks[$0].id }) {
            // The store's records in the plan's order (what a new run and most resumes read): taken as they are,
            // no record copied.
            self.records = records
        } else {
            let byID = Dictionary(records.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
            self.records = tasks.map { byID[$0.id] ?? TaskRecord(taskID: $0.id) }
        }
        // Closures, not key paths: `map(\.attempts)` reads each element through the runtime's key-path code.
        budgetBase = self.records.map { $0.attempts }
        // An adopted attempt is one of this execution's: its failure leaves the retries it would have had.
        for task in self.records.indices where self.records[task].state == .running {
            budgetBase[task] -= 1
            running += 1
        }
        openNeeds = plan.needs.map { $0.count }
        for task in 0..<self.records.count where self.records[task].state.isTerminal {
            terminalCount += 1
            for dependent in plan.dependents[task] { openNeeds[dependent] -= 1 }
        }
        for task in plan.order where !self.records[task].state.isTerminal && self.records[task].state != .waiting
            && self.records[task].state != .running && openNeeds[task] == 0
        {
            undecided.append(task)
        }
        // After the scan above, so a deadline that fails a task here queues its dependents exactly once.
        for task in plan.order where self.records[task].state == .waiting {
            if self.records[task].decision != nil {
                startable.append(task)  // decided while no process held it: run it again to act on the decision
                continue
            }
            waitingDecisions += 1
            guard let deadline = self.records[task].deadline else { continue }
            if deadline <= now {
                deadlinePassed(task, now: now)
            } else {
                timers.append(.scheduleDeadline(task: task, at: deadline))
            }
        }
    }

    /// Forgets ``changes`` once the executor has stored them.
    mutating func clearChanges() {
        changes.removeAll(keepingCapacity: true)
    }

    /// Applies what happened; the actions it leads to come from the next ``nextActions(now:freeSlots:random:)``.
    ///
    /// Attempt events for a task that is not running, and timers that no longer apply (a retry already started, a
    /// deadline after a decision), change nothing. After ``Event/cancellationRequested`` an attempt that succeeded
    /// (or was served from the cache) is still stored as such — finished work is never lost to a cancellation —,
    /// every other attempt that ends is stored cancelled, and timers change nothing.
    ///
    /// - Parameters:
    ///   - event: What happened.
    ///   - now: When it was observed, stored in the records changed and used as the base of a retry delay.
    ///   - random: Draws the jitter of a retry delay.
    mutating func handle(_ event: Event, now: Timestamp, random: inout some RandomNumberGenerator) {
        if cancelling {
            guard let task = event.attemptTask, records[task].state == .running else { return }
            running -= 1
            switch event {
            case .attemptSucceeded(_, let outputs, let cacheKey, let cacheNote):
                // Finished work is kept: a resume must not redo a two-hour training that completed meanwhile.
                (records[task].outputs, records[task].cacheKey, records[task].cacheNote) = (outputs, cacheKey, cacheNote)
                finish(task, state: .succeeded, error: nil, now: now)
            case .attemptCached(_, let outputs, let cacheKey, let cacheNote):
                (records[task].outputs, records[task].cacheKey, records[task].cacheNote) = (outputs, cacheKey, cacheNote)
                finish(task, state: .cached, error: nil, now: now)
            default:
                finish(task, state: .cancelled, error: "cancelled", now: now)
            }
            return
        }
        if let task = event.attemptTask {
            guard records[task].state == .running else { return }
            running -= 1
            records[task].process = nil  // the attempt ended: its command is gone
        }
        switch event {
        case .attemptSucceeded(let task, let outputs, let cacheKey, let cacheNote):
            (records[task].outputs, records[task].cacheKey, records[task].cacheNote) = (outputs, cacheKey, cacheNote)
            finish(task, state: .succeeded, error: nil, now: now)
        case .attemptCached(let task, let outputs, let cacheKey, let cacheNote):
            (records[task].outputs, records[task].cacheKey, records[task].cacheNote) = (outputs, cacheKey, cacheNote)
            finish(task, state: .cached, error: nil, now: now)
        case .attemptFailed(let task, let error, let cacheKey):
            if let due = attemptFailed(task, error: error, cacheKey: cacheKey, now: now, random: &random) {
                timers.append(.scheduleRetry(task: task, at: due))
            }
        case .attemptSuspended(let task, let reason, let deadline):
            waitingDecisions += 1
            records[task].state = .waiting
            records[task].error = "waiting: \(reason)"
            records[task].deadline = deadline
            records[task].decision = nil
            changes.append(task)
            if let deadline { timers.append(.scheduleDeadline(task: task, at: deadline)) }
        case .attemptCancelled(let task):
            finish(task, state: .cancelled, error: "cancelled", now: now)
        case .retryDue(let task):
            guard records[task].state == .pending, records[task].retryAt != nil else { return }
            waitingRetries -= 1
            startable.append(task)
        case .deadlineDue(let task):
            deadlinePassed(task, now: now)
        case .cancellationRequested:
            cancelling = true
        }
    }

    /// Decides what to do now: timers to arm, attempts to start, or how the run ends.
    ///
    /// Decides the condition of every task whose needs are all terminal (false ones are skipped, cascading; one
    /// that cannot be evaluated fails the task), then starts up to `freeSlots` attempts in the order their tasks
    /// became ready, evaluating their templates (one that cannot be evaluated fails the attempt). Once every task
    /// is terminal it returns ``Action/finish(_:)`` with ``Outcome/succeeded`` or ``Outcome/failed(summary:)``;
    /// when nothing can progress until a waiting task gets a decision, ``Outcome/waiting``; after
    /// ``Event/cancellationRequested``, ``Outcome/cancelled`` (any attempt still running is stored cancelled).
    /// After a finish it returns nothing.
    ///
    /// - Parameters:
    ///   - now: The current time, stored in the records changed.
    ///   - freeSlots: How many more attempts may run at once (0 or less starts nothing).
    ///   - random: Draws retry jitter when a failed evaluation schedules a retry.
    /// - Returns: The actions in the order to perform them; ``Action/start(_:)`` only after storing ``changes``.
    mutating func nextActions(now: Timestamp, freeSlots: Int, random: inout some RandomNumberGenerator) -> [Action] {
        guard outcome == nil else { return [] }
        if cancelling {
            for task in records.indices where records[task].state == .running && handingOver?.contains(task) != true {
                running -= 1
                finish(task, state: .cancelled, error: "cancelled", now: now)
            }
            // Every task may have finished before the cancellation took effect: then the run is simply over.
            if terminalCount == records.count, !records.contains(where: { $0.state == .cancelled }) {
                outcome = failureSummary().map { .failed(summary: $0) } ?? .succeeded
            } else {
                outcome = handingOver == nil ? .cancelled : .handedOver
            }
            return [.finish(outcome!)]
        }
        var actions: [Action] = []
        swap(&actions, &timers)
        var free = freeSlots
        while true {
            decide(now: now)
            guard free > 0, let task = popStartable() else { break }
            let attempt = markRunning(task, now: now)
            do {
                actions.append(.start(try resolve(task, attempt: attempt)))
                free -= 1
            } catch {
                running -= 1
                let message = "could not evaluate an expression: \((error as? ExpressionError)?.message ?? "\(error)")"
                if let due = attemptFailed(task, error: message, cacheKey: nil, now: now, random: &random) {
                    actions.append(.scheduleRetry(task: task, at: due))
                }
            }
        }
        if terminalCount == records.count {
            outcome = failureSummary().map { .failed(summary: $0) } ?? .succeeded
        } else if running == 0, waitingRetries == 0, startableHead == startable.count, undecided.isEmpty,
            waitingDecisions > 0
        {
            outcome = .waiting
        }
        if let outcome { actions.append(.finish(outcome)) }
        return actions
    }

    /// Evaluates the conditions of every task whose needs are done; marks the false ones skipped (cascading).
    private mutating func decide(now: Timestamp) {
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

    /// The next task to start (FIFO), if one is waiting for a slot.
    private mutating func popStartable() -> Int? {
        guard startableHead < startable.count else { return nil }
        defer {
            startableHead += 1
            if startableHead == startable.count {
                startable.removeAll(keepingCapacity: true)
                startableHead = 0
            }
        }
        return startable[startableHead]
    }

    /// Marks `task` running with a new attempt; returns the attempt number.
    private mutating func markRunning(_ task: Int, now: Timestamp) -> Int {
        records[task].state = .running
        records[task].deadline = nil
        records[task].attempts += 1
        records[task].retryAt = nil
        records[task].error = nil
        if records[task].startedAt == nil { records[task].startedAt = now }
        running += 1
        changes.append(task)
        return records[task].attempts
    }

    /// Records a failed attempt (already uncounted from `running`); returns when to retry, or `nil` when the task
    /// failed for good.
    private mutating func attemptFailed(
        _ task: Int, error: String, cacheKey: String?, now: Timestamp, random: inout some RandomNumberGenerator
    ) -> Timestamp? {
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
        changes.append(task)
        return due
    }

    /// A waiting task's deadline passed: it fails as rejected, unless a decision came first.
    private mutating func deadlinePassed(_ task: Int, now: Timestamp) {
        guard records[task].state == .waiting, records[task].decision == nil else { return }
        waitingDecisions -= 1
        records[task].decision = Decision(approved: false, reason: "deadline passed", actor: "deadline", at: now)
        let deadline = records[task].deadline?.iso8601 ?? ""
        finish(task, state: .failed, error: "rejected: no decision before the deadline \(deadline)", now: now)
    }

    /// Moves `task` to a terminal state and queues the dependents whose needs are now all terminal.
    private mutating func finish(_ task: Int, state: TaskState, error: String?, now: Timestamp) {
        records[task].state = state
        records[task].error = error
        records[task].process = nil
        records[task].finishedAt = now
        records[task].retryAt = nil
        terminalCount += 1
        changes.append(task)
        for dependent in plan.dependents[task] {
            openNeeds[dependent] -= 1
            if openNeeds[dependent] == 0, !records[dependent].state.isTerminal { undecided.append(dependent) }
        }
    }

    /// Ends this execution as a hand-over to the run's next owner: like a cancellation (reported with
    /// ``Event/cancellationRequested``), except that the attempts of `kept` (in workers' hands) stay running, and
    /// the next ``nextActions(now:freeSlots:random:)`` finishes with ``Outcome/handedOver``.
    mutating func handOver(keeping kept: Set<Int>) {
        cancelling = true
        handingOver = kept
    }

    /// Records the process group of `task`'s running command (`nil`: gone), to be stored with the next changes.
    /// Ignored unless the task is running.
    /// Records what the running attempt of `task` depended on; the attempt's end (reported next) stores it.
    mutating func noteLineage(_ lineage: TaskLineage?, of task: Int) {
        guard let lineage, records[task].state == .running else { return }
        records[task].lineage = lineage
    }

    mutating func noteProcess(_ process: TaskProcess?, of task: Int) {
        guard records[task].state == .running, records[task].process != process else { return }
        records[task].process = process
        changes.append(task)
    }
}
