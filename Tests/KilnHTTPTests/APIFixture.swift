import CommandTasks
import DeploymentTasks
import Foundation
import Hummingbird
import HummingbirdTesting
import KilnHTTP
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Synchronization

/// An API over in-memory stores and a manual clock, with a pipeline `review` (prepare → gate, a manual approval) and
/// a pipeline `plain` (one no-op task); records what the API hands to the daemon.
final class APIFixture: Sendable {
    static let token = "0123456789abcdef-test-token"

    let store = InMemoryStateStore()
    /// The workers' task queue beside `store`.
    let queue = InMemoryTaskQueue()
    let registryStore = InMemoryRegistryStore()
    let clock = ManualClock()
    let folder: String
    let continued = Mutex<[RunID]>([])
    let cancellable = Mutex<Set<RunID>>([])

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-http-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    var registry: ModelRegistryService { ModelRegistryService(store: registryStore) }

    var executor: PipelineExecutor {
        var kinds = TaskKindRegistry.builtIn
        kinds.registerDeploymentKinds(
            registry: registry, artifacts: LocalArtifactStore(root: folder + "/artifacts"), legacyLedgerPath: nil, scoring: nil)
        return PipelineExecutor(store: store, kinds: kinds, clock: clock)
    }

    static let review = try! Plan(
        Pipeline(name: "review", params: ["rows": 10], tasks: [
            TaskSpec(id: "prepare", action: .uses("noop", with: ["rows": "${{ params.rows }}"])),
            TaskSpec(id: "gate", needs: ["prepare"], action: .uses("approve", with: ["message": "ship it?"])),
        ]), knownKinds: nil)

    static let plain = try! Plan(
        Pipeline(name: "plain", tasks: [TaskSpec(id: "only", action: .uses("noop", with: [:]))]), knownKinds: nil)

    /// A run of `plain` whose task runs, its attempt claimed by worker `w1 (pid 4242 on gpu-1)`.
    func runHeldByWorker() async throws -> RunID {
        let run = try await executor.createRun(Self.plain, baseDirectory: folder)
        let record = TaskRecord(taskID: "only", state: .running, attempts: 1, startedAt: clock.now)
        try await store.commit(StateBatch(tasks: [TaskUpdate(runID: run.id, record: record, expected: nil)]))
        try await queue.enqueue([QueuedAttempt(
            runID: run.id, epoch: 1, taskID: "only", attempt: 1, labels: [],
            work: AttemptWork(action: .uses("noop"), inputs: [:], environment: [:], workingDirectory: folder,
                              decision: nil, withheldEnvironment: []),
            queuedAt: clock.now)])
        _ = try await queue.claim(
            worker: RunOwner(label: "w1", host: "gpu-1", pid: 4242, started: 1), labels: [], limit: 1, at: clock.now,
            expiresAt: clock.now.adding(.seconds(30)))
        return run.id
    }

    var watched: [WatchedPipeline] {
        [WatchedPipeline(plan: Self.review, baseDirectory: folder), WatchedPipeline(plan: Self.plain, baseDirectory: folder)]
    }

    var operations: KilnOperations {
        KilnOperations(
            store: store, triggerStates: store, registry: registry, metrics: registryStore,
            deployer: Deployer(registry: registry, artifacts: LocalArtifactStore(root: folder + "/artifacts")),
            inputs: StoreTriggerInputs(registry: registryStore, metrics: registryStore), clock: clock, queue: queue)
    }

    var backend: KilnAPIBackend {
        let executor = executor
        return KilnAPIBackend(
            operations: operations, catalog: StaticPipelineCatalog(watched),
            startRun: { watched, params, trigger in
                try await executor.createRun(watched.plan, params: params, baseDirectory: watched.baseDirectory, trigger: trigger).id
            },
            continueRun: { [self] id in self.continued.withLock { $0.append(id) } },
            cancelRun: { [self] id in self.cancellable.withLock { $0.contains(id) } },
            version: "test")
    }

    func application(token: String? = APIFixture.token, auth: AuthScope = .writes) -> some ApplicationProtocol {
        Application(router: KilnAPI.router(backend: backend, token: token, auth: auth))
    }

    /// Runs `review` until its gate waits for a decision.
    func waitingRun() async throws -> RunID {
        let run = try await executor.run(Self.review, baseDirectory: folder)
        precondition(run.state == .waiting, "the review run should wait, it is \(run.state)")
        return run.id
    }

    /// Registers `count` versions of model `fraud`.
    func registerVersions(_ count: Int) async throws {
        for number in 1...count {
            _ = try await registry.register(
                NewVersion(
                    model: "fraud", metrics: ["f1": 0.8 + Double(number) / 100], artifact: "sha256:\(number)",
                    dataFingerprint: "sha256:data", runID: "run-\(number)", pipeline: "review", task: "train"),
                idempotencyKey: "k\(number)", at: clock.now)
        }
    }
}

/// Request helpers.
extension TestClientProtocol {
    func json(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = APIFixture.token
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue, contentType: String?) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        return (response.status, value, response.headers[.contentType])
    }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
}
