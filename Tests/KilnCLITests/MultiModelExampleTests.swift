import Foundation
import Testing

@Suite("multi-model example", .serialized) struct MultiModelExampleTests {
    /// The `upstream` rule of the ranking pipeline as `kiln triggers examples/multi-model --json` reports it.
    func rankingUpstreamRule(_ cli: CLI, _ folder: String) async throws -> [String: Any] {
        let result = try await cli.run(["triggers", folder, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let list = try #require(try result.json() as? [[String: Any]])
        #expect(Set(list.compactMap { $0["pipeline"] as? String }) == ["recommendation", "ranking", "fraud"])
        let ranking = try #require(list.first { $0["pipeline"] as? String == "ranking" })
        let rules = try #require(ranking["rules"] as? [[String: Any]])
        return try #require(rules.first { $0["type"] as? String == "upstream" })
    }

    @Test("ranking scores with recommendation@production, records it as upstream, and retrains when a new one is promoted")
    func recommendationFeedsRanking() async throws {
        let cli = try CLI()
        let folder = CLI.root.appendingPathComponent("examples/multi-model").path
        let recommendation = "\(folder)/recommendation.yaml"
        let first = try await cli.run(["run", recommendation])
        #expect(first.status == 0, "stderr: \(first.stderr)")

        let ranking = try await cli.run(["run", "\(folder)/ranking.yaml", "--json"])
        #expect(ranking.status == 0, "stderr: \(ranking.stderr)")
        let tasks = try #require((try ranking.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect((tasks["score"]?["outputs"] as? [String: Any])?["model_version"] as? String == "recommendation@1")
        #expect((tasks["deploy"]?["outputs"] as? [String: Any])?["deployed"] as? Bool == true)

        let model = try #require(try await cli.run(["models", "show", "ranking", "--json"]).json() as? [String: Any])
        let version = try #require((model["versions"] as? [[String: Any]])?.first)
        let upstream = try #require(version["upstream"] as? [[String: Any]])
        #expect(upstream.map { "\($0["name"] as? String ?? "?")@\($0["version"] as? Int ?? 0)" } == ["recommendation@1"])

        // Right after ranking ran, recommendation v1 is not news; promoting v2 is.
        await #expect(try await rankingUpstreamRule(cli, folder)["fires"] as? Bool == false)
        let second = try await cli.run(["run", recommendation])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let rule = try await rankingUpstreamRule(cli, folder)
        #expect(rule["fires"] as? Bool == true)
        #expect((rule["evidence"] as? String)?.contains("recommendation v2 promoted") == true, "\(rule)")
    }

    @Test("a drift: rule on the fraud model compares its training data with current data: same data does not fire, shifted does")
    func fraudDrift() async throws {
        let cli = try CLI()
        let folder = CLI.root.appendingPathComponent("examples/multi-model").path
        let run = try await cli.run(["run", "\(folder)/fraud.yaml"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        try FileManager.default.createDirectory(at: cli.scratch.appendingPathComponent("incoming"), withIntermediateDirectories: true)
        let rows = try String(contentsOfFile: "\(folder)/data/transactions.csv", encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
        try cli.write("incoming/today.csv", rows.joined(separator: "\n") + "\n")
        let path = try cli.write("watch.yaml", """
            name: watch
            triggers:
              drift: { model: fraud, current: incoming/, method: auto, share: 0.5 }
            tasks:
              retrain: { uses: noop }
            """)
        func driftRule() async throws -> [String: Any] {
            let result = try await cli.run(["triggers", path, "--json"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let list = try #require(try result.json() as? [[String: Any]])
            return try #require((list.first?["rules"] as? [[String: Any]])?.first { $0["type"] as? String == "drift" })
        }
        let same = try await driftRule()
        #expect(same["fires"] as? Bool == false)
        #expect((same["evidence"] as? String)?.hasPrefix("drift: 0/4 columns drifted (share 0 < 0.5)") == true, "\(same)")

        // amount ×10 and distance ×5 move; hour +12 mod 24 (uniform) and tx_count_24h do not.
        var shifted = [rows[0]]
        for row in rows.dropFirst() where !row.isEmpty {
            let f = row.split(separator: ",").map(String.init)
            shifted.append([f[0], "\(Double(f[1])! * 10)", "\((Int(f[2])! + 12) % 24)", "\(Double(f[3])! * 5)", f[4], f[5]]
                .joined(separator: ","))
        }
        try cli.write("incoming/today.csv", shifted.joined(separator: "\n") + "\n")
        let drifted = try await driftRule()
        #expect(drifted["fires"] as? Bool == true)
        #expect((drifted["evidence"] as? String)?.hasPrefix("drift: 2/4 columns drifted (share 0.5 ≥ 0.5): amount wasserstein ") == true, "\(drifted)")
    }
}
