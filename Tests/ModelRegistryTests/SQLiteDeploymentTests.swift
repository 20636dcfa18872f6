import ModelRegistry
import PipelineModel
@testable import PipelineStoreSQLite
import Testing

/// Deployment intents and records on a shared database file: what the conformance suite cannot see.
@Suite("SQLiteRegistryStore deployments")
struct SQLiteDeploymentTests {
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_000_000_000)

    static func intent(_ id: String, pid: Int32, to version: Int) -> DeploymentIntent {
        DeploymentIntent(
            id: id, model: "fraud", alias: "production", from: 1, to: version, exportPath: "/srv/fraud.json",
            stagedPath: "/srv/.fraud.json.kiln-staged", backupPath: "/srv/.fraud.json.kiln-backup", hadPreviousFile: true,
            owner: DeploymentOwner(pid: pid, processStart: 99), actor: "run r\(id)/deploy", startedAt: start)
    }

    static func seeded(_ path: String) async throws -> SQLiteRegistryStore {
        let store = try SQLiteRegistryStore(path: path)
        for run in ["r1", "r2", "r3"] {
            try await store.register(
                NewVersion(model: "fraud", artifact: "sha256:abc", dataFingerprint: "sha256:def", runID: run,
                           pipeline: "nightly", task: "register"),
                idempotencyKey: run, at: start)
        }
        try await store.moveAlias(
            model: "fraud", alias: "production", to: 1, expectedFrom: .some(nil), reason: nil, actor: "cli", at: start)
        return store
    }

    @Test("two processes' stores beginning a deployment of one alias at once: exactly one holds the intent")
    func concurrentBegin() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let first = try await Self.seeded(path)
            let second = try SQLiteRegistryStore(path: path)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for (index, store) in [first, second, first, second].enumerated() {
                    group.addTask {
                        (try? await store.beginDeployment(Self.intent("i\(index)", pid: Int32(100 + index), to: 2 + index % 2)))
                            != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let intents = try await second.deploymentIntents()
            #expect(intents.count == 1)
            let holder = try #require(intents.first)
            await #expect(throws: RegistryError.deploymentInProgress(model: "fraud", alias: "production", holder: holder)) {
                try await first.beginDeployment(Self.intent("late", pid: 7, to: 3))
            }
            // The holder commits through the other connection; the move, the record and the state are one commit.
            try await (holder.owner.pid % 2 == 0 ? first : second).commitDeployment(holder, reason: "r", at: Self.start)
            #expect(try await first.model(named: "fraud")?.aliases == ["production": holder.to])
            #expect(try await first.deployment(model: "fraud", alias: "production")?.version == holder.to)
            #expect(try await first.deploymentIntents().map(\.state) == [.committed])
        }
    }

    @Test("a database from before deployments gains the deployment tables and keeps its registry")
    func upgradesToDeployments() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            _ = try await Self.seeded(path)
            let state = try SQLiteStateStore(path: path)
            try state.executeRaw("""
                DROP TABLE deployments; DROP TABLE deployment_intents;
                DELETE FROM grdb_migrations WHERE identifier = 'v4-deployments';
                """)
            let store = try SQLiteRegistryStore(path: path)
            #expect(try await store.model(named: "fraud")?.aliases == ["production": 1])
            let intent = Self.intent("a", pid: 5, to: 2)
            try await store.beginDeployment(intent)
            try await store.commitDeployment(intent, reason: nil, at: Self.start)
            #expect(try await store.deployment(model: "fraud", alias: "production")?.exportPath == "/srv/fraud.json")
            #expect(
                try state.textRows("SELECT identifier FROM grdb_migrations ORDER BY rowid").last == ["v4-deployments"])
        }
    }

    @Test(
        "each deployment table has its documented columns",
        arguments: [
            ("deployments", ["model", "alias", "export_path", "version", "at", "actor"]),
            (
                "deployment_intents",
                [
                    "id", "model", "alias", "from_version", "to_version", "export_path", "staged_path", "backup_path",
                    "had_previous_file", "owner_pid", "owner_start", "actor", "started_at", "state",
                ]
            ),
        ])
    func columns(table: String, expected: [String]) throws {
        let store = try SQLiteStateStore.inMemory()
        let names = try store.textRows("SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
        #expect(names == expected.map { [$0] })
    }

    @Test("intents and records store states as text, flags as 0/1 and times as integer nanoseconds")
    func storedValues() async throws {
        let state = try SQLiteStateStore.inMemory()
        let store = SQLiteRegistryStore(sharingDatabaseOf: state)
        for run in ["r1", "r2"] {
            try await store.register(
                NewVersion(model: "fraud", artifact: "sha256:abc", dataFingerprint: "sha256:def", runID: run,
                           pipeline: "nightly", task: "register"),
                idempotencyKey: run, at: Self.start)
        }
        try await store.moveAlias(
            model: "fraud", alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: Self.start)
        let intent = Self.intent("a", pid: 5, to: 2)
        try await store.beginDeployment(intent)
        #expect(
            try state.textRows("SELECT id, from_version, to_version, had_previous_file, owner_pid, owner_start, started_at, state FROM deployment_intents")
                == [["a", "1", "2", "1", "5", "99", "1764979200000000000", "pending"]])
        try await store.commitDeployment(intent, reason: nil, at: Self.start)
        #expect(try state.textRows("SELECT state FROM deployment_intents") == [["committed"]])
        #expect(
            try state.textRows("SELECT model, alias, export_path, version, at, actor FROM deployments")
                == [["fraud", "production", "/srv/fraud.json", "2", "1764979200000000000", "run ra/deploy"]])
        try state.executeRaw("UPDATE deployment_intents SET state = 'halfway'")
        await #expect(
            throws: StoredValueError(
                column: "deployment_intents.state", value: "halfway", reason: "not a known deployment intent state")
        ) { try await store.deploymentIntents() }
    }
}
