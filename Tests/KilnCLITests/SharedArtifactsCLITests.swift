import Foundation
import PipelineTesting
import Testing

/// `--artifacts s3://…` against moto's server mode, and `kiln gc`, on the built binary.
@Suite("shared artifacts and retention", .serialized) struct SharedArtifactsCLITests {
    @Test("the fraud example stores its artifacts in S3; predict on a fresh cache reads the model back from the bucket")
    func fraudExampleOnS3() async throws {
        guard let emulator = try await S3Emulator.start() else {
            print("skipped: \(S3Emulator.skipReason)")
            return
        }
        defer { emulator.stop() }
        try await emulator.createBucket("kiln-smoke")
        let cli = try CLI()
        let pipeline = CLI.root.appendingPathComponent("examples/fraud-detection/pipeline.yaml").path
        let run = try await cli.run(["run", pipeline, "--json", "--artifacts", "s3://kiln-smoke/team"],
                                    environment: emulator.environment)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let tasks = try #require((try run.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect((tasks["deploy"]?["outputs"] as? [String: Any])?["deployed"] as? Bool == true)
        let local = cli.home.appendingPathComponent("artifacts/sha256").path
        #expect(!FileManager.default.fileExists(atPath: local), "nothing is stored in the home's artifacts folder")

        let model = try #require(
            try await cli.run(["models", "show", "fraud-detection", "--json"], environment: emulator.environment).json()
                as? [String: Any])
        #expect((model["aliases"] as? [String: Any])?["production"] as? Int == 1)

        // Another machine: no cached copy, the location from KILN_ARTIFACTS.
        try FileManager.default.removeItem(at: cli.home.appendingPathComponent("artifact-cache"))
        var environment = emulator.environment
        environment["KILN_ARTIFACTS"] = "s3://kiln-smoke/team"
        let input = CLI.root.appendingPathComponent("examples/fraud-detection/data/incoming-drifted.csv").path
        let scored = cli.scratch.appendingPathComponent("scored.csv").path
        let predict = try await cli.run(
            ["predict", "fraud-detection@production", input, "--output", scored], environment: environment)
        #expect(predict.status == 0, "stderr: \(predict.stderr)")
        #expect(predict.stdout.hasPrefix("scored 5000 rows with fraud-detection@1"), "\(predict.stdout)")

        let gc = try await cli.run(["gc", "--keep", "1ms", "--dry-run"], environment: environment)
        #expect(gc.status == 0, "stderr: \(gc.stderr)")
        #expect(gc.stdout.hasPrefix("would remove 0 runs (0 task records, 0 log lines) and 0 artifacts"), "\(gc.stdout)")
        #expect(gc.stdout.contains(" and 1 old run of registered versions"), "\(gc.stdout)")

        // The cached copy would do without the bucket: without it, the endpoint is needed.
        try FileManager.default.removeItem(at: cli.home.appendingPathComponent("artifact-cache"))
        let unreachable = try await cli.run(
            ["predict", "fraud-detection@production", input, "--s3-endpoint", "http://127.0.0.1:1"], environment: environment)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot reach the S3 endpoint http://127.0.0.1:1"), "\(unreachable.stderr)")
    }

    @Test("a bad artifact location or missing credentials stop the command with one line, exit 2")
    func badLocations() async throws {
        let cli = try CLI()
        let noCredentials = try await cli.run(
            ["models", "promote", "m", "1", "--artifacts", "s3://bucket/p"],
            environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(noCredentials.status == 2)
        #expect(noCredentials.stderr.contains("--artifacts: s3://bucket/p: no S3 credentials"), "\(noCredentials.stderr)")
        let scheme = try await cli.run(["models", "promote", "m", "1", "--artifacts", "gs://bucket"])
        #expect(scheme.status == 2 && scheme.stderr.contains("is not an artifact location"), "\(scheme.stderr)")
        let keep = try await cli.run(["gc", "--keep", "0s"])
        #expect(keep.status == 2 && keep.stderr.contains("--keep"), "\(keep.stderr)")
    }

    @Test("gc --dry-run lists an old run and its artifact and deletes nothing; gc removes them")
    func gcOnTheHome() async throws {
        let cli = try CLI()
        try cli.write("rows.csv", "id,amount\n1,2.5\n2,3.5\n")
        let pipeline = try cli.write("extract.yaml", """
            name: extract
            tasks:
              ex:
                uses: extract-csv
                with: { path: rows.csv }
            """)
        let run = try await cli.run(["run", pipeline, "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let id = try #require((try run.json() as? [String: Any])?["id"] as? String)
        try await Task.sleep(for: .milliseconds(20))

        let preview = try await cli.run(["gc", "--keep", "10ms", "--dry-run"])
        #expect(preview.status == 0, "stderr: \(preview.stderr)")
        #expect(preview.stdout.contains("would remove run \(id) (extract, succeeded"), "\(preview.stdout)")
        #expect(preview.stdout.contains("would remove artifact sha256:"), "\(preview.stdout)")
        #expect(preview.stdout.contains("would remove 1 run (1 task records, "), "\(preview.stdout)")
        #expect(try await cli.run(["show", id]).status == 0, "a dry run deletes nothing")

        let removed = try await cli.run(["gc", "--keep", "10ms"])
        #expect(removed.status == 0, "stderr: \(removed.stderr)")
        #expect(removed.stdout.hasPrefix("removed 1 run (1 task records, "), "\(removed.stdout)")
        #expect(try await cli.run(["show", id]).status == 2, "the run is gone")
        let left = try FileManager.default.subpathsOfDirectory(atPath: cli.home.appendingPathComponent("artifacts/sha256").path)
        #expect(left.allSatisfy { !$0.contains("/") }, "no artifact file is left: \(left)")
    }
}
