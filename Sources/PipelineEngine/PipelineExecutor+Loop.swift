import Logging
import PipelineModel

extension PipelineExecutor {
    /// What reaches the loop from attempts, timers and log writers.
    enum Message: Sendable {
        case finished(task: Int, AttemptOutcome)
        case retryDue(task: Int)
        case deadlineDue(task: Int)
        case log(LogLine)
    }

    /// Executes `run` until every task is terminal, or until the calling task is cancelled.
    func execute(_ initial: RunRecord, plan: Plan, records: [TaskRecord]) async throws -> RunRecord {
        var run = initial
        var planner = RunPlanner(
            plan: plan, params: run.params, environment: configuration.environment, records: records, now: clock.now)
        var random = RandomSourceGenerator(source: self.random)
        let inbox = Inbox<Message>()
        var waiter = inbox.makeWaiter()
        let runID = run.id

        run.state = .running
        run.startedAt = clock.now
        try await store.commit(StateBatch(run: run))
        events?.receive(.runStarted(run))
        logger.debug("Run started", metadata: ["run.id": "\(runID)", "pipeline": "\(run.pipeline)"])

        var cancelled = false
        try await withThrowingDiscardingTaskGroup { group in
            var batch = StateBatch()
            var retries: [(task: Int, attempt: Int, at: Timestamp, error: String)] = []
            for (task, record) in planner.records.enumerated()
            where record.state == .waiting && record.decision == nil && record.deadline != nil {
                let deadline = record.deadline!
                group.addTask { [clock] in
                    do {
                        try await clock.sleep(until: deadline)
                        inbox.post(.deadlineDue(task: task))
                    } catch {}
                }
            }
            while true {
                if Task.isCancelled {
                    cancelled = true
                    break
                }
                // Decide and start everything that can go now.
                let now = clock.now
                var starts: [(task: Int, context: TaskContext)] = []
                planner.decide(now: now)
                while let task = planner.nextToStart(freeSlots: configuration.parallelism) {
                    let attempt = planner.markRunning(task, now: now)
                    do {
                        let (action, inputs, env, workdir) = try planner.resolve(task)
                        starts.append((task, makeContext(
                            run: run, task: plan.pipeline.tasks[task], attempt: attempt, action: action, inputs: inputs,
                            env: env, workdir: workdir, decision: planner.records[task].decision, inbox: inbox)))
                    } catch {
                        let message = "could not evaluate an expression: \((error as? ExpressionError)?.message ?? "\(error)")"
                        _ = planner.failed(task, error: message, cacheKey: nil, now: now, random: &random)
                        planner.decide(now: now)
                    }
                }
                for index in planner.takeChanges() {
                    let record = planner.records[index]
                    batch.tasks.append(TaskUpdate(runID: runID, record: record, expected: nil))
                }
                let finished = planner.isFinished
                let stalled = starts.isEmpty && planner.isStalled
                if finished {
                    run.state = planner.records.contains { $0.state == .failed } ? .failed : .succeeded
                    run.finishedAt = now
                    run.error = Self.failureSummary(planner.records)
                    batch.run = run
                } else if stalled {
                    run.state = .waiting
                    batch.run = run
                } else if run.state != .running {
                    run.state = .running
                    batch.run = run
                }
                if !batch.isEmpty {
                    try await store.commit(batch)
                    publish(batch, retries: retries, run: run)
                    batch = StateBatch()
                    retries.removeAll()
                }
                if finished { break }
                if stalled {
                    group.cancelAll()  // deadline timers: the next resume (or `kiln serve`) enforces them
                    break
                }
                for (task, context) in starts {
                    let spec = plan.pipeline.tasks[task]
                    group.addTask { [self] in
                        inbox.post(.finished(task: task, await attempt(spec, context: context)))
                    }
                }

                // Wait for results and apply them.
                guard let messages = await inbox.next(&waiter) else {
                    cancelled = true
                    break
                }
                let arrived = clock.now
                for message in messages {
                    switch message {
                    case .log(let line):
                        batch.logs.append(line)
                    case .retryDue(let task):
                        planner.retryDue(task)
                    case .deadlineDue(let task):
                        planner.deadlinePassed(task, now: arrived)
                    case .finished(let task, let outcome):
                        apply(outcome, to: task, planner: &planner, batch: &batch, retries: &retries, run: run,
                              inbox: inbox, group: &group, now: arrived, random: &random)
                    }
                }
            }
            if cancelled { group.cancelAll() }
        }
        if cancelled {
            run = try await finishCancelled(run, planner: &planner, inbox: inbox)
        }
        events?.receive(.runFinished(run))
        logger.debug("Run finished", metadata: ["run.id": "\(runID)", "run.state": "\(run.state.rawValue)"])
        return run
    }

