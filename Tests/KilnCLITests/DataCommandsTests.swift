import Foundation
import Testing

/// `kiln data profile`, `kiln drift`, and the ML kinds through `kiln run`.
@Suite("kiln data and drift", .serialized) struct DataCommandsTests {
    /// A small CSV; `shift` moves the numeric column `x` up.
    static func sample(shift: Int) -> String {
        var lines = ["x,color,flag"]
        for i in 0..<200 { lines.append("\(i % 50 + shift),\(["red", "green", "blue"][i % 3]),\(i % 2 == 0)") }
        lines.append(",red,true")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("data profile prints rows, columns and per-column statistics, as a table or JSON")
    func profile() async throws {
        let cli = try CLI()
        let path = try cli.write("sample.csv", Self.sample(shift: 0))
        let text = try await cli.run(["data", "profile", path])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.hasPrefix("201 rows, 3 columns"))
        #expect(text.stdout.contains("color") && text.stdout.contains("distinct"))

        let json = try await cli.run(["data", "profile", path, "--json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let document = try #require(try json.json() as? [String: Any])
        #expect(document["rows"] as? Int == 201)
        let columns = try #require(document["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == ["x", "color", "flag"])
        #expect(columns[0]["type"] as? String == "int")
        #expect(columns[0]["nulls"] as? Int == 1)
        #expect(columns[0]["min"] as? String == "0" && columns[0]["max"] as? String == "49")
        #expect(columns[0]["mean"] as? Double == 24.5)
        #expect(columns[0]["distinct"] as? Int == 50)
        #expect(columns[1]["distinct"] as? Int == 3)

        let missing = try await cli.run(["data", "profile", "nope.csv"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.csv"))
    }

    @Test("drift finds no drift between equal data and drift in a shifted column")
    func drift() async throws {
        let cli = try CLI()
        let reference = try cli.write("ref.csv", Self.sample(shift: 0))
        let same = try await cli.run(["drift", reference, reference, "--json"])
        #expect(same.status == 0, "stderr: \(same.stderr)")
        let sameDocument = try #require(try same.json() as? [String: Any])
        #expect(sameDocument["dataset_drift"] as? Bool == false)
        #expect(sameDocument["drift_share"] as? Double == 0)

        let current = try cli.write("cur.csv", Self.sample(shift: 30))
        let shifted = try await cli.run(["drift", reference, current, "--json"])
        #expect(shifted.status == 0, "stderr: \(shifted.stderr)")
        let document = try #require(try shifted.json() as? [String: Any])
        let columns = try #require(document["columns"] as? [String: [String: Any]])
        #expect(columns["x"]?["drifted"] as? Bool == true)
        #expect(columns["x"]?["method"] as? String == "ks")
        #expect(columns["color"]?["drifted"] as? Bool == false)
        #expect(document["drifted_columns"] as? [String] == ["x"])

        let table = try await cli.run(["drift", reference, current, "--method", "psi", "--threshold", "0.2", "--share", "0.3"])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        #expect(table.stdout.contains("psi") && table.stdout.contains("DRIFT"))
        #expect(table.stdout.contains("dataset drift: yes"))

        let bad = try await cli.run(["drift", reference, current, "--method", "magic"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown drift method 'magic'"))
    }

    @Test("kiln run trains and evaluates the churn example with the ML kinds, storing artifacts in its home")
    func runsChurnExample() async throws {
        let cli = try CLI()
        let pipeline = CLI.root.appendingPathComponent("examples/churn/pipeline.yaml").path
        let result = try await cli.run(["run", pipeline, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let tasks = try #require((try result.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(tasks.values.allSatisfy { $0["state"] as? String == "succeeded" })
        let metrics = try #require(tasks["evaluate"]?["outputs"] as? [String: Any])
        #expect((metrics["auc"] as? Double ?? 0) > 0.7)
        #expect((tasks["drift"]?["outputs"] as? [String: Any])?["dataset_drift"] as? Bool == false)
        let model = try #require((tasks["train"]?["outputs"] as? [String: Any])?["model"] as? String)
        let hex = model.dropFirst("sha256:".count)
        let file = cli.home.appendingPathComponent("artifacts/sha256/\(hex.prefix(2))/\(hex.dropFirst(2))").path
        #expect(FileManager.default.fileExists(atPath: file))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(document["format"] as? String == "kiln-model")
        #expect(document["format_version"] as? Int == 1)
    }
}
