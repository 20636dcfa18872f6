import Logging
import PipelineModel

extension PipelineExecutor {
    /// What reaches the loop from attempts, timers and log writers.
    enum Message: Sendable {
        /// An attempt of the task ended.
        case finished(task: Int, AttemptOutcome)
        /// A retry or deadline timer fired: the event to report to the planner.
        case timer(RunPlanner.Event)
        /// A task wrote a log line.
        case log(LogLine)
        /// A command task started (or ended) its process group.
        case process(task: Int, TaskProcess?)
        /// A heartbeat found the run taken over by another owner (`holder`).
        case leaseLost(RunLease?)
    }

    /// Executes `run` until the planner finishes it, or until the calling task is cancelled.
    ///
    /// The loop interprets the planner's actions: it stores every changed record (with the log lines and cache
    /// entries that arrived) in one transaction, publishes the events, and only then starts attempts; timers and
    /// attempts are children of one task group and report back through an inbox, drained in batches.
    ///
    /// Every commit is fenced by `lease`; the executor's ``LeaseKeeper`` renews it. When another process takes the run
    /// over, the loop stops without writing and throws ``ExecutionError/leaseLost(_:holder:)``. The run's `running`
    /// state goes with the first commit (of the first attempts' states or ends), and the last commit (the run's end, a
    /// wait for a decision, or a cancellation) gives the lease up: when this returns, the lease is released.
    func execute(_ initial: RunRecord, plan: Plan, records: [TaskRecord], lease: RunLease) async throws -> RunRecord {
        do {
            return try await executeOwned(initial, plan: plan, records: records, lease: lease)
        } catch StateStoreError.leaseLost(let id, let holder) {
            throw ExecutionError.leaseLost(id, holder: holder)
        }
    }

