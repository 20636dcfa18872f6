import Foundation
import ModelRegistry
import PipelineModel
import PipelineStoreSQLite
import Testing

/// `kiln models …` on a registry seeded through the store, as a pipeline's register step would leave it.
@Suite("kiln models", .serialized) struct ModelsCommandTests {
    static let start = Timestamp(millisecondsSince1970: 1_796_004_000_000)  // 2026-11-30T02:00:00Z

    /// A CLI whose home holds model `fraud` with versions 1–3, production on 2.
    static func seeded() async throws -> CLI {
        let cli = try CLI()
        let registry = ModelRegistryService(
            store: try SQLiteRegistryStore(path: SQLiteStateStore.defaultPath(home: cli.home.path)))
        for index in 1...3 {
            try await registry.register(
                NewVersion(
                    model: "fraud", metrics: ["f1": [0.81, 0.82, 0.83][index - 1]], params: ["depth": .number(Double(index))],
                    artifact: "sha256:\(index)abc", dataFingerprint: "sha256:data\(index)", runID: "run-\(index)",
                    pipeline: "nightly", task: "register"),
                idempotencyKey: "run-\(index)/register", at: start.adding(.seconds(Int64(index))))
        }
        try await registry.promote("fraud", version: 2, reason: "first release", actor: "run run-2/deploy", at: start.adding(.seconds(10)))
        return cli
    }

    @Test("lists models with latest and production versions, as a table and as JSON")
    func list() async throws {
        let cli = try await Self.seeded()
        let table = try await cli.run(["models"])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        #expect(table.stdout.contains("MODEL"))
        #expect(table.stdout.contains("fraud"))
        let json = try await cli.run(["models", "--json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let models = try #require(try json.json() as? [[String: Any]])
        #expect(models.count == 1)
        #expect(models.first?["name"] as? String == "fraud")
        #expect(models.first?["latest_version"] as? Int == 3)
        #expect(models.first?["production_version"] as? Int == 2)
        #expect(models.first?["version_count"] as? Int == 3)

        let empty = try await CLI().run(["models"])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("no models registered yet"))
    }

    @Test("show --json prints versions with lineage, aliases and the alias history")
    func show() async throws {
        let cli = try await Self.seeded()
        let result = try await cli.run(["models", "show", "fraud", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try #require(try result.json() as? [String: Any])
        #expect(document["name"] as? String == "fraud")
        let versions = try #require(document["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? Int } == [1, 2, 3])
        #expect(versions[1]["run"] as? String == "run-2")
        #expect(versions[1]["data_fingerprint"] as? String == "sha256:data2")
        #expect(versions[1]["created_at"] as? String == "2026-11-30T02:00:02.000Z")
        #expect((versions[1]["metrics"] as? [String: Double])?["f1"] == 0.82)
        #expect(document["aliases"] as? [String: Int] == ["production": 2])
        let history = try #require(document["alias_history"] as? [[String: Any]])
        #expect(history.count == 1)
        #expect(history.first?["to"] as? Int == 2)
        #expect(history.first?["from"] is NSNull)
        #expect(history.first?["actor"] as? String == "run run-2/deploy")
        #expect(history.first?["reason"] as? String == "first release")

        let human = try await cli.run(["models", "show", "fraud"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("production → 2"))
        #expect(human.stdout.contains("alias history"))
    }

    @Test("promote and rollback move production and record the CLI as the actor")
    func promoteAndRollback() async throws {
        let cli = try await Self.seeded()
        let promote = try await cli.run(["models", "promote", "fraud", "3", "--reason", "better f1"])
        #expect(promote.status == 0, "stderr: \(promote.stderr)")
        #expect(promote.stdout.contains("fraud: production → version 3 (was version 2)"))

        let rollback = try await cli.run(["models", "rollback", "fraud", "--reason", "alerts"])
        #expect(rollback.status == 0, "stderr: \(rollback.stderr)")
        #expect(rollback.stdout.contains("fraud: production → version 2 (was version 3)"))

        let staging = try await cli.run(["models", "promote", "fraud", "1", "--alias", "staging", "--json"])
        #expect(staging.status == 0, "stderr: \(staging.stderr)")
        #expect((try staging.json() as? [String: Any])?["to"] as? Int == 1)

        let document = try #require(try await cli.run(["models", "show", "fraud", "--json"]).json() as? [String: Any])
        #expect(document["aliases"] as? [String: Int] == ["production": 2, "staging": 1])
        let history = try #require(document["alias_history"] as? [[String: Any]])
        #expect(history.map { $0["actor"] as? String } == ["run run-2/deploy", "cli", "cli", "cli"])
        #expect(history.map { $0["reason"] as? String } == ["first release", "better f1", "alerts", nil])
    }

    @Test("unknown models, versions and rollbacks with nothing to restore exit 2 with one error line")
    func errors() async throws {
        let cli = try await Self.seeded()
        let cases: [([String], String)] = [
            (["models", "promote", "fraud", "7"], "kiln: error: model 'fraud' has no version 7; versions 1–3 exist"),
            (["models", "show", "fraud-x"], "kiln: error: no model 'fraud-x' in the registry"),
            (["models", "rollback", "fraud", "--alias", "staging"], "kiln: error: alias 'staging' of model 'fraud' has never been moved"),
            (["models", "rollback", "fraud"], "kiln: error: alias 'production' of model 'fraud' pointed at no version before its last move"),
            (["models", "promote", "fraud", "1", "--alias", "Prod"], "kiln: error: 'Prod' is not a valid alias"),
        ]
        for (arguments, message) in cases {
            let result = try await cli.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
