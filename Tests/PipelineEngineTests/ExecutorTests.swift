import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct ExecutorTests {
    let store = InMemoryStateStore()
    let clock = ManualClock()
    let recorder = Recorder()

    func executor(parallelism: Int = 4, readCache: Bool = true) -> PipelineExecutor {
        PipelineExecutor(
            store: store, kinds: TestKinds.registry(recorder: recorder), clock: clock,
            configuration: .init(parallelism: parallelism, readCache: readCache, environment: ["MODE": "fast"]))
    }

    @Test("fans out and in, passing typed outputs through expressions")
    func fanOutFanIn() async throws {
        let plan = try Plan(Pipeline(name: "p", params: ["rows": 10], tasks: [
            uses("extract", "echo", with: ["rows": "${{ params.rows }}", "mode": "${{ env.MODE }}"]),
            uses("a", "echo", needs: ["extract"], with: ["n": "${{ tasks.extract.outputs.rows }}"]),
            uses("b", "echo", needs: ["extract"], with: ["label": "rows=${{ tasks.extract.outputs.rows }}"]),
            uses("train", "echo", needs: ["a", "b"], with: ["sum": ["${{ tasks.a.outputs.n }}", "${{ tasks.b.outputs.label }}"]]),
        ]))
        let run = try await executor().run(plan, params: ["rows": 25], baseDirectory: "/tmp")
        #expect(run.state == .succeeded)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks[task: "extract"]?.outputs == ["rows": 25, "mode": "fast"])
        #expect(tasks[task: "train"]?.outputs == ["sum": [25, "rows=25"]])
        #expect(tasks.allSatisfy { $0.state == .succeeded && $0.attempts == 1 })
    }

    @Test("never runs more attempts at once than the parallelism allows")
    func parallelLimit() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: (0..<6).map { uses("t\($0)", "sleep", with: ["seconds": 10]) }))
        async let finished = executor(parallelism: 2).run(plan, baseDirectory: "/tmp")
        for _ in 0..<3 {
            await clock.waitForSleepers(2)
            #expect(clock.sleeperCount == 2)
            clock.advance(by: .seconds(10))
        }
        #expect(try await finished.state == .succeeded)
        #expect(recorder.maxActive == 2)
    }

    @Test("retries 3 times 5 minutes apart and succeeds on the 2nd retry, in no real time")
    func retries() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [
            uses("extract", "flaky", with: ["times": 2], retry: RetryPolicy(retries: 3, delay: .seconds(300))),
            uses("train", "echo", needs: ["extract"]),
        ]))
        let start = clock.now
        async let finished = executor().run(plan, baseDirectory: "/tmp")
        for _ in 0..<2 {
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == clock.now.adding(.seconds(300)))
            clock.advance(by: .seconds(300))
        }
        let run = try await finished
        #expect(run.state == .succeeded)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks[task: "extract"]?.attempts == 3)
        #expect(tasks[task: "extract"]?.outputs == ["attempt": 3])
        #expect(run.finishedAt == start.adding(.seconds(600)))
        let logs = try await store.logs(of: run.id, task: "extract", attempt: nil)
        #expect(logs.map(\.text) == ["attempt 1 failed: source unavailable (attempt 1)", "attempt 2 failed: source unavailable (attempt 2)"])
    }

    @Test("a new run whose drawn id exists draws another, in the same second, for plain and leased runs alike")
    func runIDCollisionDrawsAgain() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("a", "echo")]))
        // Executors with the same seed draw the same ids: each one's first id is taken by the one before.
        func executor() -> PipelineExecutor {
            PipelineExecutor(
                store: store, kinds: TestKinds.registry(recorder: recorder), clock: clock,
                random: SeededRandomSource(seed: 7))
        }
        let first = try await executor().createRun(plan, baseDirectory: "/tmp")
        let second = try await executor().createRun(plan, baseDirectory: "/tmp")
        let third = try await executor().run(plan, baseDirectory: "/tmp")
        var expected = SeededRandomNumberGenerator(seed: 7)
        let draws = (0..<3).map { _ in RunID.make(at: clock.now, using: &expected) }
        #expect([first.id, second.id, third.id] == draws)
        #expect(third.state == .succeeded)
        #expect(try await store.run(first.id)?.state == .queued, "the run that held the id is untouched")
    }

        @Test("run ids and retry jitter draw from the injected random source: a seeded source repeats them exactly")
    func injectedRandomness() async throws {
        let policy = RetryPolicy(retries: 1, delay: .seconds(100), jitter: 0.5)
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("extract", "flaky", with: ["times": 1], retry: policy)]))
        func execute() async throws -> (ids: [RunID], retryDelay: Duration?) {
            let executor = PipelineExecutor(
                store: InMemoryStateStore(), kinds: TestKinds.registry(recorder: recorder), clock: clock,
                random: SeededRandomSource(seed: 42))
            let first = try await executor.createRun(plan, baseDirectory: "/tmp").id
            async let finished = executor.resume(first)
            await clock.waitForSleepers(1)
            let retryDelay = clock.nextDeadline.map { clock.now.duration(to: $0) }
            clock.advanceToNextDeadline()
            #expect(try await finished.state == .succeeded)
            let second = try await executor.createRun(plan, baseDirectory: "/tmp").id
            return ([first, second], retryDelay)
        }
        let start = clock.now
        let result = try await execute()
        var expected = SeededRandomNumberGenerator(seed: 42)
        #expect(result.ids[0] == RunID.make(at: start, using: &expected))
        #expect(result.retryDelay == policy.delay(beforeRetry: 1, using: &expected))
        #expect(result.retryDelay != policy.baseDelay(beforeRetry: 1))
        #expect(result.ids[1] == RunID.make(at: clock.now, using: &expected))
        #expect(result.ids[0] != result.ids[1])
    }

    @Test("backoff doubles each delay and a task fails once its retries are used up")
    func backoffThenFail() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [
            uses("extract", "flaky", with: ["times": 5], retry: RetryPolicy(retries: 2, delay: .seconds(60), backoff: 2)),
            uses("after", "echo", needs: ["extract"]),
        ]))
        async let finished = executor().run(plan, baseDirectory: "/tmp")
        for expected in [60, 120] {
            await clock.waitForSleepers(1)
            #expect(clock.now.duration(to: clock.nextDeadline!) == .seconds(expected))
            clock.advanceToNextDeadline()
        }
        let run = try await finished
        #expect(run.state == .failed)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks[task: "extract"]?.state == .failed)
        #expect(tasks[task: "extract"]?.attempts == 3)
        #expect(tasks[task: "after"]?.state == .skipped)
        #expect(tasks[task: "after"]?.error == "skipped: 'extract' failed")
        #expect(run.error == "extract: source unavailable (attempt 3)")
    }

    @Test("a timeout fails the attempt and cancels the work")
    func timeout() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("train", "sleep", with: ["seconds": 7200], timeout: .seconds(1800))]))
        async let finished = executor().run(plan, baseDirectory: "/tmp")
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(1800))
        let run = try await finished
        #expect(run.state == .failed)
        #expect(try await store.tasks(of: run.id)[task: "train"]?.error == "timed out after 30m (the task's timeout)")
    }

    @Test("skipped and failed needs skip dependents; failure() and always() still run; the run fails")
    func skipSemantics() async throws {
        let plan = try Plan(Pipeline(name: "p", params: ["min_f1": 0.95], tasks: [
            uses("train", "echo", with: ["f1": 0.9]),
            uses("register", "echo", needs: ["train"], if: "${{ tasks.train.outputs.f1 > params.min_f1 }}"),
            uses("deploy", "echo", needs: ["register"]),
            uses("report", "echo", needs: ["deploy"], if: "always()"),
            uses("broken", "flaky", with: ["times": 1]),
            uses("after-broken", "echo", needs: ["broken"]),
            uses("alert", "echo", needs: ["after-broken"], if: "${{ failure() }}"),
            uses("quiet", "echo", needs: ["register"], if: "failure()"),
        ]))
        let run = try await executor().run(plan, baseDirectory: "/tmp")
        let states = Dictionary(uniqueKeysWithValues: try await store.tasks(of: run.id).map { ($0.taskID, $0.state) })
        #expect(states == [
            "train": .succeeded, "register": .skipped, "deploy": .skipped, "report": .succeeded, "broken": .failed,
            "after-broken": .skipped, "alert": .succeeded, "quiet": .skipped,
        ])
        #expect(run.state == .failed)
    }

    @Test("caches by inputs: a rerun is served from cache, and says why")
    func caching() async throws {
        let cached = CachePolicy(expire: .seconds(3600))
        let plan = try Plan(Pipeline(name: "p", params: ["x": 1], tasks: [
            uses("extract", "echo", with: ["x": "${{ params.x }}"], cache: cached),
            uses("train", "echo", needs: ["extract"], with: ["x": "${{ tasks.extract.outputs.x }}"], cache: cached),
        ]))
        let first = try await executor().run(plan, baseDirectory: "/tmp")
        let firstTasks = try await store.tasks(of: first.id)
        #expect(firstTasks[task: "extract"]?.cacheNote == "miss: no entry for this key")
        let second = try await executor().run(plan, baseDirectory: "/tmp")
        let tasks = try await store.tasks(of: second.id)
        #expect(tasks.allSatisfy { $0.state == .cached })
        #expect(tasks[task: "train"]?.outputs == ["x": 1])
        #expect(tasks[task: "extract"]?.cacheNote?.hasPrefix("hit: stored by run \(first.id)") == true)
        #expect(tasks[task: "extract"]?.cacheKey == firstTasks[task: "extract"]?.cacheKey)
        #expect(recorder.count("extract") == 1)

        let other = try await executor().run(plan, params: ["x": 2], baseDirectory: "/tmp")
        #expect(try await store.tasks(of: other.id)[task: "extract"]?.state == .succeeded)

        clock.advance(by: .seconds(3601))
        let expired = try await executor().run(plan, baseDirectory: "/tmp")
        let note = try await store.tasks(of: expired.id)[task: "extract"]?.cacheNote
        #expect(note?.hasPrefix("miss: the entry expired at") == true)

        let bypass = try await executor(readCache: false).run(plan, baseDirectory: "/tmp")
        let bypassed = try await store.tasks(of: bypass.id)[task: "extract"]
        #expect(bypassed?.state == .succeeded)
        #expect(bypassed?.cacheNote == "disabled: --no-cache (the new result is stored)")
    }

    @Test("stores each state change before any dependent starts")
    func durableBeforeDependents() async throws {
        let store = self.store
        var kinds = TestKinds.registry(recorder: recorder)
        kinds.register("check") { context in
            let upstream = try await store.tasks(of: context.runID)[task: "extract"]
            let mine = try await store.tasks(of: context.runID)[task: context.taskID]
            return ["upstream": .string(upstream?.state.rawValue ?? "missing"), "mine": .string(mine?.state.rawValue ?? "missing")]
        }
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("extract", "echo"), uses("train", "check", needs: ["extract"])]))
        let run = try await PipelineExecutor(store: store, kinds: kinds, clock: clock).run(plan, baseDirectory: "/tmp")
        #expect(try await store.tasks(of: run.id)[task: "train"]?.outputs == ["upstream": "succeeded", "mine": "running"])
    }
}
