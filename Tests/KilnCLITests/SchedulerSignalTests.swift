import Foundation
import ModelRegistry
import PipelineModel
import PipelineStorePostgres
import PipelineStoreSQLite
import Synchronization
import Testing

/// `kiln serve` hears what other processes change (metric pushes here) and evaluates at once, on the SQLite file
/// (a watched wake-up file) and on PostgreSQL (`LISTEN`/`NOTIFY`); of two daemons on one store, one evaluates.
@Suite("kiln serve wake-ups and one trigger evaluator per store", .serialized)
struct SchedulerSignalTests {
    static let start = Timestamp(iso8601: "2026-11-01T00:00:00Z")!

    /// What a running process writes to a pipe, collected as it arrives.
    final class Output: Sendable {
        private final class Text: Sendable { let value = Mutex("") }
        private let text = Text()
        let pipe = Pipe()

        init() {
            pipe.fileHandleForReading.readabilityHandler = { [text] handle in
                let data = handle.availableData
                text.value.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }

        var value: String { text.value.withLock { $0 } }
    }

    /// The stores to test: the home's SQLite file, and PostgreSQL when a test server is configured.
    static var stores: [String?] {
        [nil] + (PostgresStoreCLITests.serverTestsEnabled ? [PostgresStoreCLITests.url.map { _ in "postgres" }] : [])
    }

    /// `--store` arguments for `kind` (`nil`: the home's file), with a schema of its own on PostgreSQL.
    func storeArguments(_ kind: String?) throws -> [String] {
        guard kind != nil else { return [] }
        return ["--store", try PostgresStoreCLITests.storeURL()]
    }

    /// Registers version 1 of `model` and promotes it to production in the store the arguments name.
    func seedModel(_ cli: CLI, _ model: String, store: [String]) async throws {
        let registry: any RegistryStore
        var database: PostgresStoreDatabase?
        if store.isEmpty {
            try FileManager.default.createDirectory(at: cli.home, withIntermediateDirectories: true)
            registry = try SQLiteRegistryStore(path: SQLiteStateStore.defaultPath(home: cli.home.path))
        } else {
            database = try await PostgresStoreDatabase.open(PostgresStoreConfiguration(url: store[1]))
            registry = PostgresRegistryStore(database: database!)
        }
        let new = NewVersion(model: model, artifact: "sha256:00", dataFingerprint: "sha256:00", runID: "seed", pipeline: "seed", task: "register")
        try await registry.register(new, idempotencyKey: "seed/\(model)", at: Self.start)
        try await registry.moveAlias(model: model, alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: Self.start)
        await database?.close()
    }

    func runs(_ cli: CLI, _ store: [String]) async throws -> [[String: Any]] {
        (try? try await cli.run(["runs", "--json"] + store).json() as? [[String: Any]]) ?? []
    }

    func watchPipeline(_ cli: CLI) throws -> String {
        try cli.write("watch.yaml", """
            name: watch
            triggers:
              performance: { model: fraud, metric: f1, below: 0.8, window: 1h }
            tasks:
              retrain: { uses: noop }
            """)
    }

    @Test("a metric push wakes kiln serve at once: the run starts long before the next tick (1 h)", arguments: stores)
    func metricPushWakesServe(_ kind: String?) async throws {
        let cli = try CLI()
        let store = try storeArguments(kind)
        try await seedModel(cli, "fraud", store: store)
        let path = try watchPipeline(cli)
        let log = Output()
        let serve = try cli.start(
            ["serve", path, "--tick", "1h", "--grace", "5s", "--log-level", "debug"] + store, stderr: log.pipe)
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        // The first evaluation (at start) has passed: from now on only a signal can start one within the hour.
        let evaluated = await CLI.waitUntil(seconds: 60) { log.value.contains("Triggers evaluated") }
        #expect(evaluated, "serve's log: \(log.value)")
        #expect(try await runs(cli, store).isEmpty)

        let push = try await cli.run(["metrics", "push", "fraud", "f1=0.71"] + store)
        #expect(push.status == 0, "stderr: \(push.stderr)")
        let finished = try await CLI.waitUntil(seconds: 30) { try await runs(cli, store).first?["state"] as? String == "succeeded" }
        #expect(finished, "serve's log: \(log.value)")
        #expect(log.value.contains("cause=signal"), "serve's log: \(log.value)")
        let id = try #require(try await runs(cli, store).first?["id"] as? String)
        let shown = try #require(try await cli.run(["show", id, "--json"] + store).json() as? [String: Any])
        #expect((shown["trigger"] as? [String: Any])?["type"] as? String == "performance")

        kill(serve.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 30) { !serve.isRunning })
    }

    @Test("two kiln serve on one store: one evaluates, the other stands by; one run for one drop", arguments: stores)
    func oneEvaluatorPerStore(_ kind: String?) async throws {
        let cli = try CLI()
        let store = try storeArguments(kind)
        try await seedModel(cli, "fraud", store: store)
        let path = try watchPipeline(cli)
        let first = Output()
        let second = Output()
        let arguments = ["serve", path, "--tick", "1h", "--grace", "5s", "--log-level", "debug"] + store
        let one = try cli.start(arguments, stderr: first.pipe)
        defer { if one.isRunning { kill(one.processIdentifier, SIGKILL) } }
        #expect(await CLI.waitUntil(seconds: 60) { first.value.contains("Triggers evaluated") }, "log: \(first.value)")
        let two = try cli.start(arguments, stderr: second.pipe)
        defer { if two.isRunning { kill(two.processIdentifier, SIGKILL) } }
        #expect(await CLI.waitUntil(seconds: 60) { second.value.contains("Standing by") }, "log: \(second.value)")

        #expect(try await cli.run(["metrics", "push", "fraud", "f1=0.71"] + store).status == 0)
        let finished = try await CLI.waitUntil(seconds: 30) { try await runs(cli, store).first?["state"] as? String == "succeeded" }
        #expect(finished, "logs: \(first.value)\n---\n\(second.value)")
        #expect(!second.value.contains("Triggers evaluated"), "the standby evaluated: \(second.value)")
        #expect(try await runs(cli, store).count == 1)

        // A graceful stop hands the right over: the standby evaluates at its next look (the released lease).
        kill(one.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 30) { !one.isRunning })
        #expect(try await cli.run(["metrics", "push", "fraud", "f1=0.72"] + store).status == 0)
        #expect(await CLI.waitUntil(seconds: 30) { second.value.contains("Evaluating triggers") }, "log: \(second.value)")
        kill(two.processIdentifier, SIGTERM)
        #expect(await CLI.waitUntil(seconds: 30) { !two.isRunning })
    }
}
