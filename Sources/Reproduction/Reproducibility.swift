public import ModelRegistry
public import PipelineEngine
import PipelineModel

/// What a registered version's reproduction rests on, read from the records of the run that produced it: which tasks
/// built it, whether each kept its lineage, and which artifacts must be kept for `kiln reproduce` to work.
public struct VersionLineage: Sendable {
    /// The version.
    public var version: ModelVersion
    /// The run that produced it, or `nil` when the run is no longer in the store.
    public var run: RunRecord?
    /// The run's task records.
    public var tasks: [TaskRecord]

    /// Reads the run and tasks of `version` from `states`.
    /// - Throws: The store's errors.
    public static func load(_ version: ModelVersion, states: any StateStore) async throws -> VersionLineage {
        let id = RunID(rawValue: version.runID)
        guard let run = try await states.run(id) else { return VersionLineage(version: version, run: nil, tasks: []) }
        return VersionLineage(version: version, run: run, tasks: try await states.tasks(of: id))
    }

    /// Creates a lineage from records already read.
    public init(version: ModelVersion, run: RunRecord?, tasks: [TaskRecord]) {
        self.version = version
        self.run = run
        self.tasks = tasks
    }

    /// The ids of the tasks a reproduction re-executes, in the snapshot's order: every task upstream of the one that
    /// registered the version (not that task itself, nor what follows it, which act on the registry). When the
    /// registering task is not in the snapshot (a version registered from Swift), every task that succeeded.
    public var buildingTasks: [String] {
        guard let run else { return [] }
        let ids = run.snapshot.tasks.map(\.id)
        guard let register = ids.firstIndex(of: version.task) else {
            let done = Set(tasks.filter { $0.state == .succeeded || $0.state == .cached }.map(\.taskID))
            return ids.filter(done.contains)
        }
        var upstream = Set<Int>()
        var stack = [register]
        while let next = stack.popLast() {
            for need in run.snapshot.tasks[next].needs {
                guard let index = ids.firstIndex(of: need), upstream.insert(index).inserted else { continue }
                stack.append(index)
            }
        }
        return ids.indices.filter(upstream.contains).map { ids[$0] }
    }

    /// The record of task `id`.
    public func record(_ id: String) -> TaskRecord? { tasks.first { $0.taskID == id } }

    /// The artifacts (`sha256:…`) a reproduction of the version needs: the model file, the training data, and every
    /// artifact the outputs of the run's tasks name (the retained inputs `--use-recorded-inputs` substitutes, and the
    /// outputs it compares with). A garbage collector of artifacts must keep all of them while the version exists.
    public var neededArtifacts: [String] {
        var references: Set<String> = [version.artifact, version.dataFingerprint]
        for task in tasks { references.formUnion(artifacts(ofTask: task.taskID)) }
        return references.filter { $0.hasPrefix("sha256:") }.sorted()
    }

    /// The artifacts (`sha256:…`) the recorded outputs of task `id` name, sorted.
    public func artifacts(ofTask id: String) -> [String] {
        var references = Set<String>()
        record(id)?.outputs.map { ArtifactReference.collect(in: .object($0), into: &references) }
        return references.sorted()
    }

    /// Whether `kiln reproduce` can rebuild the version, judged from what was recorded (without running anything):
    /// `nil` when it can, else why not. The files the run read may still have changed since; only a reproduction
    /// tells.
    ///
    /// - Parameter kinds: The task kinds this process has.
    public func obstacle(kinds: Set<String>) -> String? {
        guard let run else {
            return "run \(version.runID) that produced it is no longer in this home"
        }
        for id in buildingTasks {
            guard let spec = run.snapshot.tasks.first(where: { $0.id == id }) else { continue }
            if case .uses(let kind, _) = spec.action, !kinds.contains(kind) {
                return "task \(id) uses kind '\(kind)', which this kiln does not have"
            }
            guard let record = record(id), record.state == .succeeded || record.state == .cached else {
                return "task \(id) did not succeed in run \(version.runID)"
            }
            guard let lineage = record.lineage else {
                return "task \(id) was recorded before Kiln kept lineage (Kiln version, files read, seeds)"
            }
            if Self.isUndeclaredCommand(spec, lineage: lineage) {
                return "task \(id) is a command with no declared inputs: what it reads cannot be checked"
            }
            if lineage.kiln != TaskLineage.currentKilnVersion {
                return "task \(id) ran on Kiln \(lineage.kiln); this is Kiln \(TaskLineage.currentKilnVersion)"
            }
        }
        return nil
    }

    /// Whether `spec` is a command (`run:`/`shell:`) that named no existing file when it ran: it may read anything,
    /// so it is not reproducible by nature.
    static func isUndeclaredCommand(_ spec: TaskSpec, lineage: TaskLineage) -> Bool {
        switch spec.action {
        case .run, .shell: return lineage.files.isEmpty
        case .uses: return false
        }
    }
}
