import Foundation
import ModelRegistry
import PipelineModel
import PipelineStoreSQLite
import Testing

@Suite("kiln serve, trigger, triggers and metrics", .serialized)
struct TriggerCommandTests {
    static let start = Timestamp(iso8601: "2026-11-01T00:00:00Z")!

    /// Registers version 1 of `model` in the CLI's home and promotes it to production.
    func seedModel(_ cli: CLI, _ model: String) async throws {
        try FileManager.default.createDirectory(at: cli.home, withIntermediateDirectories: true)
        let registry = try SQLiteRegistryStore(path: SQLiteStateStore.defaultPath(home: cli.home.path))
        let new = NewVersion(model: model, artifact: "sha256:00", dataFingerprint: "sha256:00", runID: "seed", pipeline: "seed", task: "register")
        try await registry.register(new, idempotencyKey: "seed/\(model)", at: Self.start)
        try await registry.moveAlias(model: model, alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: Self.start)
    }

    func runs(_ cli: CLI) async throws -> [[String: Any]] {
        let result = try await cli.run(["runs", "--json"])
        return (try? result.json() as? [[String: Any]]) ?? []
    }

    /// The run document of the newest run (`kiln show ID --json`).
    func newest(_ cli: CLI) async throws -> [String: Any] {
        let id = try await #require(try await runs(cli).first?["id"] as? String)
        return try #require(try await cli.run(["show", id, "--json"]).json() as? [String: Any])
    }

