import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct ApprovalTests {
    let store = InMemoryStateStore()
    let clock = ManualClock()
    let recorder = Recorder()

    var executor: PipelineExecutor {
        var kinds = TestKinds.registry(recorder: recorder)
        kinds.register("gate") { context in
            guard let decision = context.decision else {
                let hours = context.inputs["deadline_hours"]?.intValue
                throw TaskSuspension(reason: "approval to deploy", deadline: hours.map { context.clock.now.adding(.seconds($0 * 3600)) })
            }
            guard decision.approved else { throw TaskFailure("rejected by \(decision.actor): \(decision.reason ?? "no reason")") }
            return ["approved_by": .string(decision.actor)]
        }
        return PipelineExecutor(store: store, kinds: kinds, clock: clock)
    }

    func plan(deadlineHours: Int? = nil) throws -> Plan {
        try Plan(Pipeline(name: "p", tasks: [
            uses("train", "echo"),
            uses("approve", "gate", needs: ["train"], with: deadlineHours.map { ["deadline_hours": .number(Double($0))] } ?? [:]),
            uses("deploy", "echo", needs: ["approve"]),
        ]))
    }

    @Test("a manual approval parks the run as waiting, holding no worker; approving resumes it")
    func approve() async throws {
        let waiting = try await executor.run(try plan(), baseDirectory: "/tmp")
        #expect(waiting.state == .waiting)
        var tasks = try await store.tasks(of: waiting.id)
        #expect(tasks[task: "approve"]?.state == .waiting)
        #expect(tasks[task: "approve"]?.error == "waiting: approval to deploy")
        #expect(tasks[task: "deploy"]?.state == .pending)

        let decided = try await executor.decide(Decision(approved: true, reason: "looks good", actor: "ana", at: clock.now), task: nil, of: waiting.id)
        #expect(decided == "approve")
        let finished = try await executor.resume(waiting.id)
        #expect(finished.state == .succeeded)
        tasks = try await store.tasks(of: waiting.id)
        #expect(tasks[task: "approve"]?.outputs == ["approved_by": "ana"])
        #expect(tasks[task: "approve"]?.decision?.reason == "looks good")
        #expect(recorder.count("train") == 1)
        #expect(recorder.count("deploy") == 1)
    }

    @Test("rejecting fails the task and skips what depends on it")
    func reject() async throws {
        let waiting = try await executor.run(try plan(), baseDirectory: "/tmp")
        try await executor.decide(Decision(approved: false, reason: "f1 dropped", actor: "cli", at: clock.now), task: "approve", of: waiting.id)
        let finished = try await executor.resume(waiting.id)
        #expect(finished.state == .failed)
        let tasks = try await store.tasks(of: waiting.id)
        #expect(tasks[task: "approve"]?.error == "rejected by cli: f1 dropped")
        #expect(tasks[task: "deploy"]?.state == .skipped)
    }

    @Test("past its deadline a waiting task is rejected, whether or not a process was running")
    func deadline() async throws {
        let waiting = try await executor.run(try plan(deadlineHours: 4), baseDirectory: "/tmp")
        #expect(waiting.state == .waiting)
        #expect(try await store.tasks(of: waiting.id)[task: "approve"]?.deadline == clock.now.adding(.seconds(4 * 3600)))
        clock.advance(by: .seconds(5 * 3600))
        let finished = try await executor.resume(waiting.id)
        #expect(finished.state == .failed)
        let approve = try await store.tasks(of: waiting.id)[task: "approve"]
        #expect(approve?.error?.hasPrefix("rejected: no decision before the deadline") == true)
        #expect(approve?.decision?.actor == "deadline")
    }

    @Test("a deadline passing while the run is still busy rejects the waiting task at that moment")
    func deadlineWhileRunning() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [
            uses("approve", "gate", with: ["deadline_hours": 1]),
            uses("slow", "sleep", with: ["seconds": 7200]),
        ]))
        async let finished = executor.run(plan, baseDirectory: "/tmp")
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(3600))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(3600))
        let run = try await finished
        #expect(run.state == .failed)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks[task: "approve"]?.state == .failed)
        #expect(tasks[task: "slow"]?.state == .succeeded)
    }

    @Test("a decision needs a waiting task, and names the candidates otherwise")
    func decisionErrors() async throws {
        let waiting = try await executor.run(try plan(), baseDirectory: "/tmp")
        await #expect(throws: PipelineExecutor.StartError.notWaiting(waiting.id, task: "deploy", waiting: ["approve"])) {
            try await executor.decide(Decision(approved: true, reason: nil, actor: "cli", at: clock.now), task: "deploy", of: waiting.id)
        }
    }
}
