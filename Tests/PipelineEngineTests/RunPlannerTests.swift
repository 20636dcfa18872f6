@testable import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct RunPlannerTests {
    @Test("event sequences lead to the actions and final task states the rules say", arguments: PlannerScenario.all)
    func scenario(_ scenario: PlannerScenario) throws {
        var harness = try PlannerHarness(scenario.tasks)
        for (position, step) in scenario.steps.enumerated() {
            if case .expect(let expected, let slots) = step {
                #expect(harness.next(slots: slots) == expected, "step \(position)")
            } else {
                harness.perform(step)
            }
        }
        #expect(harness.states == scenario.states)
    }

    @Test(
        "each retry is due at now plus the policy's delay for that retry",
        arguments: [
            (RetryPolicy(retries: 3, delay: .seconds(10)), [10, 10, 10]),
            (RetryPolicy(retries: 3, delay: .seconds(10), backoff: 2), [10, 20, 40]),
            (RetryPolicy(retries: 3, delay: .seconds(10), backoff: 2, maxDelay: .seconds(15)), [10, 15, 15]),
        ])
    func retryDelays(policy: RetryPolicy, seconds: [Int]) throws {
        var harness = try PlannerHarness([uses("extract", "flaky", retry: policy)])
        #expect(harness.next() == ["start extract #1"])
        var elapsed = 0
        for (retry, delay) in seconds.enumerated() {
            harness.perform(.fail("extract", "boom"))
            #expect(harness.next() == ["retry extract at +\(elapsed + delay)s"])
            #expect(harness["extract"].state == .pending)
            #expect(harness["extract"].retryAt == PlannerHarness.start.adding(.seconds(elapsed + delay)))
            elapsed += delay
            harness.perform(.advance(.seconds(delay)))
            harness.perform(.retryDue("extract"))
            #expect(harness.next() == ["start extract #\(retry + 2)"])
        }
        harness.perform(.fail("extract", "boom"))
        #expect(harness.next() == ["finish failed: extract: boom"])
        #expect(harness["extract"].attempts == seconds.count + 1)
    }

    @Test("retry jitter comes from the injected generator: the same seed gives the same due time")
    func retryJitter() throws {
        let policy = RetryPolicy(retries: 1, delay: .seconds(100), jitter: 0.5)
        var dues: [Timestamp] = []
        for _ in 0..<2 {
            var harness = try PlannerHarness([uses("extract", "flaky", retry: policy)], seed: 99)
            _ = harness.next()
            harness.perform(.fail("extract", "boom"))
            _ = harness.next()
            dues.append(try #require(harness["extract"].retryAt))
        }
        var random = SeededRandomNumberGenerator(seed: 99)
        let expected = PlannerHarness.start.adding(policy.delay(beforeRetry: 1, using: &random))
        #expect(dues == [expected, expected])
        #expect(expected != PlannerHarness.start.adding(policy.baseDelay(beforeRetry: 1)))
    }

    @Test("every change is listed, in order, before the start that depends on it")
    func changesComeBeforeStarts() throws {
        var harness = try PlannerHarness([uses("extract", "echo"), uses("train", "echo", needs: ["extract"])])
        #expect(harness.next() == ["start extract #1"])
        #expect(harness.changes == ["extract: running"])
        harness.planner.clearChanges()
        harness.perform(.succeed("extract", outputs: ["rows": 5]))
        #expect(harness.next() == ["start train #1"])
        #expect(harness.changes == ["extract: succeeded", "train: running"])
        harness.planner.clearChanges()
        #expect(harness.changes.isEmpty)
    }

    @Test("a start carries the task's templates evaluated against params and upstream outputs")
    func startResolvesInputs() throws {
        let inputs: [String: JSONValue] = ["rows": "${{ tasks.extract.outputs.rows }}", "p": "${{ params.p }}"]
        var harness = try PlannerHarness(
            [uses("extract", "echo"), uses("train", "echo", needs: ["extract"], with: inputs)], params: ["p": "x"])
        _ = harness.next()
        harness.perform(.succeed("extract", outputs: ["rows": 5]))
        let actions = harness.planner.nextActions(now: harness.now, freeSlots: 1, random: &harness.random)
        #expect(actions == [.start(RunPlanner.Attempt(
            task: 1, number: 1, action: .uses("echo"), inputs: ["rows": 5, "p": "x"], environment: [:], workdir: nil,
            decision: nil))])
    }

    @Test("events that no longer apply change nothing")
    func staleEvents() throws {
        var harness = try PlannerHarness([uses("a", "echo"), uses("b", "echo", needs: ["a"])])
        harness.perform(.succeed("a"))  // not started yet
        harness.perform(.retryDue("a"))
        harness.perform(.deadlineDue("a"))
        #expect(harness.changes.isEmpty)
        #expect(harness.next() == ["start a #1"])
        harness.perform(.succeed("a"))
        harness.perform(.fail("a", "late"))  // a second report of the same attempt
        #expect(harness["a"].state == .succeeded)
        #expect(harness.next() == ["start b #1"])
    }

    @Test("resume keeps terminal tasks and grants the others a fresh retry budget")
    func resumeFromRecords() throws {
        var harness = try PlannerHarness(
            [
                uses("extract", "echo"),
                uses("flaky", "flaky", retry: RetryPolicy(retries: 1, delay: .seconds(5))),
                uses("train", "echo", needs: ["extract", "flaky"]),
            ],
            records: [
                TaskRecord(taskID: "extract", state: .succeeded, attempts: 1, outputs: ["rows": 5]),
                TaskRecord(taskID: "flaky", state: .pending, attempts: 2, error: nil),
            ])
        #expect(harness.next() == ["start flaky #3"])
        harness.perform(.fail("flaky", "again"))
        #expect(harness.next() == ["retry flaky at +5s"])
        harness.perform(.retryDue("flaky"))
        #expect(harness.next() == ["start flaky #4"])
        harness.perform(.succeed("flaky"))
        #expect(harness.next() == ["start train #1"])
        harness.perform(.succeed("train"))
        #expect(harness.next() == ["finish succeeded"])
        #expect(harness["extract"].attempts == 1)
    }

    @Test("stored records line up with the plan's tasks whatever their order, missing ones pending")
    func recordsInAnyOrder() throws {
        let tasks = [uses("a", "echo"), uses("b", "echo"), uses("c", "echo")]
        let done = TaskRecord(taskID: "b", state: .succeeded, attempts: 1, outputs: ["n": 1])
        let inOrder = [TaskRecord(taskID: "a"), done, TaskRecord(taskID: "c", attempts: 2)]
        for records in [inOrder, inOrder.reversed(), [done], [done, TaskRecord(taskID: "zzz"), done]] {
            let harness = try PlannerHarness(tasks, records: records)
            #expect(harness.planner.records.map { $0.taskID } == ["a", "b", "c"], "\(records)")
            #expect(harness["b"] == done)
        }
        #expect(try PlannerHarness(tasks, records: inOrder)["c"].attempts == 2)
    }

    @Test("on resume a decided waiting task runs again with its decision; an undecided one re-arms its deadline")
    func resumeWaitingTasks() throws {
        let decision = Decision(approved: true, reason: "ok", actor: "ana", at: PlannerHarness.start)
        let deadline = PlannerHarness.start.adding(.seconds(600))
        var harness = try PlannerHarness(
            [uses("decided", "gate"), uses("undecided", "gate"), uses("after", "echo", needs: ["decided"])],
            records: [
                TaskRecord(taskID: "decided", state: .waiting, attempts: 1, decision: decision),
                TaskRecord(taskID: "undecided", state: .waiting, attempts: 1, deadline: deadline),
            ])
        let actions = harness.planner.nextActions(now: harness.now, freeSlots: 4, random: &harness.random)
        #expect(actions.map(harness.describe) == ["deadline undecided at +600s", "start decided #2"])
        guard case .start(let attempt)? = actions.last else {
            Issue.record("expected a start last, got \(actions)")
            return
        }
        #expect(attempt.decision == decision)
        harness.perform(.succeed("decided"))
        #expect(harness.next() == ["start after #1"])
        harness.perform(.succeed("after"))
        #expect(harness.next() == ["finish waiting"])
    }

    @Test("on resume a deadline that passed while no process held the run rejects the task at once")
    func resumePastDeadline() throws {
        let deadline = PlannerHarness.start.adding(.seconds(-60))
        var harness = try PlannerHarness(
            [uses("approve", "gate"), uses("deploy", "echo", needs: ["approve"])],
            records: [TaskRecord(taskID: "approve", state: .waiting, attempts: 1, deadline: deadline)])
        #expect(harness.changes == ["approve: failed"])
        #expect(harness["approve"].decision?.actor == "deadline")
        let failure = "approve: rejected: no decision before the deadline \(deadline.iso8601)"
        #expect(harness.next() == ["finish failed: \(failure)"])
        #expect(harness["deploy"].error == "skipped: 'approve' failed")
    }

    @Test("an adopted attempt (a running record) is not started again; its end counts as this execution's first")
    func adoptedAttempt() throws {
        var harness = try PlannerHarness(
            [
                uses("train", "fit", retry: RetryPolicy(retries: 1, delay: .seconds(5))),
                uses("other", "echo"),
                uses("report", "echo", needs: ["train"]),
            ],
            records: [TaskRecord(taskID: "train", state: .running, attempts: 3)])
        #expect(harness.planner.running == 1)  // it holds a slot
        #expect(harness.next() == ["start other #1"])
        #expect(harness.planner.running == 2)
        harness.perform(.fail("train", "out of memory"))
        #expect(harness.next() == ["retry train at +5s"])  // one retry left: the policy's, afresh
        harness.perform(.retryDue("train"))
        #expect(harness.next() == ["start train #4"])
        harness.perform(.succeed("train"))
        harness.perform(.succeed("other"))
        #expect(harness.next() == ["start report #1"])
        harness.perform(.succeed("report"))
        #expect(harness.next() == ["finish succeeded"])
    }

    @Test("a hand-over keeps the workers' attempts running, cancels the others and stores the run queued")
    func handOver() throws {
        var harness = try PlannerHarness(
            [uses("remote", "fit"), uses("local", "echo"), uses("done", "echo"), uses("later", "echo", needs: ["remote"])])
        #expect(harness.next() == ["start remote #1", "start local #1", "start done #1"])
        harness.perform(.succeed("done"))
        harness.planner.clearChanges()
        harness.planner.handOver(keeping: [harness.planner.plan.index["remote"]!])
        harness.planner.handle(
            .attemptCancelled(task: harness.planner.plan.index["local"]!), now: harness.now, random: &harness.random)
        #expect(harness.next() == ["finish handed over"])
        #expect(harness.planner.outcome?.runState == .queued)
        #expect(harness.states == ["remote": .running, "local": .cancelled, "done": .succeeded, "later": .pending])
        #expect(harness.changes == ["local: cancelled"])
    }

    @Test("a hand-over after every task ended is the run's end, not a hand-over")
    func handOverAfterTheEnd() throws {
        var harness = try PlannerHarness([uses("a", "echo")])
        #expect(harness.next() == ["start a #1"])
        harness.perform(.succeed("a"))
        harness.planner.handOver(keeping: [])
        #expect(harness.next() == ["finish succeeded"])
    }
}