    @Test("kiln serve starts a run when a pushed metric drops below the threshold, and exits 0 on SIGTERM")
    func serveSmoke() async throws {
        let cli = try CLI()
        try await seedModel(cli, "fraud")
        let path = try cli.write("watch.yaml", """
            name: watch
            triggers:
              performance: { model: fraud, metric: f1, below: 0.8, window: 1h }
            tasks:
              retrain: { uses: noop }
            """)
        let err = Pipe()
        let serve = try cli.start(["serve", path, "--tick", "200ms", "--grace", "5s"], stderr: err)
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        let push = try await cli.run(["metrics", "push", "fraud", "f1=0.71"])
        #expect(push.status == 0, "stderr: \(push.stderr)")
        #expect(push.stdout.hasPrefix("recorded f1=0.71 for fraud v1 at "))

        let finished = try await CLI.waitUntil(seconds: 60) { try await runs(cli).first?["state"] as? String == "succeeded" }
        #expect(finished)
        let run = try await newest(cli)
        let trigger = try #require(run["trigger"] as? [String: Any])
        #expect(trigger["type"] as? String == "performance")
        #expect(trigger["evidence"] as? String == "f1 0.71 < 0.80 (1 sample, last 1h)")
        #expect((run["idempotency_key"] as? String)?.hasPrefix("watch/performance@") == true)
        let shown = try await cli.run(["show", try #require(run["id"] as? String)])
        #expect(shown.stdout.contains("trigger"))

        kill(serve.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 30) { !serve.isRunning })
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        await #expect(try await runs(cli).count == 1)
    }

    @Test("kiln trigger runs now with a manual trigger and its reason")
    func manualTrigger() async throws {
        let cli = try CLI()
        let path = try cli.write("p.yaml", "name: p\ntasks:\n  a: {uses: noop}\n")
        let result = try await cli.run(["trigger", path, "--reason", "new labels arrived"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let trigger = try await #require(try await newest(cli)["trigger"] as? [String: Any])
        #expect(trigger["type"] as? String == "manual")
        #expect(trigger["reason"] as? String == "new labels arrived")
        #expect(trigger["evidence"] as? String == "manual: new labels arrived")
    }

    @Test("kiln triggers --json evaluates every rule without starting anything")
    func evaluateJSON() async throws {
        let cli = try CLI()
        try FileManager.default.createDirectory(at: cli.scratch.appendingPathComponent("data"), withIntermediateDirectories: true)
        try cli.write("data/a.csv", "x,y\n1,2\n3,4\n5,6\n")
        let path = try cli.write("p.yaml", """
            name: p
            triggers:
              every: 6h
              data: { path: data/, new_rows: 2 }
            tasks:
              a: {uses: noop}
            """)
        let result = try await cli.run(["triggers", path, "--json", "--at", "2026-11-29T01:00:00Z"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let list = try #require(try result.json() as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list[0]["pipeline"] as? String == "p")
        #expect(list[0]["fires"] as? Bool == true)
        let rules = try #require(list[0]["rules"] as? [[String: Any]])
        #expect(rules.map { $0["type"] as? String } == ["schedule", "data"])
        #expect(rules[0]["evidence"] as? String == "schedule: next at 2026-11-29T06:00+00:00")
        #expect(rules[1]["evidence"] as? String == "data: 3 new rows ≥ 2")
        await #expect(try await runs(cli).isEmpty)

        // A run started by hand records the row count: only rows arriving after it count.
        #expect(try await cli.run(["trigger", path]).status == 0)
        try cli.write("data/b.csv", "x,y\n7,8\n")
        let after = try #require(try await cli.run(["triggers", path, "--json"]).json() as? [[String: Any]])
        let data = try #require((after[0]["rules"] as? [[String: Any]])?.last)
        #expect(data["evidence"] as? String == "data: 1 new row < 2")
    }

    @Test("kiln triggers backtest counts the runs a schedule and cooldown would have started")
    func backtest() async throws {
        let cli = try CLI()
        let path = try cli.write("p.yaml", "name: p\ntriggers:\n  schedule: \"0 */6 * * *\"\n  cooldown: 7h\ntasks:\n  a: {uses: noop}\n")
        let result = try await cli.run(["triggers", "backtest", path, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try #require(try result.json() as? [String: Any])
        #expect(document["count"] as? Int == 3)  // 00:00, 12:00 and 00:00 the next day; 06:00 and 18:00 fall in the cooldown
        let text = try await cli.run(["triggers", "backtest", path, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z"])
        #expect(text.stdout.hasPrefix("p: 3 runs from 2026-11-01T00:00:00.000Z to 2026-11-02T00:00:00.000Z"))
    }

    @Test("invalid triggers, upstream cycles and unknown models are errors with exit code 2")
    func errors() async throws {
        let cli = try CLI()
        let bad = try cli.write("bad.yaml", "name: bad\ntriggers:\n  schedule: \"0 2 * *\"\ntasks:\n  a: {uses: noop}\n")
        let validate = try await cli.run(["validate", bad])
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("bad.yaml:3:13: error: schedule: invalid cron expression"))

        try FileManager.default.createDirectory(at: cli.scratch.appendingPathComponent("cycle"), withIntermediateDirectories: true)
        try cli.write("cycle/a.yaml", "name: a\ntriggers: {upstream: [b]}\ntasks:\n  t: {uses: noop}\n")
        try cli.write("cycle/b.yaml", "name: b\ntriggers: {upstream: [a]}\ntasks:\n  t: {uses: noop}\n")
        let cycle = try await cli.run(["triggers", cli.scratch.appendingPathComponent("cycle").path])
        #expect(cycle.status == 2)
        #expect(cycle.stderr.contains("upstream trigger cycle between pipelines: a → b → a"))

        let push = try await cli.run(["metrics", "push", "nobody", "f1=0.5"])
        #expect(push.status == 2)
        #expect(push.stderr.contains("no model 'nobody'"))
    }

    @Test("kiln serve reports a file that became invalid, keeps its last good version, and picks up the fix")
    func serveReload() async throws {
        let cli = try CLI()
        let good = "name: reload\ntriggers: {every: 1h}\ntasks:\n  a: {uses: noop}\n"
        let path = try cli.write("reload.yaml", good)
        let log = cli.scratch.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", path, "--tick", "100ms"]
        process.currentDirectoryURL = cli.scratch
        var environment = ProcessInfo.processInfo.environment
        environment["KILN_HOME"] = cli.home.path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        #expect(await CLI.waitUntil(seconds: 30) { logText().contains("watching 1 pipeline") })

        // A different size and a later modification time, so the change is seen even within one second.
        try "name: reload\ntriggers: {every: 1 hour}\ntasks:\n  a: {uses: noop}\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(await CLI.waitUntil(seconds: 30) { logText().contains("keeping the last good version") })
        #expect(logText().contains("reload.yaml:2:19: error: every: invalid duration '1 hour'"))

        try good.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path)
        #expect(await CLI.waitUntil(seconds: 30) { logText().contains("reload.yaml: reloaded") })

        kill(process.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 30) { !process.isRunning })
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
