import Foundation
import Testing

/// `--store` / `KILN_STORE`: the CLI on a PostgreSQL store (`KILN_TEST_POSTGRES_URL`; skipped without it unless
/// `KILN_POSTGRES_TESTS=required`) and its one-line errors.
@Suite("kiln on a PostgreSQL store", .serialized)
struct PostgresStoreCLITests {
    static let environment = ProcessInfo.processInfo.environment
    static var url: String? { environment["KILN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var serverTestsEnabled: Bool { url != nil || environment["KILN_POSTGRES_TESTS"] == "required" }

    /// The test server's URL with a schema of its own.
    static func storeURL() throws -> String {
        let url = try #require(
            url, "KILN_POSTGRES_TESTS=required but KILN_TEST_POSTGRES_URL is not set: start a server with `scripts/postgres start`")
        let schema = "kiln_cli_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return url + (url.contains("?") ? "&" : "?") + "search_path=" + schema
    }

    @Test(
        "kiln run --store postgres://… runs a pipeline there; runs, show and the env variable find it; the home holds no database",
        .enabled(if: serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set: run `export KILN_TEST_POSTGRES_URL=$(scripts/postgres start)`"))
    func runOnPostgres() async throws {
        let cli = try CLI()
        let store = try Self.storeURL()
        let path = try cli.write("small.yaml", """
            name: small
            tasks:
              source: { uses: noop, with: { rows: 3 } }
              after: { needs: [source], uses: noop, with: { rows: "${{ tasks.source.outputs.rows }}" } }
            """)
        let run = try await cli.run(["run", path, "--store", store, "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let document = try #require(try run.json() as? [String: Any])
        #expect(document["state"] as? String == "succeeded")
        let id = try #require(document["id"] as? String)

        let listed = try await cli.run(["runs", "--store", store])
        #expect(listed.status == 0 && listed.stdout.contains(id), "stdout: \(listed.stdout) stderr: \(listed.stderr)")
        let shown = try await cli.run(["show", String(id.prefix(15)), "--json"], environment: ["KILN_STORE": store])
        #expect(shown.status == 0, "stderr: \(shown.stderr)")
        #expect((try shown.json() as? [String: Any])?["state"] as? String == "succeeded")
        #expect(!FileManager.default.fileExists(atPath: cli.home.appendingPathComponent("kiln.db").path))
        // The home's own store knows nothing of it.
        let local = try await cli.run(["runs"])
        #expect(!local.stdout.contains(id))
    }

    @Test("an unreachable server or a bad store is one line naming what to check, exit 2")
    func storeErrors() async throws {
        let cli = try CLI()
        let unreachable = try await cli.run(["runs", "--store", "postgres://kiln@127.0.0.1:1/kiln?sslmode=disable"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("127.0.0.1:1") && unreachable.stderr.contains("connection refused"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        let badURL = try await cli.run(["runs"], environment: ["KILN_STORE": "postgres://kiln:hunter2@db/kiln?sslmode=sometimes"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr.contains("KILN_STORE") && badURL.stderr.contains("sslmode 'sometimes'"), "\(badURL.stderr)")
        #expect(!badURL.stderr.contains("hunter2"))
        let unknown = try await cli.run(["runs", "--store", "redis://cache"])
        #expect(unknown.status == 2 && unknown.stderr.contains("use sqlite:PATH or postgres://"), "\(unknown.stderr)")
    }
}
