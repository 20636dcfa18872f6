import Foundation
import Testing

@Suite("multi-model example", .serialized) struct MultiModelExampleTests {
    /// The `upstream` rule of the ranking pipeline as `kiln triggers examples/multi-model --json` reports it.
    func rankingUpstreamRule(_ cli: CLI, _ folder: String) throws -> [String: Any] {
        let result = try cli.run(["triggers", folder, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let list = try #require(try result.json() as? [[String: Any]])
        #expect(Set(list.compactMap { $0["pipeline"] as? String }) == ["recommendation", "ranking", "fraud"])
        let ranking = try #require(list.first { $0["pipeline"] as? String == "ranking" })
        let rules = try #require(ranking["rules"] as? [[String: Any]])
        return try #require(rules.first { $0["type"] as? String == "upstream" })
    }

    @Test("ranking scores with recommendation@production, records it as upstream, and retrains when a new one is promoted")
    func recommendationFeedsRanking() throws {
        let cli = try CLI()
        let folder = CLI.root.appendingPathComponent("examples/multi-model").path
        let recommendation = "\(folder)/recommendation.yaml"
        let first = try cli.run(["run", recommendation])
        #expect(first.status == 0, "stderr: \(first.stderr)")

        let ranking = try cli.run(["run", "\(folder)/ranking.yaml", "--json"])
        #expect(ranking.status == 0, "stderr: \(ranking.stderr)")
        let tasks = try #require((try ranking.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect((tasks["score"]?["outputs"] as? [String: Any])?["model_version"] as? String == "recommendation@1")
        #expect((tasks["deploy"]?["outputs"] as? [String: Any])?["deployed"] as? Bool == true)

        let model = try #require(try cli.run(["models", "show", "ranking", "--json"]).json() as? [String: Any])
        let version = try #require((model["versions"] as? [[String: Any]])?.first)
        let upstream = try #require(version["upstream"] as? [[String: Any]])
        #expect(upstream.map { "\($0["name"] as? String ?? "?")@\($0["version"] as? Int ?? 0)" } == ["recommendation@1"])

        // Right after ranking ran, recommendation v1 is not news; promoting v2 is.
        #expect(try rankingUpstreamRule(cli, folder)["fires"] as? Bool == false)
        let second = try cli.run(["run", recommendation])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let rule = try rankingUpstreamRule(cli, folder)
        #expect(rule["fires"] as? Bool == true)
        #expect((rule["evidence"] as? String)?.contains("recommendation v2 promoted") == true, "\(rule)")
    }
}