    private func executeOwned(
        _ initial: RunRecord, plan: Plan, records: [TaskRecord], lease: RunLease
    ) async throws -> RunRecord {
        var run = initial
        var planner = RunPlanner(
            plan: plan, params: run.params, environment: configuration.environment, records: records, now: clock.now)
        var random = RandomSourceGenerator(source: self.random)
        let inbox = Inbox<Message>()
        var waiter = inbox.makeWaiter()
        let runID = run.id
        // The secrets `notify:` rules read: task processes do not inherit them.
        let withheld = run.snapshot.notify.reduce(into: Set<String>()) { $0.formUnion($1.environmentNames) }

        run.state = .running
        run.startedAt = clock.now
        // What arrived since the last commit; kept outside the group so cancellation stores it too. The first one
        // carries the run's start.
        var batch = StateBatch(run: run, fence: lease)
        let started = run
        var announced = false
        func announceStart() {
            guard !announced else { return }
            announced = true
            events?.receive(.runStarted(started))
            logger.debug("Run started", metadata: ["run.id": "\(runID)", "pipeline": "\(run.pipeline)"])
        }
        var retries: [ScheduledRetry] = []
        // Tasks that ended in the batch not stored yet: their dependents wait for the commit.
        var settling = Set<Int>()
        var cancelled = false
        var lostTo: RunLease??
        // Attempts adopted from a previous owner (see `prepareResume`): their results come like those queued here.
        var adopted: [String: (task: Int, attempt: Int)] = [:]
        for task in planner.records.indices where planner.records[task].state == .running {  // no record copied
            adopted[planner.records[task].taskID] = (task, planner.records[task].attempts)
        }
        remote?.register(runID, epoch: lease.epoch, inbox: inbox, adopted: adopted)
        leases.keep(lease, inbox: inbox)
        defer {
            leases.stopKeeping(runID)
            remote?.unregister(runID)
            _ = handOvers.take(runID)  // a hand-over asked for as the run ended applies to no later execution
        }
        try await withThrowingDiscardingTaskGroup { group in
            defer { group.cancelAll() }  // any timer left
            while true {
                if Task.isCancelled {
                    cancelled = true
                    break
                }
                let now = clock.now
                let actions = planner.nextActions(
                    now: now, freeSlots: configuration.parallelism - planner.running, random: &random)
                var outcome: RunPlanner.Outcome?
                for action in actions {
                    switch action {
                    case .start: break  // once the changes are stored
                    case .scheduleRetry(let task, let due):
                        let record = planner.records[task]
                        retries.append(
                            ScheduledRetry(task: task, attempt: record.attempts + 1, at: due, error: record.error ?? ""))
                        if due <= now {
                            inbox.post(.timer(.retryDue(task: task)))  // no delay: no timer to wait for
                        } else {
                            arm(.retryDue(task: task), at: due, group: &group, inbox: inbox)
                        }
                    case .scheduleDeadline(let task, let deadline):
                        arm(.deadlineDue(task: task), at: deadline, group: &group, inbox: inbox)
                    case .finish(let finished):
                        outcome = finished
                        Self.record(finished, in: &run, at: now)
                        batch.run = run
                        batch.releasesFence = true
                    }
                }
                collectChanges(of: &planner, into: &batch, runID: runID, settling: &settling)
                var starts = actions.compactMap { action -> RunPlanner.Attempt? in
                    if case .start(let attempt) = action { return attempt }
                    return nil
                }
                // Cache lookups go first, for all the step's cached tasks at once. A hit starts nothing (no kind
                // runs), so it needs neither its upstream's commit nor a lease check: a chain of hits resolves with
                // no commit between its steps. Its dependents that do run still wait for the commit of its end.
                var prepared: [Int: PreparedAttempt] = [:]
                var hits: [(task: Int, outcome: AttemptOutcome)] = []
                if queue == nil, configuration.readCache, !starts.isEmpty {
                    (hits, prepared) = await probeCache(starts, run: run, plan: plan, withheld: withheld, inbox: inbox)
                    if !hits.isEmpty {
                        let resolved = Set(hits.map { $0.task })
                        starts.removeAll { resolved.contains($0.task) }
                    }
                }
                // Group commit: the batch is stored before any attempt that needs one of its finished tasks starts
                // (so dependents never start before their upstream's end is durable), when the run ends, when it is
                // large, and whenever nothing else arrived meanwhile; otherwise attempts of independent tasks (and
                // retries) start at once and the batch keeps growing. The run's start rides with the first commit
                // (a run of quick tasks stores it with their ends). Events follow each commit.
                let blocked = starts.contains { attempt in plan.needs[attempt.task].contains { settling.contains($0) } }
                if blocked || batch.releasesFence || batch.tasks.count >= Self.largestBatch {
                    try await commit(
                        &batch, retries: &retries, settling: &settling, run: run, lease: lease, announce: announceStart)
                }
                if let outcome {
                    // Waiting: cancel the deadline timers; the next resume (or `kiln serve`) enforces them.
                    if outcome == .waiting { group.cancelAll() }
                    break
                }
                // Attempts about to start here whose `running` state is not stored yet: make sure the run is still
                // ours (a read, no write), so a process whose run was taken over never starts another attempt.
                // Attempts handed to workers need no read: queueing them is fenced by the lease itself.
                if queue == nil, !starts.isEmpty, !batch.isEmpty { try await confirm(lease) }
                if let remote, queue != nil, !starts.isEmpty {
                    try await dispatch(starts, of: run, plan: plan, lease: lease, withheld: withheld, to: remote,
                                       batch: &batch)
                }
                for attempt in starts where queue == nil {
                    let (task, spec) = (attempt.task, plan.pipeline.tasks[attempt.task])
                    let ready = prepared[task] ?? prepare(attempt, run: run, plan: plan, withheld: withheld, inbox: inbox)
                    group.addTask { [self] in
                        inbox.post(.finished(task: task, await self.attempt(
                            spec, context: ready.context, seeds: ready.seeds, probe: ready.probe)))
                    }
                }
                if !hits.isEmpty {
                    // Reported at once: the planner's next actions (the hits' dependents) follow without a wait.
                    let now = clock.now
                    for hit in hits {
                        report(hit.outcome, of: hit.task, to: &planner, batch: &batch, run: run, now: now, random: &random)
                    }
                    continue
                }

                // Wait for results and report them. What is still unstored waits only while results keep arriving:
                // after one yield (quick attempts finish meanwhile) with nothing new, it is stored before sleeping.
                var messages = inbox.drain()
                if messages.isEmpty, !batch.isEmpty {
                    await Task.yield()
                    messages = inbox.drain()
                    if messages.isEmpty {
                        try await commit(
                            &batch, retries: &retries, settling: &settling, run: run, lease: lease,
                            announce: announceStart)
                    }
                }
                if messages.isEmpty {
                    guard let next = await inbox.next(&waiter) else {
                        cancelled = true
                        break
                    }
                    messages = next
                }
                let arrived = clock.now
                for message in messages {
                    switch message {
                    case .log(let line):
                        batch.logs.append(line)
                    case .timer(let event):
                        planner.handle(event, now: arrived, random: &random)
                    case .finished(let task, let result):
                        report(result, of: task, to: &planner, batch: &batch, run: run, now: arrived, random: &random)
                    case .process(let task, let process):
                        planner.noteProcess(process, of: task)
                    case .leaseLost(let holder):
                        lostTo = .some(holder)
                    }
                }
                if lostTo != nil { break }
            }
            if cancelled { group.cancelAll() }
        }
        if let lostTo {
            // Another owner executes the run now: stop without writing (the store would refuse it anyway).
            throw ExecutionError.leaseLost(run.id, holder: lostTo)
        }
        if cancelled {
            // Every child has ended. Attempts in workers' hands are withdrawn (a worker stops one at its next
            // heartbeat) and end as cancelled — unless the run is handed over: then they go on, still `running`,
            // for the next owner to adopt.
            // Whatever attempts returned is reported as it is: a success that raced the cancellation is kept.
            let handingOver = handOvers.take(runID)
            var kept = Set<Int>()
            if let remote {
                let left = await remote.settle(runID)  // results already collected reach the inbox, drained below
                if handingOver {
                    kept = Set(left)
                } else if !left.isEmpty {
                    try? await remote.queue.withdraw(run: runID)
                    for task in left { inbox.post(.finished(task: task, .cancelled)) }
                }
            }
            let now = clock.now
            if handingOver {
                planner.handOver(keeping: kept)
            } else {
                planner.handle(.cancellationRequested, now: now, random: &random)
            }
            for message in inbox.drain() {
                switch message {
                case .log(let line): batch.logs.append(line)
                case .finished(let task, let result):
                    report(result, of: task, to: &planner, batch: &batch, run: run, now: now, random: &random)
                case .timer, .process, .leaseLost: break
                }
            }
            for case .finish(let outcome) in planner.nextActions(now: now, freeSlots: 0, random: &random) {
                Self.record(outcome, in: &run, at: now)
            }
            collectChanges(of: &planner, into: &batch, runID: runID, settling: &settling)
            batch.run = run
            batch.releasesFence = true
            try await store.commit(batch)
            announceStart()
            publish(batch, retries: retries, run: run)
        }
        events?.receive(.runFinished(run))
        logger.debug("Run finished", metadata: ["run.id": "\(runID)", "run.state": "\(run.state.rawValue)"])
        return run
    }

