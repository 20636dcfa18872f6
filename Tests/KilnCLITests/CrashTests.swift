import Foundation
import Testing

@Suite("kiln CLI crash and interrupt", .serialized) struct CrashTests {
    /// A pipeline whose `slow` task sleeps the first time and passes once `marker` exists. The sleep is far longer
    /// than any test waits: a test process starved of threads by its neighbours must still find `slow` running.
    /// The slow task writes its pid to `slow.pid` whole (written aside, then renamed), so a reader that sees the file
    /// reads the pid.
    func pipeline(_ cli: CLI) throws -> String {
        try cli.write("crash.yaml", """
            name: crash
            tasks:
              first:
                shell: echo ran >> count.txt
              slow:
                needs: [first]
                shell: if [ -f marker ]; then echo resumed; else touch marker; echo $$ > slow.tmp && mv slow.tmp slow.pid; sleep 600; fi
              last:
                needs: [slow]
                uses: noop
            """)
    }

    func state(_ cli: CLI, _ id: String? = nil) async throws -> [String: Any]? {
        let arguments = id.map { ["show", $0, "--json"] } ?? ["runs", "--json"]
        let result = try await cli.run(arguments)
        guard result.status == 0 else { return nil }
        if id == nil { return (try result.json() as? [[String: Any]])?.first }
        return try result.json() as? [String: Any]
    }

    @Test("after kill -9 mid-run, resume finishes without rerunning what succeeded")
    func killNineThenResume() async throws {
        let cli = try CLI()
        let path = try pipeline(cli)
        let process = try cli.start(["run", path])
        let pidFile = cli.scratch.appendingPathComponent("slow.pid").path
        try #require(await CLI.waitUntil(seconds: 60) { FileManager.default.fileExists(atPath: pidFile) },
                     "the slow task never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let run = try await #require(try await state(cli))
        let id = try #require(run["id"] as? String)
        #expect(run["state"] as? String == "running")

        let resumed = try await cli.run(["resume", id, "--json"])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        let tasks = try #require((try resumed.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(tasks.values.allSatisfy { $0["state"] as? String == "succeeded" })
        let count = try String(contentsOf: cli.scratch.appendingPathComponent("count.txt"), encoding: .utf8)
        #expect(count == "ran\n")
        if let pidText = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) {
            // The killed run's command had its own session and outlived it; resume stopped it before rerunning `slow`.
            #expect(await CLI.waitUntil(seconds: 5) { kill(pid, 0) != 0 }, "the orphaned command of the killed run still runs")
            kill(-pid, SIGKILL)
        }
    }

    @Test("a second process cannot execute a live run; --takeover takes it, stops its command, and the first stops")
    func onlyOneOwner() async throws {
        let cli = try CLI()
        let path = try pipeline(cli)
        let firstErrors = Pipe()
        let first = try cli.start(["run", path], stderr: firstErrors)
        let pidFile = cli.scratch.appendingPathComponent("slow.pid").path
        try #require(await CLI.waitUntil(seconds: 60) { FileManager.default.fileExists(atPath: pidFile) },
                     "the slow task never started")
        let id = try await #require(try await state(cli)?["id"] as? String)

        let refused = try await cli.run(["resume", id])
        #expect(refused.status == 3, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("is being executed by kiln run (pid \(first.processIdentifier) on "), "\(refused.stderr)")
        #expect(refused.stderr.contains("--takeover"))

        let takeover = try await cli.run(["resume", id, "--takeover", "--json"])
        #expect(takeover.status == 0, "stderr: \(takeover.stderr)")
        first.waitUntilExit()
        let firstStderr = String(decoding: firstErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(first.terminationStatus == 3, "stderr: \(firstStderr)")
        #expect(firstStderr.contains("was taken over by kiln resume"), "\(firstStderr)")
        let tasks = try #require((try takeover.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(tasks.values.allSatisfy { $0["state"] as? String == "succeeded" })
        #expect(try String(contentsOf: cli.scratch.appendingPathComponent("count.txt"), encoding: .utf8) == "ran\n")
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(kill(pid, 0) != 0, "the first owner's command was stopped before the task ran again")
    }

    @Test("Ctrl-C cancels running tasks, kills their process group, exits 130 and leaves the run resumable")
    func interrupt() async throws {
        let cli = try CLI()
        let path = try pipeline(cli)
        let process = try cli.start(["run", path])
        let pidFile = cli.scratch.appendingPathComponent("slow.pid").path
        try #require(await CLI.waitUntil(seconds: 60) { FileManager.default.fileExists(atPath: pidFile) },
                     "the slow task never started")
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(await CLI.waitUntil(seconds: 20) { kill(pid, 0) != 0 })
        let run = try await #require(try await state(cli))
        #expect(run["state"] as? String == "cancelled")
        let id = try #require(run["id"] as? String)
        #expect(try await cli.run(["resume", id]).status == 0)
    }

    @Test("two kiln processes on one home both finish (no 'database is locked')")
    func twoProcesses() async throws {
        let cli = try CLI()
        var tasks = "name: wide\ntasks:\n"
        for index in 0..<150 { tasks += "  t\(index): { uses: noop, with: { i: \(index) } }\n" }
        let path = try cli.write("wide.yaml", tasks)
        let errors = [Pipe(), Pipe()]
        let processes = try errors.map { try cli.start(["run", path], stderr: $0) }
        var outputs: [String] = []
        for (process, pipe) in zip(processes, errors) {
            outputs.append(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            process.waitUntilExit()
        }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(outputs)")
        #expect(!outputs.joined().contains("locked"))
        let runs = try #require(try await cli.run(["runs", "--json"]).json() as? [[String: Any]])
        #expect(runs.count == 2 && runs.allSatisfy { $0["state"] as? String == "succeeded" })
    }
}
