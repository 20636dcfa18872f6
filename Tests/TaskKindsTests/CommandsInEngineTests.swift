import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import PipelineTesting
import Testing

/// The built-in kinds driven by the real engine, as `kiln run` does (real clock, real processes).
@Suite("Built-in kinds in the engine")
struct CommandsInEngineTests {
    @Test("a command's outputs and logs reach the run, and a retried fail task succeeds")
    func outputsAndLogsReachTheRun() async throws {
        try await withTemporaryDirectory { directory in
            let pipeline = Pipeline(name: "demo", tasks: [
                TaskSpec(id: "measure", action: .shell(#"echo measuring; printf '{"rows": 120}' > "$KILN_OUTPUTS""#)),
                TaskSpec(id: "flaky", action: .uses("fail", with: ["times": 1, "rows": 1]), retry: RetryPolicy(retries: 1)),
                TaskSpec(id: "report", needs: ["measure", "flaky"], action: .run(["printf", "%s\\n", "$KILN_TASK_ID"])),
            ])
            let store = InMemoryStateStore()
            let executor = PipelineExecutor(store: store, kinds: .builtIn)
            let run = try await executor.run(Plan(pipeline, knownKinds: TaskKindRegistry.builtIn.names), baseDirectory: directory)

            #expect(run.state == .succeeded)
            let tasks = Dictionary(uniqueKeysWithValues: try await store.tasks(of: run.id).map { ($0.taskID, $0) })
            #expect(tasks["measure"]?.outputs == ["rows": 120])
            #expect(tasks["flaky"]?.attempts == 2)
            #expect(tasks["flaky"]?.outputs == ["rows": 1])
            let measured = try await store.logs(of: run.id, task: "measure", attempt: nil).map(\.text)
            #expect(measured == ["measuring"])
            let reported = try await store.logs(of: run.id, task: "report", attempt: nil).map(\.text)
            #expect(reported == ["$KILN_TASK_ID"], "argv is not expanded by a shell")
        }
    }

    @Test("a task's timeout kills its whole process group and fails the task")
    func timeoutKillsTheProcessGroup() async throws {
        try await withTemporaryDirectory { directory in
            let script = "sh -c 'sleep 100 & echo $! > grandchild.pid; wait' & wait"
            let pipeline = Pipeline(name: "slow", tasks: [
                TaskSpec(id: "hang", action: .shell(script), timeout: .seconds(1))
            ])
            let store = InMemoryStateStore()
            let clock = ContinuousClock()
            let start = clock.now
            let run = try await PipelineExecutor(store: store, kinds: .builtIn).run(Plan(pipeline), baseDirectory: directory)
            let elapsed = start.duration(to: clock.now)

            #expect(run.state == .failed)
            let task = try #require(try await store.tasks(of: run.id).first)
            #expect(task.error?.hasPrefix("timed out after") == true, "\(task.error ?? "no error")")
            // Far below the 100 s the grandchild would sleep: the run did not wait for it (no tight timing bound).
            #expect(elapsed < .seconds(60), "took \(elapsed)")
            let pidText = try String(contentsOfFile: directory + "/grandchild.pid", encoding: .utf8)
            let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(await eventually(within: .seconds(15)) { processHasEnded(pid) })
        }
    }
}
