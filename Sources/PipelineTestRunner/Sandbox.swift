import Foundation
public import ModelRegistry
public import Notifications
public import PipelineEngine
public import PipelineModel
import PipelineStoreSQLite
public import PipelineTesting
import Synchronization

/// A throwaway home in which pipelines run for real — the real engine and kinds — without reaching anything outside:
/// its own state store, registry and artifacts in a temporary folder, exports and hooks redirected or skipped, and
/// notifications captured instead of sent. Time is manual: it stands still while an attempt runs and jumps to the
/// next deadline when none does, so retries with delays complete at once and timeouts never fire early.
///
/// `kiln test` runs every case, smoke and perf run in one; anything that must re-run a pipeline without side
/// effects (a reproduction of an old run) can use it the same way.
///
/// ```swift
/// let sandbox = try Sandbox(configuration: SandboxConfiguration(kinds: { registry, artifacts in kinds(registry, artifacts) }))
/// defer { sandbox.remove() }
/// let (pipeline, redirections) = sandbox.isolate(plan.pipeline)
/// let result = try await sandbox.execute(try Plan(pipeline), baseDirectory: folder)
/// ```
public final class Sandbox: Sendable {
    /// The temporary home folder (`kiln.db`, `artifacts/`, `exports/`).
    public let home: String
    /// The home's model registry (empty at first, unless copied in with ``copyRegistry(fromHome:)``).
    public let registry: ModelRegistryService
    /// The home's artifact store.
    public let artifacts: LocalArtifactStore
    /// The manual clock every run in the sandbox uses.
    public let clock: ManualClock
    let store: SQLiteStateStore
    let configuration: SandboxConfiguration

