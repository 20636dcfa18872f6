import Foundation
import Testing

/// `kiln predict` and `kiln drift --model` on the built binary, with a model trained and registered by `kiln run`.
@Suite("kiln predict", .serialized) struct PredictCommandTests {
    /// 240 labelled rows: `amount` (higher → fraud), `channel` (text); `shift` raises every amount.
    static func rows(shift: Double = 0, label: Bool = true) -> String {
        var lines = [label ? "amount,channel,is_fraud" : "amount,channel"]
        for i in 0..<240 {
            let amount = Double(i % 60) + shift
            let fraud = (i % 60) > 40 || i % 17 == 0 ? 1 : 0
            lines.append("\(amount),\(["web", "shop"][i % 2])" + (label ? ",\(fraud)" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A home with `fraud` v1 registered (its test split's scores kept) and promoted.
    static func trained() async throws -> CLI {
        let cli = try CLI()
        try cli.write("train.csv", rows())
        let pipeline = try cli.write("pipeline.yaml", """
            name: fraud
            tasks:
              split:
                uses: split
                with: { data: train.csv, label: is_fraud, test_size: 0.25, seed: 1 }
              train:
                needs: [split]
                uses: train
                with: { data: "${{ tasks.split.outputs.train }}", label: is_fraud, algorithm: logistic }
              register:
                needs: [train]
                uses: register-model
                with:
                  name: fraud
                  model: "${{ tasks.train.outputs.model }}"
                  metrics: { threshold: 0.4 }
                  reference_data: "${{ tasks.split.outputs.test }}"
            """)
        let run = try await cli.run(["run", pipeline])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let promote = try await cli.run(["models", "promote", "fraud", "1"])
        #expect(promote.status == 0, "stderr: \(promote.stderr)")
        return cli
    }

    @Test("scores a CSV with the production version: atomic output file, JSON, stdout CSV, schema errors")
    func predict() async throws {
        let cli = try await Self.trained()
        let input = try cli.write("new.csv", Self.rows(label: false))
        let output = cli.scratch.appendingPathComponent("out/scored.csv").path
        try FileManager.default.createDirectory(atPath: cli.scratch.appendingPathComponent("out").path, withIntermediateDirectories: true)

        let written = try await cli.run(["predict", "fraud@production", input, "--output", output])
        #expect(written.status == 0, "stderr: \(written.stderr)")
        #expect(written.stdout.hasPrefix("scored 240 rows with fraud@1 (threshold 0.4); "), "\(written.stdout)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "amount,channel,score,prediction")
        #expect(lines.count == 241)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.scratch.appendingPathComponent("out").path)
        #expect(leftovers == ["scored.csv"])

        let json = try await cli.run(["predict", "fraud@1", input, "--json", "--threshold", "0.5"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let document = try #require(try json.json() as? [String: Any])
        #expect(document["model_version"] as? String == "fraud@1")
        #expect(document["rows"] as? Int == 240)
        let scores = try #require(document["scores"] as? [Double])
        let predictions = try #require(document["predictions"] as? [Int])
        #expect(scores.count == 240 && scores.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(zip(scores, predictions).allSatisfy { ($0 >= 0.5) == ($1 == 1) })
        #expect(scores[59] > scores[0], "a larger amount scores higher")

        let csv = try await cli.run(["predict", "fraud@production", input])
        #expect(csv.status == 0 && csv.stdout.hasPrefix("amount,channel,score,prediction\n"), "stderr: \(csv.stderr)")

        let thin = try cli.write("thin.csv", "channel\nweb\n")
        let missing = try await cli.run(["predict", "fraud@production", thin, "--output", cli.scratch.appendingPathComponent("never.csv").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'amount'"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.scratch.appendingPathComponent("never.csv").path))

        // Samples of the production version (pushed here; a performance rule on labelled data records them too).
        #expect(try await cli.run(["metrics", "push", "fraud", "threshold=0.41"]).status == 0)
        #expect(try await cli.run(["metrics", "push", "fraud", "threshold=0.45"]).status == 0)
        let shown = try await cli.run(["models", "show", "fraud"])
        #expect(shown.stdout.contains("production metric samples (v1)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("threshold  2        0.45"), "\(shown.stdout)")
        #expect(shown.stdout.contains("▁█"), "\(shown.stdout)")

        let unknown = try await cli.run(["predict", "fraud@staging", input])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
    }

    @Test("drift --model compares scores on new data with the version's reference scores")
    func driftAgainstModel() async throws {
        let cli = try await Self.trained()
        let shifted = try cli.write("shifted.csv", Self.rows(shift: 40))
        let result = try await cli.run(["drift", "--model", "fraud", shifted, "--on", "predictions", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try #require(try result.json() as? [String: Any])
        #expect(document["drift"] as? Bool == true)
        let evidence = try #require(document["evidence"] as? String)
        #expect(evidence.hasPrefix("predictions of fraud@1 drifted: score ks p "), "\(evidence)")
        #expect(evidence.contains(", label chisquare p "), "\(evidence)")

        let same = try await cli.run(["drift", "--model", "fraud", cli.scratch.appendingPathComponent("train.csv").path, "--on", "predictions"])
        #expect(same.status == 0, "stderr: \(same.stderr)")
        #expect(same.stdout.contains("drift: no"), "\(same.stdout)")

        let bad = try await cli.run(["drift", "--model", "fraud", shifted, "--on", "outputs"])
        #expect(bad.status == 2)
    }
}
