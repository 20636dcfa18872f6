import ModelRegistry
import PipelineEngine
import PipelineModel
@testable import PipelineStoreSQLite
import Testing

/// What only a shared database file can show: several processes' stores, both stores on one file, the schema.
@Suite("SQLiteRegistryStore")
struct SQLiteRegistryStoreTests {
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_000_000_000)

    static func new(_ model: String, run: String) -> NewVersion {
        NewVersion(
            model: model, metrics: ["f1": 0.9], artifact: "sha256:abc", dataFingerprint: "sha256:def", runID: run,
            pipeline: "nightly", task: "register")
    }

    @Test("two stores on one file registering concurrently get distinct, consecutive versions")
    func concurrentRegistration() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let stores = [try SQLiteRegistryStore(path: path), try SQLiteRegistryStore(path: path)]
            let perStore = 20
            let versions = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for (storeIndex, store) in stores.enumerated() {
                    for index in 0..<perStore {
                        let run = "run-\(storeIndex)-\(index)"
                        group.addTask {
                            let version = try await store.register(
                                Self.new("fraud", run: run), idempotencyKey: "\(run)/register", at: Self.start)
                            return (run, version.version)
                        }
                    }
                }
                var byRun: [String: Int] = [:]
                for try await (run, version) in group { byRun[run] = version }
                return byRun
            }
            #expect(versions.count == 2 * perStore)
            #expect(versions.values.sorted() == Array(1...(2 * perStore)))
            let stored = try #require(try await stores[1].model(named: "fraud"))
            #expect(stored.versions.map(\.version) == Array(1...(2 * perStore)))
            for version in stored.versions { #expect(versions[version.runID] == version.version) }
        }
    }

    @Test("two stores on one file registering the same idempotency key at once store one version")
    func concurrentIdempotentRegistration() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let stores = [try SQLiteRegistryStore(path: path), try SQLiteRegistryStore(path: path)]
            let results = try await withThrowingTaskGroup(of: ModelVersion.self) { group in
                for store in stores {
                    for _ in 0..<5 {
                        group.addTask {
                            try await store.register(Self.new("fraud", run: "r1"), idempotencyKey: "r1/register", at: Self.start)
                        }
                    }
                }
                return try await group.reduce(into: [ModelVersion]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.version)) == [1])
            #expect(try await stores[0].model(named: "fraud")?.versions.count == 1)
        }
    }

    @Test("an alias moved through one store conflicts with a stale compare-and-set through another")
    func compareAndSetAcrossStores() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let first = try SQLiteRegistryStore(path: path)
            let second = try SQLiteRegistryStore(path: path)
            for run in ["r1", "r2", "r3"] {
                try await first.register(Self.new("fraud", run: run), idempotencyKey: run, at: Self.start)
            }
            try await first.moveAlias(
                model: "fraud", alias: "production", to: 1, expectedFrom: .some(nil), reason: nil, actor: "cli", at: Self.start)
            try await second.moveAlias(
                model: "fraud", alias: "production", to: 2, expectedFrom: .some(1), reason: nil, actor: "cli", at: Self.start)
            await #expect(throws: RegistryError.aliasConflict(model: "fraud", alias: "production", expected: 1, actual: 2)) {
                try await first.moveAlias(
                    model: "fraud", alias: "production", to: 3, expectedFrom: .some(1), reason: nil, actor: "cli",
                    at: Self.start)
            }
            #expect(try await first.aliasHistory(model: "fraud").map(\.to) == [1, 2])
        }
    }

    @Test("the state store and the registry open one file in either order, and keep each other's data")
    func sharedFileInAnyOrder() async throws {
        try await withTemporaryDirectory { folder in
            for registryFirst in [true, false] {
                let path = folder + "/\(registryFirst ? "registry" : "state")-first.db"
                let registry: SQLiteRegistryStore
                let state: SQLiteStateStore
                if registryFirst {
                    registry = try SQLiteRegistryStore(path: path)
                    state = try SQLiteStateStore(path: path)
                } else {
                    state = try SQLiteStateStore(path: path)
                    registry = try SQLiteRegistryStore(path: path)
                }
                let run = RunRecord(
                    id: RunID(rawValue: "r1"), pipeline: "nightly", state: .succeeded, params: [:],
                    snapshot: Pipeline(name: "nightly", tasks: []), baseDirectory: "/", createdAt: Self.start)
                try await state.createRun(run, tasks: [])
                let version = try await registry.register(Self.new("fraud", run: "r1"), idempotencyKey: "r1/register", at: Self.start)

                let reopenedRegistry = try SQLiteRegistryStore(path: path)
                let reopenedState = try SQLiteStateStore(path: path)
                #expect(try await reopenedRegistry.version(model: "fraud", number: 1) == version)
                #expect(try await reopenedState.run(run.id) == run)
                #expect(
                    try reopenedState.textRows("SELECT identifier FROM grdb_migrations ORDER BY rowid")
                        == [["v1"], ["v2-task-decisions"], ["v2-registry"], ["v3-scheduler"], ["v4-run-leases"], ["v4-deployments"], ["v5-task-lineage"], ["v6-scheduler-leases"], ["v7-task-queue"], ["v8-replay-safe-writes"]])
            }
        }
    }

    @Test("a database written before the registry existed gains its tables and keeps its runs")
    func upgradesVersionOneDatabase() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let state = try SQLiteStateStore(path: path)
            let run = RunRecord(
                id: RunID(rawValue: "r1"), pipeline: "nightly", state: .succeeded, params: [:],
                snapshot: Pipeline(name: "nightly", tasks: []), baseDirectory: "/", createdAt: Self.start)
            try await state.createRun(run, tasks: [])
            // Turn the file back into what a kiln without the registry wrote: the migrations before it.
            try state.executeRaw("""
                DROP TABLE alias_history; DROP TABLE aliases; DROP TABLE model_versions; DROP TABLE models;
                DROP TABLE trigger_state; DROP TABLE model_metrics; DROP INDEX runs_idempotency_key;
                ALTER TABLE runs DROP COLUMN idempotency_key;
                ALTER TABLE runs DROP COLUMN lease_owner; ALTER TABLE runs DROP COLUMN lease_epoch;
                ALTER TABLE runs DROP COLUMN lease_acquired_at; ALTER TABLE runs DROP COLUMN lease_heartbeat_at;
                ALTER TABLE runs DROP COLUMN lease_expires_at; ALTER TABLE task_runs DROP COLUMN process;
                DROP TABLE deployments; DROP TABLE deployment_intents; ALTER TABLE task_runs DROP COLUMN lineage;
                DROP TABLE scheduler_leases; DROP TABLE task_queue; DROP TABLE task_queue_orphans;
                DELETE FROM grdb_migrations
                WHERE identifier IN ('v2-registry', 'v3-scheduler', 'v4-run-leases', 'v4-deployments', 'v5-task-lineage',
                    'v6-scheduler-leases', 'v7-task-queue', 'v8-replay-safe-writes');
                """)
            #expect(try state.textRows("SELECT identifier FROM grdb_migrations ORDER BY rowid") == [["v1"], ["v2-task-decisions"]])

            let registry = try SQLiteRegistryStore(path: path)
            try await registry.register(Self.new("fraud", run: "r1"), idempotencyKey: "r1/register", at: Self.start)
            #expect(try await registry.model(named: "fraud")?.versions.count == 1)
            #expect(try await SQLiteStateStore(path: path).run(run.id) == run)
            #expect(
                try state.textRows("SELECT identifier FROM grdb_migrations ORDER BY rowid")
                    == [["v1"], ["v2-task-decisions"], ["v2-registry"], ["v3-scheduler"], ["v4-run-leases"], ["v4-deployments"], ["v5-task-lineage"], ["v6-scheduler-leases"], ["v7-task-queue"], ["v8-replay-safe-writes"]])
        }
    }

    @Test(
        "each registry table has its documented columns",
        arguments: [
            ("models", ["name", "created_at"]),
            (
                "model_versions",
                [
                    "model", "version", "idempotency_key", "metrics", "params", "artifact", "data_fingerprint", "run_id",
                    "pipeline", "task_id", "code_version", "upstream", "created_at",
                ]
            ),
            ("aliases", ["model", "alias", "version", "updated_at"]),
            ("alias_history", ["seq", "model", "alias", "from_version", "to_version", "at", "reason", "actor"]),
        ])
    func columns(table: String, expected: [String]) throws {
        let store = try SQLiteStateStore.inMemory()
        let names = try store.textRows("SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
        #expect(names == expected.map { [$0] })
    }

    @Test("versions store metrics, params and lineage as compact sorted JSON, and times as integer nanoseconds")
    func storedValues() async throws {
        let state = try SQLiteStateStore.inMemory()
        let registry = SQLiteRegistryStore(sharingDatabaseOf: state)
        var new = Self.new("fraud", run: "r1")
        new.metrics = ["f1": 0.5, "auc": 1]
        new.params = ["depth": 6, "a": ["z": true, "b": nil]]
        new.upstream = [UpstreamVersion(name: "embeddings", version: 3)]
        try await registry.register(new, idempotencyKey: "r1/register", at: Self.start)
        try await registry.moveAlias(
            model: "fraud", alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: Self.start)
        #expect(
            try state.textRows("SELECT version, idempotency_key, metrics, params, upstream, code_version, created_at FROM model_versions")
                == [["1", "r1/register", #"{"auc":1,"f1":0.5}"#, #"{"a":{"b":null,"z":true},"depth":6}"#,
                     #"[{"name":"embeddings","version":3}]"#, nil, "1764979200000000000"]])
        #expect(
            try state.textRows("SELECT model, alias, from_version, to_version, at, reason, actor FROM alias_history")
                == [["fraud", "production", nil, "1", "1764979200000000000", nil, "cli"]])
        #expect(try state.textRows("SELECT model, alias, version FROM aliases") == [["fraud", "production", "1"]])
    }
}