    /// Creates the home in a new temporary folder.
    /// - Throws: When the folder or its database cannot be created.
    public init(configuration: SandboxConfiguration) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        home = folder.path
        store = try SQLiteStateStore(path: SQLiteStateStore.defaultPath(home: home))
        registry = ModelRegistryService(store: SQLiteRegistryStore(sharingDatabaseOf: store))
        artifacts = LocalArtifactStore(root: home + "/artifacts")
        clock = ManualClock(now: configuration.start)
        self.configuration = configuration
        Self.live.withLock { _ = $0.insert(home) }
    }

    /// The home folders of the sandboxes not yet removed in this process.
    private static let live = Mutex<Set<String>>([])

    /// Deletes the home folder of every sandbox of this process not yet removed: for a process about to exit
    /// without unwinding (a second Ctrl-C), so that no sandbox is left behind in the temporary folder.
    public static func removeAll() {
        for home in live.withLock({ homes in defer { homes.removeAll() }; return homes }) {
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    /// Starts the sandbox's registry as a copy of the registry of the home at `home` — its models, versions,
    /// aliases and alias history, and the model files of those versions — so that `NAME@production` and other
    /// references resolve as in a real run. The real home is only read (its database opened read-only); what the
    /// sandbox then registers, promotes or deploys stays in the sandbox. A home without a database copies nothing.
    ///
    /// Call it before the first run.
    /// - Parameters:
    ///   - home: The real home folder.
    ///   - source: Where the home's model files are; `nil` = its own `artifacts/` folder.
    /// - Returns: The number of model versions copied.
    /// - Throws: When the home's database cannot be read, or a model file cannot be copied.
    @discardableResult
    public func copyRegistry(fromHome home: String, artifacts source: (any ArtifactStore)? = nil) async throws -> Int {
        let database = SQLiteStateStore.defaultPath(home: home)
        guard FileManager.default.fileExists(atPath: database) else { return 0 }
        // SQLite creates `-shm`/`-wal` files beside a WAL database it opens, even read-only: the database file (and
        // its write-ahead log, which holds the latest commits) is copied into the sandbox and read there instead.
        let folder = self.home + "/registry-source"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/kiln.db"
        try FileManager.default.copyItem(atPath: database, toPath: copy)
        if FileManager.default.fileExists(atPath: database + "-wal") {
            try FileManager.default.copyItem(atPath: database + "-wal", toPath: copy + "-wal")
        }
        let references = try await SQLiteRegistryStore(sharingDatabaseOf: store).copyRegistry(fromDatabaseAt: copy)
        let real = source ?? LocalArtifactStore(root: home + "/artifacts")
        for reference in references where reference.hasPrefix("sha256:") {
            guard try await real.contains(reference) else { continue }
            let path = try await real.localPath(for: reference)
            _ = try await artifacts.put(file: path)
        }
        return try await registry.store.models().reduce(0) { $0 + $1.versions.count }
    }

    /// Deletes the home folder.
    public func remove() {
        try? FileManager.default.removeItem(atPath: home)
        _ = Self.live.withLock { $0.remove(home) }
    }

    /// `pipeline` made safe to run here: every `deploy` task's `export_to` points into the sandbox's `exports/`
    /// folder and its `on_deploy` hook is dropped, and command tasks get `KILN_HOME` (so a `kiln` they call uses
    /// the sandbox) plus `extraEnvironment`.
    ///
    /// - Returns: The pipeline and what was changed, to report.
    public func isolate(
        _ pipeline: Pipeline, extraEnvironment: [String: String] = [:]
    ) -> (pipeline: Pipeline, redirections: [SandboxRedirection]) {
        var isolated = pipeline
        var redirections: [SandboxRedirection] = []
        for index in isolated.tasks.indices {
            let task = isolated.tasks[index]
            switch task.action {
            case .uses(let kind, var inputs) where configuration.deployKinds.contains(kind):
                if let target = inputs["export_to"] {
                    let name = URL(fileURLWithPath: target.stringValue ?? "model.json").lastPathComponent
                    let redirected = "\(home)/exports/\(task.id)/\(name)"
                    inputs["export_to"] = .string(redirected)
                    redirections.append(SandboxRedirection(
                        task: task.id, what: "export_to", from: target.interpolated, to: redirected))
                }
                if let hook = inputs.removeValue(forKey: "on_deploy") {
                    let text = hook.arrayValue.map { $0.map(\.interpolated).joined(separator: " ") } ?? hook.interpolated
                    redirections.append(SandboxRedirection(task: task.id, what: "on_deploy", from: text, to: nil))
                }
                isolated.tasks[index].action = .uses(kind, with: inputs)
            case .run, .shell:
                isolated.tasks[index].env.merge(["KILN_HOME": home].merging(extraEnvironment) { _, new in new }) { _, new in new }
            default: break
            }
        }
        return (isolated, redirections)
    }

    /// Runs `plan` to the end in the sandbox.
    ///
    /// - Parameters:
    ///   - plan: The pipeline, already isolated (``isolate(_:extraEnvironment:)``).
    ///   - params: Overrides of its params.
    ///   - baseDirectory: The folder command tasks run in and relative paths resolve against (the pipeline's).
    ///   - events: Also receives the run's events (progress), besides the notification capture.
    /// - Returns: The run, its tasks, what each task cost, and the notifications it would have sent.
    /// - Throws: ``PipelineExecutor/StartError`` for unknown params; the store's errors.
    public func execute(
        _ plan: Plan, params: [String: JSONValue] = [:], baseDirectory: String, events: (any RunEventSink)? = nil
    ) async throws -> SandboxRun {
        let sampler = configuration.measureMemory ? MemorySampler() : nil
        defer { sampler?.stop() }
        let probe = SandboxProbe(sampler: sampler, sample: configuration.sample, extractKinds: configuration.extractKinds)
        let kinds = configuration.kinds(registry, artifacts).instrumented(probe)
        let dispatcher = NotificationDispatcher(milestone: configuration.milestone)
        let sink: any RunEventSink = events.map { RunEventFanOut([dispatcher, $0]) } ?? dispatcher
        let executor = PipelineExecutor(
            store: store, kinds: kinds, clock: clock, events: sink, artifacts: artifacts,
            configuration: .init(
                parallelism: configuration.parallelism, environment: configuration.environment,
                owner: .current(label: "kiln test")))
        let clock = self.clock
        let store = self.store
        let run = try await withThrowingTaskGroup(of: RunRecord?.self) { group in
            group.addTask {
                try await executor.run(plan, params: params, baseDirectory: baseDirectory, trigger: ["type": "test"])
            }
            group.addTask {
                await Self.driveTime(clock: clock, probe: probe, store: store)
                return nil
            }
            var finished: RunRecord?
            while let next = try await group.next() {
                if let next {
                    finished = next
                    group.cancelAll()
                }
            }
            return finished!
        }
        dispatcher.finish()
        let notifications = await dispatcher.captured(environment: configuration.environment)
        return SandboxRun(
            run: run, tasks: try await store.tasks(of: run.id), measurements: probe.measurements,
            notifications: notifications)
    }

    /// Moves manual time to the next retry whenever no attempt has run for two looks in a row (half a millisecond
    /// apart) and something sleeps: a retry delay passes at once. Time moves only to the stored `retry_at` of a
    /// pending task, never to any deadline: a timeout's sleep is armed before its attempt is seen running, so jumping
    /// to the earliest deadline could time out an attempt that had not begun yet on a busy machine.
    private static func driveTime(clock: ManualClock, probe: SandboxProbe, store: any StateStore) async {
        var idleEpoch: Int?
        while !Task.isCancelled {
            try? await Task.sleep(for: .microseconds(500))
            let (active, epoch) = probe.activity
            guard active == 0, clock.sleeperCount > 0 else {
                idleEpoch = nil
                continue
            }
            guard idleEpoch == epoch else {
                idleEpoch = epoch
                continue
            }
            idleEpoch = nil
            guard let run = try? await store.runs(pipeline: nil, limit: 1).first, run.state == .running,
                let tasks = try? await store.tasks(of: run.id)
            else { continue }
            let now = clock.now
            let retries = tasks.compactMap { $0.state == .pending ? $0.retryAt : nil }.filter { $0 > now }
            guard let due = retries.min(), probe.activity == (0, epoch) else { continue }
            clock.advance(by: .nanoseconds(due.nanosecondsSince1970 - now.nanosecondsSince1970))
        }
    }

    /// The logs of a task of a run in this sandbox, in order.
    public func logs(of run: RunID, task: String) async throws -> [LogLine] {
        try await store.logs(of: run, task: task, attempt: nil)
    }
}

/// How a ``Sandbox`` runs pipelines.
public struct SandboxConfiguration: Sendable {
    /// The task kinds, built on the sandbox's registry and artifacts (the composition root knows every kind).
    public var kinds: @Sendable (ModelRegistryService, any ArtifactStore) -> TaskKindRegistry
    /// Which task successes are notification milestones (`deployed`, …), as the dispatcher of real runs has it.
    public var milestone: NotificationDispatcher.Milestone
    /// What `env.X` expressions see and what notification rules resolve against.
    public var environment: [String: String]
    /// Where the manual clock starts.
    public var start: Timestamp
    /// Tasks at the same time; `nil` for the number of cores.
    public var parallelism: Int?
    /// The sample extract kinds keep (smoke runs); `nil` keeps everything.
    public var sample: DataSample?
    /// The kinds whose `data` output is sampled.
    public var extractKinds: Set<String>
    /// The kinds whose `export_to` and `on_deploy` inputs ``Sandbox/isolate(_:extraEnvironment:)`` redirects.
    public var deployKinds: Set<String>
    /// Whether to sample resident memory per task (perf runs).
    public var measureMemory: Bool

    /// Creates a configuration.
    public init(
        kinds: @escaping @Sendable (ModelRegistryService, any ArtifactStore) -> TaskKindRegistry,
        milestone: @escaping NotificationDispatcher.Milestone = { _, _ in nil }, environment: [String: String] = [:],
        start: Timestamp = Timestamp(millisecondsSince1970: 1_764_979_200_000), parallelism: Int? = nil,
        sample: DataSample? = nil, extractKinds: Set<String> = ["extract-csv", "extract-sql"],
        deployKinds: Set<String> = ["deploy"], measureMemory: Bool = false
    ) {
        self.kinds = kinds
        self.milestone = milestone
        self.environment = environment
        self.start = start
        self.parallelism = parallelism
        self.sample = sample
        self.extractKinds = extractKinds
        self.deployKinds = deployKinds
        self.measureMemory = measureMemory
    }
}

/// Something a sandbox changed so that a run stays inside it.
public struct SandboxRedirection: Sendable, Hashable, CustomStringConvertible {
    /// The task.
    public var task: String
    /// The input: `export_to` or `on_deploy`.
    public var what: String
    /// Its value in the pipeline.
    public var from: String
    /// Where it points now; `nil` when it was skipped.
    public var to: String?

    /// `deploy: export_to build/x.json → /tmp/…/exports/deploy/x.json`, or `deploy: on_deploy skipped (./reload.sh)`.
    public var description: String {
        if let to { return "\(task): \(what) \(from) → \(to)" }
        return "\(task): \(what) skipped (\(from))"
    }
}

/// A run in a sandbox, with what it cost and what it would have sent.
public struct SandboxRun: Sendable {
    /// The finished run.
    public var run: RunRecord
    /// Its tasks.
    public var tasks: [TaskRecord]
    /// Wall time (and peak memory, when sampled) by task id; tasks that did not run are absent.
    public var measurements: [String: TaskMeasurement]
    /// The notifications the pipeline's `notify:` rules would have sent.
    public var notifications: [CapturedNotification]

    /// The record of task `id`.
    public func task(_ id: String) -> TaskRecord? { tasks.first { $0.taskID == id } }
}
