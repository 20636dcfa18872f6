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

    @Test("values from params and upstream outputs reach a shell: script as data: printed, never run")
    func noShellInjection() async throws {
        try await withTemporaryDirectory { directory in
            let hostile = #"$(touch PWNED) `touch PWNED2`; touch PWNED3 "quoted" 'single'"#
            let pipeline = Pipeline(name: "inject", params: ["who": .string(hostile)], tasks: [
                TaskSpec(id: "source", action: .shell(#"printf '{"columns": ["id", "$(touch PWNED4)"]}' > "$KILN_OUTPUTS""#)),
                TaskSpec(id: "greet", needs: ["source"], action: .shell(
                    #"echo "hello ${{ params.who }}"; echo ${{ tasks.source.outputs.columns }}; echo 'in single ${{ params.who }}'"#)),
            ])
            let store = InMemoryStateStore()
            let run = try await PipelineExecutor(store: store, kinds: .builtIn).run(Plan(pipeline), baseDirectory: directory)

            #expect(run.state == .succeeded)
            let printed = try await store.logs(of: run.id, task: "greet", attempt: nil).map(\.text)
            #expect(printed == [
                "hello \(hostile)", #"["id","$(touch PWNED4)"]"#, "in single \(hostile)",
            ])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("PWNED") }.isEmpty)
        }
    }

    @Test("task processes do not inherit the environment variables that notify: rules read as secrets")
    func notifySecretsAreWithheld() async throws {
        try await withTemporaryDirectory { directory in
            let name = "KILN_TEST_SECRET_\(UUID().uuidString.prefix(8))"
            setenv(name, "s3cr3t", 1)
            defer { unsetenv(name) }
            let pipeline = Pipeline(
                name: "secrets",
                tasks: [
                    TaskSpec(id: "peek", action: .shell("echo \"secret=${\(name):-unset} home=${HOME:+set}\"")),
                    TaskSpec(id: "passed", action: .shell("echo \"passed=${\(name):-unset}\""), env: [name: "explicit"]),
                ],
                notify: [NotificationRule(on: [.failure], destination: .slack(webhook: "${{ env.\(name) }}"))])
            let store = InMemoryStateStore()
            let run = try await PipelineExecutor(store: store, kinds: .builtIn).run(Plan(pipeline), baseDirectory: directory)

            #expect(run.state == .succeeded)
            #expect(try await store.logs(of: run.id, task: "peek", attempt: nil).map(\.text) == ["secret=unset home=set"])
            #expect(try await store.logs(of: run.id, task: "passed", attempt: nil).map(\.text) == ["passed=explicit"])
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