    /// A retry scheduled since the last commit, published once the failure is stored.
    struct ScheduledRetry {
        /// The task's index in the plan.
        let task: Int
        /// The number of the attempt the retry will make.
        let attempt: Int
        /// When the retry is due.
        let at: Timestamp
        /// Why the last attempt failed.
        let error: String
    }

    /// Turns how an attempt ended into a planner event, adding its log line or cache entry to `batch`.
    private func report(
        _ outcome: AttemptOutcome, of task: Int, to planner: inout RunPlanner, batch: inout StateBatch, run: RunRecord,
        now: Timestamp, random: inout some RandomNumberGenerator
    ) {
        let event: RunPlanner.Event
        switch outcome {
        case .succeeded(let outputs, let cache, let lineage):
            planner.noteLineage(lineage, of: task)
            if let cache, let key = cache.key {
                let spec = planner.plan.pipeline.tasks[task]
                batch.cache.append(CacheEntry(
                    key: key, pipeline: run.pipeline, taskID: spec.id, runID: run.id, outputs: outputs, createdAt: now,
                    expiresAt: spec.cache?.expire.map { now.adding($0) }))
            }
            event = .attemptSucceeded(task: task, outputs: outputs, cacheKey: cache?.key, cacheNote: cache?.note)
        case .cached(let entry, let note, let lineage):
            planner.noteLineage(lineage, of: task)
            event = .attemptCached(task: task, outputs: entry.outputs, cacheKey: entry.key, cacheNote: note)
        case .failed(let error, let cacheKey):
            let record = planner.records[task]
            batch.logs.append(LogLine(runID: run.id, taskID: record.taskID, attempt: record.attempts, stream: .system,
                                      text: "attempt \(record.attempts) failed: \(error)", at: now))
            event = .attemptFailed(task: task, error: error, cacheKey: cacheKey)
        case .cancelled:
            event = .attemptCancelled(task: task)
        case .suspended(let suspension):
            event = .attemptSuspended(task: task, reason: suspension.reason, deadline: suspension.deadline)
        }
        planner.handle(event, now: now, random: &random)
    }

