import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Testing

@Suite("CommandTaskKind cancellation")
struct CommandTaskKindCancellationTests {
    /// Starts `script` (which prints `ready` once `grandchild.pid` is written), cancels the run, and returns the
    /// grandchild's pid, how the run ended and how long cancelling took.
    private func cancelWhenReady(_ script: String, kind: CommandTaskKind, in directory: String) async throws
        -> (grandchild: pid_t, result: Result<[String: JSONValue], any Error>, elapsed: Duration)
    {
        let recorder = LogRecorder()
        let context = makeContext(.shell(script), workingDirectory: directory, recorder: recorder)
        let run = Task { try await kind.run(context) }
        let ready = await eventually { recorder.lines(.stdout).contains("ready") }
        try #require(ready, "the script never became ready: \(recorder.all)")
        let pidText = try String(contentsOfFile: directory + "/grandchild.pid", encoding: .utf8)
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!processHasEnded(pid))

        let clock = ContinuousClock()
        let start = clock.now
        run.cancel()
        let result = await run.result
        return (pid, result, start.duration(to: clock.now))
    }

    @Test("cancelling kills the whole process group, grandchildren included, and throws CancellationError")
    func cancellationKillsGroup() async throws {
        try await withTemporaryDirectory { directory in
            let script = "sh -c 'sleep 100 & echo $! > grandchild.pid; echo ready; wait' & sleep 100 & wait"
            // A long grace period: ending well before it proves SIGTERM (not the SIGKILL fallback) stopped them.
            let kind = CommandTaskKind(terminationGrace: .seconds(30))
            let (pid, result, elapsed) = try await cancelWhenReady(script, kind: kind, in: directory)
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(elapsed < .seconds(20), "SIGTERM should end these processes, took \(elapsed)")
            #expect(await eventually(within: .seconds(15)) { processHasEnded(pid) })
        }
    }

    @Test("a grandchild that ignores SIGTERM is killed after the grace period")
    func stubbornGrandchildIsKilled() async throws {
        try await withTemporaryDirectory { directory in
            let script = "sh -c 'trap \"\" TERM; sleep 100 & echo $! > grandchild.pid; echo ready; wait' & wait"
            let kind = CommandTaskKind(terminationGrace: .milliseconds(300))
            let (pid, result, elapsed) = try await cancelWhenReady(script, kind: kind, in: directory)
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(elapsed >= .milliseconds(300), "the grace period should be honoured, took \(elapsed)")
            #expect(elapsed < .seconds(30), "far below the 100 s sleep: the group was killed, took \(elapsed)")
            #expect(await eventually(within: .seconds(15)) { processHasEnded(pid) })
        }
    }

    @Test("a command that ignores SIGTERM itself is killed after the grace period")
    func stubbornLeaderIsKilled() async throws {
        try await withTemporaryDirectory { directory in
            let script = "trap '' TERM; sleep 100 & echo $! > grandchild.pid; echo ready; wait"
            let kind = CommandTaskKind(terminationGrace: .milliseconds(300))
            let (pid, result, elapsed) = try await cancelWhenReady(script, kind: kind, in: directory)
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(elapsed < .seconds(30), "far below the 100 s sleep: the group was killed, took \(elapsed)")
            #expect(await eventually(within: .seconds(15)) { processHasEnded(pid) })
        }
    }

    @Test("a task cancelled before it starts runs nothing")
    func cancelledBeforeStart() async throws {
        try await withTemporaryDirectory { directory in
            let context = makeContext(.shell("touch started"), workingDirectory: directory)
            let run = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await CommandTaskKind().run(context)
            }
            await #expect(throws: CancellationError.self) { try await run.value }
            #expect(!FileManager.default.fileExists(atPath: directory + "/started"))
        }
    }
}
