import Foundation
import Logging
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import PipelineFile
import SQLiteData
import PipelineTesting
import Tabular

/// A temporary artifact store and scratch folder for ML kinds, removed by the caller's `withTemporaryDirectory`.
struct MLSandbox {
    /// The scratch folder (a task's working directory).
    let directory: String
    /// Artifacts under `directory/artifacts`.
    let artifacts: LocalArtifactStore

    init(_ directory: String) {
        self.directory = directory
        artifacts = LocalArtifactStore(root: directory + "/artifacts")
    }

    /// The committed fixtures folder.
    static var fixtures: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    }

    /// The 400-row churn fixture.
    static var customersCSV: String { fixtures + "/customers.csv" }

    /// Runs `tasks` as one pipeline through the real executor with an in-memory store and this sandbox's artifacts.
    func run(_ tasks: [TaskSpec], name: String = "ml") async throws -> (run: RunRecord, tasks: [String: TaskRecord]) {
        let store = InMemoryStateStore()
        let kinds = TaskKindRegistry.mlTesting
        let executor = PipelineExecutor(store: store, kinds: kinds, artifacts: artifacts)
        let run = try await executor.run(Plan(Pipeline(name: name, tasks: tasks), knownKinds: kinds.names),
                                         baseDirectory: directory)
        let records = try await store.tasks(of: run.id)
        return (run, Dictionary(uniqueKeysWithValues: records.map { ($0.taskID, $0) }))
    }

    /// Runs one kind directly with `inputs`, as the engine would.
    func runKind(_ kind: any TaskKind, _ inputs: [String: JSONValue], artifacts: Bool = true) async throws -> [String: JSONValue] {
        let context = TaskContext(
            runID: RunID(rawValue: "20261129-150000-abcdef"), pipeline: "ml", taskID: kind.name, attempt: 1,
            action: .uses(kind.name), inputs: inputs, workingDirectory: directory, clock: ManualClock(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            artifacts: artifacts ? self.artifacts : nil, log: { _, _ in })
        return try await kind.run(context)
    }

    /// The frame behind a dataset output.
    func frame(_ reference: JSONValue?) throws -> DataFrame {
        try Datasets.read(path: artifacts.file(for: reference?.stringValue ?? ""))
    }

    /// The model file behind a `model` output.
    func model(_ reference: JSONValue?) throws -> ModelFile {
        try ModelFile.load(path: artifacts.file(for: reference?.stringValue ?? ""))
    }
}

/// A `uses:` task.
func uses(_ id: String, _ kind: String, needs: [String] = [], _ with: [String: JSONValue]) -> TaskSpec {
    TaskSpec(id: id, needs: needs, action: .uses(kind, with: with))
}

/// `${{ tasks.ID.outputs.KEY }}`.
func output(_ task: String, _ key: String) -> JSONValue { .string("${{ tasks.\(task).outputs.\(key) }}") }

extension TaskKindRegistry {
    /// The built-in and ML kinds, reading YAML and SQLite the way `kiln` does.
    static var mlTesting: TaskKindRegistry {
        var kinds = TaskKindRegistry.builtIn
        kinds.registerMLKinds(readers: .testing)
        return kinds
    }
}

extension DataReaders {
    /// YAML and SQLite readers as `kiln` plugs them in.
    static let testing = DataReaders(yaml: YAMLValues.parse, sql: SQLiteQuery.frame)
}