    /// Starts a timer child that reports `event` at `due` (and nothing when cancelled first).
    private func arm(
        _ event: RunPlanner.Event, at due: Timestamp, group: inout ThrowingDiscardingTaskGroup<any Error>,
        inbox: Inbox<Message>
    ) {
        group.addTask { [clock] in
            // Never throws: a cancelled timer simply posts nothing.
            do {
                try await clock.sleep(until: due)
                inbox.post(.timer(event))
            } catch {}
        }
    }

    /// Moves the records the planner changed into `batch`; the tasks that ended join `settling` (ended, not stored).
    private func collectChanges(
        of planner: inout RunPlanner, into batch: inout StateBatch, runID: RunID, settling: inout Set<Int>
    ) {
        for index in planner.changes {
            batch.tasks.append(TaskUpdate(runID: runID, record: planner.records[index], expected: nil))
            if planner.records[index].state.isTerminal { settling.insert(index) }
        }
        planner.clearChanges()
    }

    /// The most task changes one commit waits to gather.
    static var largestBatch: Int { 512 }

    /// Stores `batch` (when it holds anything), publishes it (after `announce`, which publishes the run's start
    /// once), and starts the next one.
    /// Throws ``StateStoreError/leaseLost(_:holder:)`` unless `lease` is still the run's lease.
    private func confirm(_ lease: RunLease) async throws {
        let epoch = try await enduringStoreErrors("read the run's lease") { try await store.leaseEpoch(of: lease.runID) }
        guard epoch == lease.epoch else {
            throw StateStoreError.leaseLost(lease.runID, holder: try await store.lease(of: lease.runID))
        }
    }

    private func commit(
        _ batch: inout StateBatch, retries: inout [ScheduledRetry], settling: inout Set<Int>, run: RunRecord,
        lease: RunLease, announce: () -> Void
    ) async throws {
        guard !batch.isEmpty else { return }
        var pending = batch
        pending.id = pending.id ?? StateBatch.newID()  // a retry after an unknown outcome is then never applied twice
        try await enduringStoreErrors("commit") { [pending] in try await store.commit(pending) }
        announce()
        publish(batch, retries: retries, run: run)
        batch = StateBatch(fence: lease)
        retries.removeAll()
        settling.removeAll(keepingCapacity: true)
    }