    private func apply(
        _ outcome: AttemptOutcome, to task: Int, planner: inout RunPlanner, batch: inout StateBatch,
        retries: inout [(task: Int, attempt: Int, at: Timestamp, error: String)], run: RunRecord, inbox: Inbox<Message>,
        group: inout ThrowingDiscardingTaskGroup<any Error>, now: Timestamp, random: inout RandomSourceGenerator
    ) {
        let spec = planner.plan.pipeline.tasks[task]
        switch outcome {
        case .succeeded(let outputs, let cache):
            planner.succeeded(task, outputs: outputs, cached: false, cacheKey: cache?.key, cacheNote: cache?.note, now: now)
            if let cache, let key = cache.key {
                batch.cache.append(CacheEntry(
                    key: key, pipeline: run.pipeline, taskID: spec.id, runID: run.id, outputs: outputs, createdAt: now,
                    expiresAt: spec.cache?.expire.map { now.adding($0) }))
            }
        case .cached(let entry, let note):
            planner.succeeded(task, outputs: entry.outputs, cached: true, cacheKey: entry.key, cacheNote: note, now: now)
        case .failed(let error, let cacheKey):
            let attempt = planner.records[task].attempts
            batch.logs.append(LogLine(runID: run.id, taskID: spec.id, attempt: attempt, stream: .system,
                                      text: "attempt \(attempt) failed: \(error)", at: now))
            if let due = planner.failed(task, error: error, cacheKey: cacheKey, now: now, random: &random) {
                retries.append((task, attempt + 1, due, error))
                group.addTask { [clock] in
                    // Never throws: a cancelled timer simply posts nothing.
                    do {
                        try await clock.sleep(until: due)
                        inbox.post(.retryDue(task: task))
                    } catch {}
                }
            }
        case .cancelled:
            planner.cancelled(task, now: now)
        case .suspended(let suspension):
            planner.suspended(task, reason: suspension.reason, deadline: suspension.deadline)
            if let deadline = suspension.deadline {
                group.addTask { [clock] in
                    do {
                        try await clock.sleep(until: deadline)
                        inbox.post(.deadlineDue(task: task))
                    } catch {}
                }
            }
        }
    }

    private func finishCancelled(_ initial: RunRecord, planner: inout RunPlanner, inbox: Inbox<Message>) async throws -> RunRecord {
        var run = initial
        let now = clock.now
        var batch = StateBatch()
        for message in inbox.drain() {
            switch message {
            case .log(let line): batch.logs.append(line)
            case .finished(let task, _) where planner.records[task].state == .running: planner.cancelled(task, now: now)
            case .finished, .retryDue, .deadlineDue: break
            }
        }
        for index in planner.takeChanges() {
            batch.tasks.append(TaskUpdate(runID: run.id, record: planner.records[index], expected: nil))
        }
        run.state = .cancelled
        run.finishedAt = now
        run.error = "cancelled"
        batch.run = run
        try await store.commit(batch)
        publish(batch, retries: [], run: run)
        return run
    }

    private func publish(
        _ batch: StateBatch, retries: [(task: Int, attempt: Int, at: Timestamp, error: String)], run: RunRecord
    ) {
        guard let events else { return }
        for line in batch.logs { events.receive(.log(line)) }
        for update in batch.tasks { events.receive(.taskChanged(update.runID, update.record)) }
        for retry in retries {
            events.receive(.retryScheduled(run.id, task: run.snapshot.tasks[retry.task].id, attempt: retry.attempt,
                                           at: retry.at, error: retry.error))
        }
    }

    private func makeContext(
        run: RunRecord, task: TaskSpec, attempt: Int, action: ResolvedAction, inputs: [String: JSONValue],
        env: [String: String], workdir: String?, decision: Decision?, inbox: Inbox<Message>
    ) -> TaskContext {
        var logger = self.logger
        logger[metadataKey: "run.id"] = "\(run.id)"
        logger[metadataKey: "task.key"] = "\(task.id)"
        logger[metadataKey: "task.attempt"] = "\(attempt)"
        let directory = workdir.map { $0.hasPrefix("/") ? $0 : run.baseDirectory + "/" + $0 } ?? run.baseDirectory
        let (runID, taskID, clock) = (run.id, task.id, self.clock)
        return TaskContext(
            runID: run.id, pipeline: run.pipeline, taskID: task.id, attempt: attempt, action: action, inputs: inputs,
            environment: env, workingDirectory: directory, clock: clock, logger: logger, artifacts: artifacts,
            decision: decision,
            log: { stream, text in
                inbox.post(.log(LogLine(runID: runID, taskID: taskID, attempt: attempt, stream: stream, text: text, at: clock.now)))
            })
    }

    static func failureSummary(_ records: [TaskRecord]) -> String? {
        let failed = records.filter { $0.state == .failed }
        guard !failed.isEmpty else { return nil }
        return failed.map { "\($0.taskID): \($0.error ?? "failed")" }.joined(separator: "; ")
    }
}
