import Foundation
import Testing

/// `kiln reproduce`, run as a user would: the fraud-detection example on a sample of its data.
@Suite("kiln reproduce", .serialized) struct ReproduceCommandTests {
    /// The fraud-detection example in the CLI's scratch folder, with the first `rows` transactions of its data.
    static func fraudExample(_ cli: CLI, rows: Int = 4000) throws -> (pipeline: String, data: String) {
        let example = CLI.root.appendingPathComponent("examples/fraud-detection")
        let config = cli.scratch.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: example.appendingPathComponent("config/gbdt.json"), to: config.appendingPathComponent("gbdt.json"))
        let full = try String(contentsOf: example.appendingPathComponent("data/transactions.csv"), encoding: .utf8)
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
        try FileManager.default.createDirectory(
            at: cli.scratch.appendingPathComponent("data"), withIntermediateDirectories: true)
        let data = try cli.write("data/transactions.csv", lines.prefix(rows + 1).joined(separator: "\n") + "\n")
        let pipeline = try String(contentsOf: example.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
        return (try cli.write("pipeline.yaml", pipeline), data)
    }

    @Test("the fraud example's version reproduces identically; a changed row is named; --use-recorded-inputs restores it")
    func fraudExample() async throws {
        let cli = try CLI()
        let (pipeline, data) = try Self.fraudExample(cli)
        let run = try await cli.run(["run", pipeline, "--param", "min_f1=0", "--param", "gate_f1=0"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")

        let show = try await cli.run(["models", "show", "fraud-detection"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("REPRODUCIBLE"))
        #expect(!show.stdout.contains("not reproducible"), "\(show.stdout)")
        let document = try #require(try await cli.run(["models", "show", "fraud-detection", "--json"]).json() as? [String: Any])
        let version = try #require((document["versions"] as? [[String: Any]])?.first)
        #expect(version["reproducible"] as? Bool == true)

        let same = try await cli.run(["reproduce", "fraud-detection@1"])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.hasPrefix("fraud-detection@1: identical"), "\(same.stdout)")
        #expect(same.stdout.contains("train: identical"))
        #expect(same.stdout.contains("not re-run (the registration and what follows it): register, deploy, alert"))

        // One row of the source changes: row 17 (the file's line 18) gets another amount.
        var lines = try String(contentsOfFile: data, encoding: .utf8).components(separatedBy: "\n")
        var fields = lines[17].components(separatedBy: ",")
        fields[1] = "9999.99"
        lines[17] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)

        let changed = try await cli.run(["reproduce", "fraud-detection@production"])
        #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains("input file data/transactions.csv of task extract changed since the run"), "\(changed.stdout)")
        #expect(changed.stdout.contains("rows: 4000 then, 4000 now; 1 row differs: row 17 (row 17: amount:"), "\(changed.stdout)")
        let affected = changed.stdout.components(separatedBy: "\n").first { $0.contains("affected downstream: ") } ?? ""
        for task in ["validate", "amount-features", "behaviour-features", "time-features", "merge", "split", "train"] {
            #expect(affected.contains(task), "\(task) not in: \(affected)")
        }
        #expect(changed.stdout.contains("--use-recorded-inputs"))
        let json = try #require(try await cli.run(["reproduce", "fraud-detection@1", "--json"]).json() as? [String: Any])
        #expect(json["identical"] as? Bool == false)
        let divergence = try #require(json["divergence"] as? [String: Any])
        #expect(divergence["kind"] as? String == "input_changed")
        #expect(divergence["file"] as? String == "data/transactions.csv")
        #expect((divergence["rows"] as? [String: Any])?["rows"] as? [Int] == [17])

        let recorded = try await cli.run(["reproduce", "fraud-detection@1", "--use-recorded-inputs"])
        #expect(recorded.status == 0, "\(recorded.stdout)\(recorded.stderr)")
        #expect(recorded.stdout.hasPrefix("fraud-detection@1: identical"), "\(recorded.stdout)")
        #expect(recorded.stdout.contains("extract: substituted"))

        // Nothing of the sandbox reached the real home: still one version, production on it.
        let after = try #require(try await cli.run(["models", "show", "fraud-detection", "--json"]).json() as? [String: Any])
        #expect((after["versions"] as? [[String: Any]])?.count == 1)
    }

    @Test("a command task with no declared inputs is named as the reason; models show says it is not reproducible")
    func undeclaredCommand() async throws {
        let cli = try CLI()
        var csv = "x,y\n"
        for row in 0..<60 { csv += "\(Double(row) / 10),\(row % 3 == 0 ? 1 : 0)\n" }
        try cli.write("data.csv", csv)
        try cli.write("limit.txt", "3\n")
        let pipeline = try cli.write("pipeline.yaml", """
            name: undeclared
            tasks:
              limit:
                shell: 'printf "{\\"limit\\": %s}" "$(cat limit.txt)" > "$KILN_OUTPUTS"'
              extract:
                uses: extract-csv
                with: { path: data.csv }
              train:
                needs: [extract, limit]
                uses: train
                with: { data: "${{ tasks.extract.outputs.data }}", label: y, algorithm: logistic }
              register:
                needs: [train]
                uses: register-model
                with:
                  name: undeclared
                  model: "${{ tasks.train.outputs.model }}"
                  metrics: { limit: "${{ tasks.limit.outputs.limit }}" }
            """)
        let run = try await cli.run(["run", pipeline])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let show = try await cli.run(["models", "show", "undeclared"])
        #expect(show.stdout.contains("v1: task limit is a command with no declared inputs"), "\(show.stdout)")

        #expect(try await cli.run(["reproduce", "undeclared@1"]).status == 0)
        try cli.write("limit.txt", "4\n")
        let changed = try await cli.run(["reproduce", "undeclared@1"])
        #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains(
            "undeclared@1: not reproduced — task limit is a command with no declared inputs, not reproducible by nature"),
            "\(changed.stdout)")
        #expect(changed.stdout.contains("outputs that differ: limit"))
    }

    @Test("an alias the run resolved (recommendation@production) resolves as it did then, though it moved since")
    func aliasesAsWhenTheRunStarted() async throws {
        let cli = try CLI()
        let folder = CLI.root.appendingPathComponent("examples/multi-model").path
        #expect(try await cli.run(["run", "\(folder)/recommendation.yaml"]).status == 0)
        #expect(try await cli.run(["run", "\(folder)/ranking.yaml"]).status == 0)
        #expect(try await cli.run(["run", "\(folder)/recommendation.yaml"]).status == 0)
        #expect(try await cli.run(["models", "promote", "recommendation", "2"]).status == 0)
        let report = try await cli.run(["reproduce", "ranking@1"])
        #expect(report.status == 0, "\(report.stdout)\(report.stderr)")
        #expect(report.stdout.contains(
            "registry: recommendation@production resolves to version 1 as when the run started (it points at version 2 now)"),
            "\(report.stdout)")
        let models = try #require(try await cli.run(["models", "show", "recommendation", "--json"]).json() as? [String: Any])
        #expect((models["aliases"] as? [String: Any])?["production"] as? Int == 2)
    }

    @Test("a reference that names no version is a usage error (exit 2) saying how to fix it")
    func usageErrors() async throws {
        let cli = try CLI()
        let missingAt = try await cli.run(["reproduce", "fraud"])
        #expect(missingAt.status == 2)
        #expect(missingAt.stderr.contains("'fraud' does not name a version: use MODEL@VERSION or MODEL@ALIAS"), "\(missingAt.stderr)")
        let unknown = try await cli.run(["reproduce", "nope@1"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("nope"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
        #expect(try await cli.run(["reproduce", "Bad Name@1"]).status == 2)
    }
}