    /// Runs a store call, trying again (100 ms doubling to 5 s) while it fails with anything but a refusal
    /// (``StateStoreError``: a conflict or a lost lease) — a database restarting, a connection lost — for up to one
    /// lease duration: longer, and another process may take the run over anyway (its writes are fenced).
    func enduringStoreErrors<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let giveUp = ContinuousClock.now + configuration.leaseDuration
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await body()
            } catch let error as StateStoreError {
                throw error
            } catch {
                if Task.isCancelled || ContinuousClock.now + delay > giveUp { throw error }
                logger.warning("Store call failed; retrying", metadata: [
                    "operation": "\(what)", "error": "\(error)", "retry.in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Sets the fields of `run` that `outcome` decides.
    private static func record(_ outcome: RunPlanner.Outcome, in run: inout RunRecord, at now: Timestamp) {
        run.state = outcome.runState
        switch outcome {
        case .succeeded:
            run.finishedAt = now
            run.error = nil
        case .failed(let summary):
            run.finishedAt = now
            run.error = summary
        case .cancelled:
            run.finishedAt = now
            run.error = "cancelled"
        case .waiting:
            break
        case .handedOver:
            run.finishedAt = nil
            run.error = nil
        }
    }

    /// Publishes what `batch` stored: log lines, task changes, then the retries scheduled.
    private func publish(_ batch: StateBatch, retries: [ScheduledRetry], run: RunRecord) {
        guard let events else { return }
        for line in batch.logs { events.receive(.log(line)) }
        // By index: a loop variable would be one more copy of each record (every reference in it retained).
        for index in batch.tasks.indices {
            events.receive(.taskChanged(batch.tasks[index].runID, batch.tasks[index].record))
        }
        for retry in retries {
            events.receive(.retryScheduled(run.id, task: run.snapshot.tasks[retry.task].id, attempt: retry.attempt,
                                           at: retry.at, error: retry.error))
        }
    }

    /// An attempt about to start: what its kind sees, the lineage collector its context reports to, and the cache
    /// lookup made for it (`nil`: the attempt makes its own).
    struct PreparedAttempt {
        let context: TaskContext
        let seeds: LineageCollector
        var probe: CacheProbe?
    }

    private func prepare(
        _ attempt: RunPlanner.Attempt, run: RunRecord, plan: Plan, withheld: Set<String>, inbox: Inbox<Message>
    ) -> PreparedAttempt {
        let seeds = LineageCollector()
        let context = makeContext(
            run: run, task: plan.pipeline.tasks[attempt.task], attempt: attempt, withheld: withheld, inbox: inbox,
            seeds: seeds)
        return PreparedAttempt(context: context, seeds: seeds, probe: nil)
    }

    /// Looks up the cache for the `starts` that cache, in one read: returns the hits, and the attempts prepared for
    /// the misses (their probes say what they store). An attempt whose named files would take the step's hashing
    /// past ``TaskLineage/largeFiles`` (4 MiB), whose kind is missing, or whose lookup could not be read is left to
    /// look up for itself.
    private func probeCache(
        _ starts: [RunPlanner.Attempt], run: RunRecord, plan: Plan, withheld: Set<String>, inbox: Inbox<Message>
    ) async -> (hits: [(task: Int, outcome: AttemptOutcome)], prepared: [Int: PreparedAttempt]) {
        var prepared: [Int: PreparedAttempt] = [:]
        var lookups: [(task: Int, key: String, lineage: TaskLineage)] = []
        // The loop hashes at most this much of the named files per step; past it, attempts hash in parallel.
        var budget = TaskLineage.largeFiles
        for attempt in starts {
            let spec = plan.pipeline.tasks[attempt.task]
            guard let policy = spec.cache, hasKind(for: attempt.action) else { continue }
            var ready = prepare(attempt, run: run, plan: plan, withheld: withheld, inbox: inbox)
            guard let lineage = TaskLineage.beforeAtOnce(ready.context, budget: &budget) else { continue }
            do {
                lookups.append((attempt.task, try cacheKey(spec, policy: policy, context: ready.context, lineage: lineage),
                                lineage))
            } catch {
                ready.probe = .keyFailed(lineage, error)
            }
            prepared[attempt.task] = ready
        }
        guard !lookups.isEmpty else { return ([], prepared) }
        guard let entries = try? await store.cacheEntries(forKeys: lookups.map { $0.key }) else {
            for lookup in lookups { prepared[lookup.task] = nil }
            return ([], prepared)
        }
        let now = clock.now
        var hits: [(task: Int, outcome: AttemptOutcome)] = []
        for lookup in lookups {
            switch Self.decide(entries[lookup.key], key: lookup.key, lineage: lookup.lineage, now: now) {
            case .hit(let outcome):
                hits.append((lookup.task, outcome))
                prepared[lookup.task] = nil
            case .miss(let probe):
                prepared[lookup.task]?.probe = probe
            }
        }
        return (hits, prepared)
    }

    /// What the attempt's kind sees: resolved action, inputs and environment, a logger, and a log sink.
    private func makeContext(
        run: RunRecord, task: TaskSpec, attempt: RunPlanner.Attempt, withheld: Set<String>, inbox: Inbox<Message>,
        seeds: LineageCollector
    ) -> TaskContext {
        let directory = attempt.workdir.map { $0.hasPrefix("/") ? $0 : run.baseDirectory + "/" + $0 }
            ?? run.baseDirectory
        let (runID, taskID, number, clock, index) = (run.id, task.id, attempt.number, self.clock, attempt.task)
        return TaskContext(
            runID: run.id, pipeline: run.pipeline, taskID: task.id, attempt: attempt.number, action: attempt.action,
            inputs: attempt.inputs, environment: attempt.environment, workingDirectory: directory, clock: clock,
            logger: logger, artifacts: artifacts, decision: attempt.decision,
            withheldEnvironment: withheld, startedAt: clock.now,
            log: { stream, text in
                inbox.post(.log(LogLine(
                    runID: runID, taskID: taskID, attempt: number, stream: stream, text: text, at: clock.now)))
            },
            process: { process in inbox.post(.process(task: index, process)) },
            seed: { seeds.add(seed: $0) }, read: { seeds.add(read: $0) })
    }
}
