import Foundation
import Testing

@Suite("kiln serve on the multi-model example", .serialized) struct MultiModelServeTests {
    func runs(_ cli: CLI) async throws -> [[String: Any]] {
        (try? await cli.run(["runs", "--json"]).json() as? [[String: Any]]) ?? []
    }

    func succeeded(_ cli: CLI, pipeline: String, trigger: String) async throws -> Bool {
        for run in try await runs(cli) where run["pipeline"] as? String == pipeline && run["state"] as? String == "succeeded" {
            let id = run["id"] as? String ?? ""
            let document = try? await cli.run(["show", id, "--json"]).json() as? [String: Any]
            if (document?["trigger"] as? [String: Any])?["type"] as? String == trigger { return true }
        }
        return false
    }

    @Test("a metric pushed below threshold retrains recommendation, whose promotion then retrains ranking")
    func retrainingChain() async throws {
        let cli = try CLI()
        // The example, with a performance rule added to the recommendation pipeline.
        let folder = cli.scratch.appendingPathComponent("multi-model")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("examples/multi-model"), to: folder)
        let recommendation = folder.appendingPathComponent("recommendation.yaml")
        var text = try String(contentsOf: recommendation, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "triggers:\n", with: "triggers:\n  performance: { model: recommendation, metric: auc, below: 0.7, window: 24h }\n")
        try text.write(to: recommendation, atomically: true, encoding: .utf8)

        // Production versions to start from.
        #expect(try await cli.run(["run", recommendation.path]).status == 0)
        #expect(try await cli.run(["run", folder.appendingPathComponent("ranking.yaml").path]).status == 0)

        let err = Pipe()
        let serve = try cli.start(["serve", folder.path, "--tick", "200ms", "--grace", "10s"], stderr: err)
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        let push = try await cli.run(["metrics", "push", "recommendation", "auc=0.55"])
        #expect(push.status == 0, "stderr: \(push.stderr)")

        #expect(try await CLI.waitUntil(seconds: 120) { try await succeeded(cli, pipeline: "recommendation", trigger: "performance") })
        #expect(try await CLI.waitUntil(seconds: 120) { try await succeeded(cli, pipeline: "ranking", trigger: "upstream") })
        let ranking = try #require(try await cli.run(["models", "show", "ranking", "--json"]).json() as? [String: Any])
        let versions = try #require(ranking["versions"] as? [[String: Any]])
        #expect(versions.count >= 2)

        kill(serve.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 60) { !serve.isRunning })
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
    }
}
