import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct ResumeTests {
    let store = InMemoryStateStore()
    let clock = ManualClock()
    let recorder = Recorder()

    var executor: PipelineExecutor {
        PipelineExecutor(store: store, kinds: TestKinds.registry(recorder: recorder), clock: clock)
    }

    @Test("resume after a crash runs only what had not succeeded")
    func resumeAfterCrash() async throws {
        let pipeline = Pipeline(name: "p", tasks: [
            uses("extract", "echo", with: ["rows": 5]),
            uses("a", "echo", needs: ["extract"], with: ["rows": "${{ tasks.extract.outputs.rows }}"]),
            uses("b", "echo", needs: ["extract"]),
            uses("train", "echo", needs: ["a", "b"], with: ["rows": "${{ tasks.a.outputs.rows }}"]),
        ])
        // The state a killed process leaves behind: extract and b done, a running, train pending.
        let id = RunID(rawValue: "20261129-020000-abcdef")
        let now = clock.now
        try await store.createRun(
            RunRecord(id: id, pipeline: "p", state: .running, params: [:], snapshot: pipeline, baseDirectory: "/tmp", createdAt: now),
            tasks: [
                TaskRecord(taskID: "extract", state: .succeeded, attempts: 1, outputs: ["rows": 5]),
                TaskRecord(taskID: "a", state: .running, attempts: 1),
                TaskRecord(taskID: "b", state: .succeeded, attempts: 1, outputs: [:]),
                TaskRecord(taskID: "train"),
            ])
        let run = try await executor.resume(id)
        #expect(run.state == .succeeded)
        #expect(recorder.count("extract") == 0 && recorder.count("b") == 0)
        #expect(recorder.count("a") == 1 && recorder.count("train") == 1)
        let tasks = try await store.tasks(of: id)
        #expect(tasks[task: "a"]?.attempts == 2)
        #expect(tasks[task: "train"]?.outputs == ["rows": 5])
    }

    @Test("cancelling a run marks it cancelled, and resume finishes it")
    func cancelThenResume() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("first", "echo"), uses("slow", "sleep", needs: ["first"], with: ["seconds": 60]), uses("last", "echo", needs: ["slow"])]))
        let executor = self.executor
        let running = Task { try await executor.run(plan, baseDirectory: "/tmp") }
        await clock.waitForSleepers(1)
        running.cancel()
        let cancelled = try await running.value
        #expect(cancelled.state == .cancelled)
        let tasks = try await store.tasks(of: cancelled.id)
        #expect(tasks[task: "slow"]?.state == .cancelled)
        #expect(tasks[task: "last"]?.state == .pending)

        async let resumed = executor.resume(cancelled.id)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(60))
        #expect(try await resumed.state == .succeeded)
        #expect(recorder.count("first") == 1)
        #expect(recorder.count("slow") == 2)
    }

    @Test("a task that finishes while the run is being cancelled is stored succeeded and not run again on resume")
    func successDuringCancellationIsKept() async throws {
        let gate = Gate()
        var kinds = TestKinds.registry(recorder: recorder, clock: clock)
        // A long training step that does not stop when asked: it completes after the cancellation arrived.
        kinds.register("train") { context in
            recorder.started(context.taskID)
            await gate.wait()
            return ["auc": 0.91]
        }
        let executor = PipelineExecutor(store: store, kinds: kinds, clock: clock)
        let plan = try Plan(Pipeline(name: "p", tasks: [
            uses("train", "train"), uses("slow", "sleep", with: ["seconds": 60]), uses("deploy", "echo", needs: ["train", "slow"]),
        ]))
        let running = Task { try await executor.run(plan, baseDirectory: "/tmp") }
        await clock.waitForSleepers(1)
        await gate.waitUntilWaiting()
        running.cancel()
        gate.open()
        let cancelled = try await running.value
        #expect(cancelled.state == .cancelled)
        let tasks = try await store.tasks(of: cancelled.id)
        #expect(tasks[task: "train"]?.state == .succeeded)
        #expect(tasks[task: "train"]?.outputs == ["auc": 0.91])
        #expect(tasks[task: "slow"]?.state == .cancelled)

        async let resumed = executor.resume(cancelled.id)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(60))
        #expect(try await resumed.state == .succeeded)
        #expect(recorder.count("train") == 1)
    }

    @Test("a failed run resumes with a fresh retry budget; a succeeded run is refused")
    func resumeFailed() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("flaky", "flaky", with: ["times": 1]), uses("after", "echo", needs: ["flaky"])]))
        let failed = try await executor.run(plan, baseDirectory: "/tmp")
        #expect(failed.state == .failed)
        let resumed = try await executor.resume(failed.id)
        #expect(resumed.state == .succeeded)
        #expect(try await store.tasks(of: failed.id)[task: "after"]?.state == .succeeded)
        await #expect(throws: PipelineExecutor.StartError.alreadySucceeded(failed.id)) { try await executor.resume(failed.id) }
    }

    @Test("unknown params are refused before anything is stored")
    func unknownParam() async throws {
        let plan = try Plan(Pipeline(name: "p", params: ["source": "a.csv"], tasks: [uses("a", "echo")]))
        await #expect(throws: PipelineExecutor.StartError.unknownParam("sorce", known: ["source"])) {
            try await executor.run(plan, params: ["sorce": "b.csv"], baseDirectory: "/tmp")
        }
        #expect(try await store.runs(pipeline: nil, limit: 10).isEmpty)
    }
}
