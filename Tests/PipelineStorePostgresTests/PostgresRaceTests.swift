import ModelRegistry
import PipelineEngine
import PipelineModel
@testable import PipelineStorePostgres
import Testing

/// Several processes (here: several pools on one schema) racing for the same row: exactly one compare-and-set wins.
@Suite("PostgreSQL races", .enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipReason))
struct PostgresRaceTests {
    static let racers = 8
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)

    /// Runs `body` with `racers` databases open on one new schema (each with its own pool, as separate processes have).
    static func withRacingDatabases(_ body: ([PostgresStoreDatabase]) async throws -> Void) async throws {
        try await PostgresTestServer.withFreshDatabase { first in
            var databases = [first]
            for _ in 1..<4 { databases.append(try await PostgresStoreDatabase.open(first.configuration)) }
            do {
                try await body(databases)
            } catch {
                for database in databases.dropFirst() { await database.close() }
                throw error
            }
            for database in databases.dropFirst() { await database.close() }
        }
    }

    static func run(_ id: String) -> RunRecord {
        RunRecord(
            id: RunID(rawValue: id), pipeline: "p", state: .queued, params: [:],
            snapshot: Pipeline(name: "p", tasks: [TaskSpec(id: "a", action: .shell("true"))]), baseDirectory: "/w",
            createdAt: start)
    }

    static func owner(_ index: Int) -> RunOwner {
        RunOwner(label: "worker \(index)", host: "host-\(index)", pid: Int32(100 + index), started: Int64(index))
    }

    /// How many of `outcomes` succeeded.
    static func successes<T>(_ outcomes: [Result<T, any Error>]) -> Int {
        outcomes.filter { if case .success = $0 { true } else { false } }.count
    }

    static func race<T: Sendable>(
        _ databases: [PostgresStoreDatabase], _ attempt: @escaping @Sendable (Int, PostgresStoreDatabase) async throws -> T
    ) async -> [Result<T, any Error>] {
        await withTaskGroup(of: Result<T, any Error>.self) { group in
            for index in 0..<racers {
                let database = databases[index % databases.count]
                group.addTask {
                    do { return .success(try await attempt(index, database)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("of several workers taking a free run's lease, exactly one gets it; the others see its lease")
    func leaseRace() async throws {
        try await Self.withRacingDatabases { databases in
            try await PostgresStateStore(database: databases[0]).createRun(Self.run("r1"), tasks: [])
            let outcomes = await Self.race(databases) { index, database in
                try await PostgresStateStore(database: database).acquireLease(
                    run: RunID(rawValue: "r1"), owner: Self.owner(index), at: Self.start,
                    expiresAt: Self.start.adding(.seconds(30)), mode: .whenFree)
            }
            #expect(Self.successes(outcomes) == 1)
            for case .failure(let error) in outcomes {
                guard case StateStoreError.leased(let lease) = error else {
                    Issue.record("expected leased, got \(error)")
                    continue
                }
                #expect(lease.epoch == 1)
            }
        }
    }

    @Test("of several workers moving one task out of pending, exactly one compare-and-set applies")
    func compareAndSetRace() async throws {
        try await Self.withRacingDatabases { databases in
            let store = PostgresStateStore(database: databases[0])
            try await store.createRun(Self.run("r1"), tasks: [TaskRecord(taskID: "a", state: .pending, attempts: 0)])
            let outcomes = await Self.race(databases) { index, database in
                let running = TaskRecord(taskID: "a", state: .running, attempts: index + 1)
                try await PostgresStateStore(database: database).commit(
                    StateBatch(
                        tasks: [TaskUpdate(runID: RunID(rawValue: "r1"), record: running, expected: .pending)],
                        logs: [LogLine(runID: RunID(rawValue: "r1"), taskID: "a", attempt: index + 1, stream: .stdout, text: "won", at: Self.start)]))
                return index + 1
            }
            #expect(Self.successes(outcomes) == 1)
            let winner = outcomes.compactMap { try? $0.get() }.first
            #expect(try await store.tasks(of: RunID(rawValue: "r1")).map(\.attempts) == [winner ?? -1])
            #expect(try await store.logs(of: RunID(rawValue: "r1"), task: nil, attempt: nil).map(\.attempt) == [winner ?? -1])
            for case .failure(let error) in outcomes {
                #expect(error as? StateStoreError == .conflict(run: RunID(rawValue: "r1"), task: "a", expected: .pending, actual: .running))
            }
        }
    }

    @Test("several processes registering one model get distinct, consecutive version numbers; one key registers once")
    func registerRace() async throws {
        try await Self.withRacingDatabases { databases in
            let outcomes = await Self.race(databases) { index, database in
                try await PostgresRegistryStore(database: database).register(
                    NewVersion(
                        model: "fraud", artifact: "sha256:\(index)", dataFingerprint: "sha256:d", runID: "run-\(index)",
                        pipeline: "p", task: "register"),
                    idempotencyKey: "run-\(index)/register", at: Self.start)
            }
            let numbers = outcomes.compactMap { try? $0.get().version }.sorted()
            #expect(numbers == Array(1...Self.racers))

            let again = await Self.race(databases) { index, database in
                try await PostgresRegistryStore(database: database).register(
                    NewVersion(
                        model: "fraud", artifact: "sha256:same", dataFingerprint: "sha256:d", runID: "run-same",
                        pipeline: "p", task: "register"),
                    idempotencyKey: "run-same/register", at: Self.start)
            }
            #expect(Set(again.compactMap { try? $0.get().version }) == [Self.racers + 1])
            let stored = try await PostgresRegistryStore(database: databases[0]).model(named: "fraud")
            #expect(stored?.versions.count == Self.racers + 1)
        }
    }

    @Test("of several processes creating an alias with compare-and-set, exactly one moves it and is recorded")
    func aliasRace() async throws {
        try await Self.withRacingDatabases { databases in
            let registry = PostgresRegistryStore(database: databases[0])
            for index in 1...2 {
                try await registry.register(
                    NewVersion(
                        model: "fraud", artifact: "sha256:\(index)", dataFingerprint: "sha256:d", runID: "run-\(index)",
                        pipeline: "p", task: "register"),
                    idempotencyKey: "run-\(index)/register", at: Self.start)
            }
            let outcomes = await Self.race(databases) { index, database in
                try await PostgresRegistryStore(database: database).moveAlias(
                    model: "fraud", alias: "production", to: index % 2 + 1, expectedFrom: .some(nil), reason: nil,
                    actor: "worker \(index)", at: Self.start)
            }
            #expect(Self.successes(outcomes) == 1)
            #expect(try await registry.aliasHistory(model: "fraud").count == 1)
        }
    }
}
