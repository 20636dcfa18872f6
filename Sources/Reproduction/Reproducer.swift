import Foundation
import MLTasks
public import ModelRegistry
public import PipelineEngine
import PipelineModel
public import PipelineTestRunner
import Tabular

/// Rebuilds a registered model version from the run that produced it — its stored pipeline snapshot, params and
/// recorded lineage — in a throwaway home (``Sandbox``: nothing reaches the real registry, exports or notifications),
/// and compares every task's outputs with the recorded ones and the rebuilt model file with the registered one.
///
/// ```swift
/// let reproducer = Reproducer(registry: registry, states: store, artifacts: artifacts, home: home, sandbox: configuration)
/// let report = try await reproducer.reproduce("fraud-detection@3")
/// print(report.text)  // "fraud-detection@3: identical (…)" or the first divergence, explained
/// ```
public struct Reproducer: Sendable {
    /// The real home's registry (only read).
    public let registry: ModelRegistryService
    /// The real home's runs (only read).
    public let states: any StateStore
    /// The real home's artifacts (only read: recorded outputs are copied into the sandbox).
    public let artifacts: any ArtifactStore
    /// The real home's folder, whose registry the sandbox starts as a copy of.
    public let home: String
    /// How the sandbox runs (its kinds come from the composition root).
    public let sandbox: SandboxConfiguration

    /// Creates a reproducer on a home.
    public init(
        registry: ModelRegistryService, states: any StateStore, artifacts: any ArtifactStore, home: String,
        sandbox: SandboxConfiguration
    ) {
        self.registry = registry
        self.states = states
        self.artifacts = artifacts
        self.home = home
        self.sandbox = sandbox
    }

    /// Reads `MODEL@VERSION` or `MODEL@ALIAS`.
    /// - Throws: ``ReproductionError/badReference(_:)`` without an `@`; `RegistryError` for a malformed one.
    public static func reference(parsing text: String) throws -> ModelReference {
        guard text.contains("@") else { throw ReproductionError.badReference(text) }
        return try ModelReference(parsing: text)
    }

    /// Rebuilds the version `reference` names and compares.
    ///
    /// - Parameters:
    ///   - reference: `MODEL@VERSION` or `MODEL@ALIAS`.
    ///   - useRecordedInputs: For a task whose input files changed since the run, use its recorded outputs (when
    ///     their artifacts are still kept) instead of running it on the current files.
    /// - Returns: The report: identical, or the first divergence explained.
    /// - Throws: ``ReproductionError`` and `RegistryError` for a reference that names no version (usage errors);
    ///   the stores' errors.
    public func reproduce(_ reference: String, useRecordedInputs: Bool = false) async throws -> ReproductionReport {
        let version = try await registry.resolve(try Self.reference(parsing: reference))
        let lineage = try await VersionLineage.load(version, states: states)
        guard let run = lineage.run else {
            return ReproductionReport(
                version: version.reference, run: version.runID, tasks: [], model: (version.artifact, nil),
                divergence: .runMissing(run: version.runID), affected: [], notes: [])
        }
        let scope = lineage.buildingTasks
        let inScope = Set(scope)
        var notes: [String] = []
        let skipped = run.snapshot.tasks.map(\.id).filter { !inScope.contains($0) }
        if !skipped.isEmpty {
            notes.append("not re-run (the registration and what follows it): \(skipped.joined(separator: ", "))")
        }

        // Where the run ran, when it was another Kiln or platform than this one.
        let ranOn = Set(scope.compactMap { lineage.record($0)?.lineage }.map { "Kiln \($0.kiln) on \($0.platform)" })
        let here = "Kiln \(TaskLineage.currentKilnVersion) on \(TaskLineage.currentPlatform)"
        if !ranOn.isEmpty, ranOn != [here] {
            notes.append("the run ran on \(ranOn.sorted().joined(separator: ", ")); this rebuild on \(here)")
        }

        var changes = Self.fileChanges(run: run, lineage: lineage, scope: inScope)

        // Recorded outputs substituted for tasks whose files changed, when the artifacts they name are still kept
        // (every one of them is among the artifacts the version needs).
        var gone = Set<String>()
        for reference in lineage.neededArtifacts where await !kept(reference) { gone.insert(reference) }
        var substituted: [String: [String: JSONValue]] = [:]
        var copies: [String] = []
        var restorable: [String] = []
        for id in scope {
            guard let changed = changes[id], let outputs = lineage.record(id)?.outputs else { continue }
            let references = lineage.artifacts(ofTask: id)
            let missing = references.filter(gone.contains)
            let files = changed.map(\.name).joined(separator: ", ")
            if !useRecordedInputs {
                if missing.isEmpty { restorable.append(id) }
            } else if missing.isEmpty {
                substituted[id] = outputs
                copies += references
                notes.append("task \(id): recorded outputs used instead of re-reading \(files), which changed")
            } else {
                notes.append("task \(id): \(files) changed, and its recorded outputs are no longer kept "
                    + "(\(missing.joined(separator: ", "))): it ran on the current files")
            }
        }
        if !restorable.isEmpty {
            notes.append("the recorded outputs of \(restorable.joined(separator: ", ")) are still kept: "
                + "--use-recorded-inputs rebuilds from them")
        }

        // The rebuild, in a throwaway home.
        var configuration = sandbox
        let kinds = configuration.kinds
        var started: [String: Timestamp] = [:]
        for id in scope { if let start = lineage.record(id)?.lineage?.startedAt { started[id] = start } }
        let (pins, replay) = (started, substituted)
        configuration.kinds = { registry, artifacts in
            kinds(registry, artifacts).replaying(started: pins, substituted: replay)
        }
        configuration.start = run.startedAt ?? run.createdAt
        let box = try Sandbox(configuration: configuration)
        defer { box.remove() }
        try await box.copyRegistry(fromHome: home, artifacts: artifacts)
        notes += try await Self.rewindAliases(of: box.registry, to: run.startedAt ?? run.createdAt)
        for reference in Set(copies) { _ = try await box.artifacts.put(file: try await artifacts.localPath(for: reference)) }
        let known = kinds(box.registry, box.artifacts).names
        var pipeline = run.snapshot
        pipeline.tasks = pipeline.tasks.filter { inScope.contains($0.id) }
        let plan: Plan
        do {
            plan = try Plan(box.isolate(pipeline).pipeline)
        } catch {
            throw ReproductionError.invalidSnapshot(run: run.id.rawValue, reason: "\(error)")
        }
        let rebuilt = try await box.execute(plan, params: run.params, baseDirectory: run.baseDirectory)

        let (comparisons, diverged, roots) = Self.compare(
            plan: plan, run: run, lineage: lineage, rebuilt: rebuilt, substituted: Set(substituted.keys))

        // Files the rebuild read that the run did not (a new file in a folder or glob).
        for id in scope where substituted[id] == nil {
            guard let then = lineage.record(id)?.lineage?.files, let now = rebuilt.task(id)?.lineage?.files else { continue }
            for name in now.keys.sorted() where then[name] == nil {
                changes[id, default: []].append(FileChange(name: name, recorded: nil, current: now[name]))
            }
        }

        var divergence: Divergence?
        var affected: [String] = []
        if let root = roots.first {
            let spec = plan.pipeline.tasks[root]
            divergence = await explain(spec, run: run, lineage: lineage, rebuilt: rebuilt, changes: changes[spec.id] ?? [],
                                       known: known, sandbox: box)
            affected = plan.order.filter { diverged.contains($0) && plan.isUpstream(root, of: $0) }
                .map { plan.pipeline.tasks[$0].id }
            for other in roots.dropFirst() {
                notes.append("task \(plan.pipeline.tasks[other].id) also diverges, independently of \(spec.id)")
            }
        }
        for (id, changed) in changes.sorted(by: { $0.key < $1.key }) where substituted[id] == nil {
            guard let index = plan.index[id], !diverged.contains(index) else { continue }
            notes.append("task \(id): \(changed.map(\.name).joined(separator: ", ")) changed, yet its outputs are the same")
        }

        let model = Self.modelFile(of: version, run: run, lineage: lineage, rebuilt: rebuilt, scope: inScope)
        if divergence == nil, model.rebuilt != model.registered {
            divergence = .modelDiffers(registered: model.registered, rebuilt: model.rebuilt)
        }
        return ReproductionReport(
            version: version.reference, run: run.id.rawValue, tasks: comparisons, model: model, divergence: divergence,
            affected: affected, notes: notes)
    }

    /// The files each task in `scope` read in the run that are not what they were (changed or gone), by task.
    static func fileChanges(run: RunRecord, lineage: VersionLineage, scope: Set<String>) -> [String: [FileChange]] {
        var changes: [String: [FileChange]] = [:]
        for spec in run.snapshot.tasks where scope.contains(spec.id) {
            guard let recorded = lineage.record(spec.id)?.lineage else { continue }
            let directory = workingDirectory(of: spec, run: run)
            for (name, facts) in recorded.files.sorted(by: { $0.key < $1.key }) {
                let current = FileFacts.read(name.hasPrefix("/") ? name : directory + "/" + name)
                if current?.digest != facts.digest {
                    changes[spec.id, default: []].append(FileChange(name: name, recorded: facts, current: current))
                }
            }
        }
        return changes
    }

    /// Each rebuilt task's outputs against the recorded ones, in the plan's order; the tasks (plan indices) whose
    /// outputs differ or that failed; and of those, the roots: the ones with no diverged task upstream.
    static func compare(
        plan: Plan, run: RunRecord, lineage: VersionLineage, rebuilt: SandboxRun, substituted: Set<String>
    ) -> (comparisons: [ReproductionReport.TaskComparison], diverged: Set<Int>, roots: [Int]) {
        var comparisons: [ReproductionReport.TaskComparison] = []
        var diverged = Set<Int>()
        var roots: [Int] = []
        for index in plan.order {
            let spec = plan.pipeline.tasks[index]
            let now = rebuilt.task(spec.id)
            let status: String
            var differing: [String] = []
            if substituted.contains(spec.id) {
                status = "substituted"
            } else if now?.state == .failed || now?.state == .cancelled {
                status = "failed"
            } else {
                differing = differingKeys(lineage.record(spec.id), now, directory: workingDirectory(of: spec, run: run))
                status = differing.isEmpty ? "identical" : "differs"
            }
            comparisons.append(.init(task: spec.id, status: status, differing: differing))
            guard status == "failed" || status == "differs" else { continue }
            if !plan.upstream(of: index).contains(where: diverged.contains) { roots.append(index) }
            diverged.insert(index)
        }
        return (comparisons, diverged, roots)
    }

    /// The registered model file and the rebuilt one: found through the task output that held it in the run, as an
    /// artifact or as the path of a file with its content.
    static func modelFile(
        of version: ModelVersion, run: RunRecord, lineage: VersionLineage, rebuilt: SandboxRun, scope: Set<String>
    ) -> (registered: String, rebuilt: String?) {
        for spec in run.snapshot.tasks where scope.contains(spec.id) {
            let directory = workingDirectory(of: spec, run: run)
            for (key, value) in lineage.record(spec.id)?.outputs ?? [:]
            where contentAddress(value, directory: directory) == version.artifact {
                return (version.artifact, rebuilt.task(spec.id)?.outputs?[key].flatMap { contentAddress($0, directory: directory) })
            }
        }
        return (version.artifact, nil)
    }

    /// Why `spec`, the first task whose outputs differ, differs.
    private func explain(
        _ spec: TaskSpec, run: RunRecord, lineage: VersionLineage, rebuilt: SandboxRun, changes: [FileChange],
        known: Set<String>, sandbox: Sandbox
    ) async -> Divergence {
        let recorded = lineage.record(spec.id)
        let now = rebuilt.task(spec.id)
        let keys = Self.differingKeys(recorded, now, directory: Self.workingDirectory(of: spec, run: run))
        if case .uses(let kind, _) = spec.action, !known.contains(kind) {
            return .missingKind(task: spec.id, kind: kind)
        }
        if let change = changes.first {
            var rows: RowDifference?
            if let then = recorded?.outputs?["data"]?.stringValue, let current = now?.outputs?["data"]?.stringValue,
                then.hasPrefix("sha256:"), current.hasPrefix("sha256:")
            {
                rows = await Self.rowDifference(then, in: artifacts, current, in: sandbox.artifacts)
            }
            return .inputChanged(task: spec.id, file: change.name, recorded: change.recorded, current: change.current, rows: rows)
        }
        if now?.state == .failed || now?.state == .cancelled {
            return .failed(task: spec.id, error: now?.error ?? "failed")
        }
        guard let record = recorded, let taskLineage = record.lineage else { return .noLineage(task: spec.id, keys: keys) }
        if VersionLineage.isUndeclaredCommand(spec, lineage: taskLineage) {
            return .undeclaredInputs(task: spec.id, keys: keys)
        }
        if taskLineage.kiln != TaskLineage.currentKilnVersion {
            return .kilnVersion(task: spec.id, recorded: taskLineage.kiln, current: TaskLineage.currentKilnVersion, keys: keys)
        }
        let then = JSONValue.object((record.outputs ?? [:]).filter { keys.contains($0.key) })
        let current = JSONValue.object((now?.outputs ?? [:]).filter { keys.contains($0.key) })
        return .outputsDiffer(task: spec.id, keys: keys, recorded: then, rebuilt: current)
    }

    /// Moves every alias of `registry` (the sandbox's copy) back to the version it pointed at `time`, so that
    /// `NAME@production` resolves in the rebuild as it did in the run. An alias created after `time` stays.
    /// - Returns: One note per alias moved.
    static func rewindAliases(of registry: ModelRegistryService, to time: Timestamp) async throws -> [String] {
        var notes: [String] = []
        for model in try await registry.store.models() {
            for (alias, current) in model.aliases.sorted(by: { $0.key < $1.key }) {
                guard let then = model.history.last(where: { $0.alias == alias && $0.at <= time })?.to, then != current
                else { continue }
                _ = try await registry.promote(
                    model.name, version: then, alias: alias, reason: "as when the run started", actor: "kiln reproduce",
                    at: time)
                notes.append("registry: \(model.name)@\(alias) resolves to version \(then) as when the run started "
                    + "(it points at version \(current) now)")
            }
        }
        return notes
    }

    /// Whether the artifact `reference` is still in the real home's store.
    private func kept(_ reference: String) async -> Bool {
        (try? await artifacts.contains(reference)) ?? false
    }

    /// The output keys whose values differ between the recorded and rebuilt records (a task that ran on one side
    /// only differs in every key it has). Two paths of files with the same content are the same value (a command
    /// that names its output file after the run).
    static func differingKeys(_ recorded: TaskRecord?, _ rebuilt: TaskRecord?, directory: String) -> [String] {
        func done(_ record: TaskRecord?) -> Bool { record?.state == .succeeded || record?.state == .cached }
        let then = done(recorded) ? recorded?.outputs ?? [:] : [:]
        let now = done(rebuilt) ? rebuilt?.outputs ?? [:] : [:]
        if done(recorded) != done(rebuilt) {
            let keys = Set(then.keys).union(now.keys).sorted()
            return keys.isEmpty ? ["(state: \(recorded?.state.rawValue ?? "none") → \(rebuilt?.state.rawValue ?? "none"))"] : keys
        }
        return Set(then.keys).union(now.keys).filter { key in
            guard then[key] != now[key] else { return false }
            guard let old = then[key].flatMap({ contentAddress($0, directory: directory) }),
                let new = now[key].flatMap({ contentAddress($0, directory: directory) })
            else { return true }
            return old != new
        }.sorted()
    }

    /// The content address of an output value: itself for an artifact reference (`sha256:…`), `sha256:` and the
    /// digest of the regular file a path names (relative to `directory`), else `nil`.
    static func contentAddress(_ value: JSONValue, directory: String) -> String? {
        guard let text = value.stringValue, !text.isEmpty, text.utf8.count < 4096 else { return nil }
        if text.hasPrefix("sha256:") { return text }
        return FileFacts.read(text.hasPrefix("/") ? text : directory + "/" + text)?.digest
    }

    /// The folder a task's relative file names resolve against.
    static func workingDirectory(of spec: TaskSpec, run: RunRecord) -> String {
        guard let workdir = spec.workdir, !workdir.containsTemplateMarker else { return run.baseDirectory }
        return workdir.hasPrefix("/") ? workdir : run.baseDirectory + "/" + workdir
    }

    /// The data rows that differ between two stored datasets; `nil` when either cannot be read.
    static func rowDifference(
        _ recorded: String, in recordedStore: any ArtifactStore, _ rebuilt: String, in rebuiltStore: any ArtifactStore
    ) async -> RowDifference? {
        guard
            let then = try? await Datasets.load(recorded, artifacts: recordedStore, workingDirectory: "/", what: "recorded data"),
            let now = try? await Datasets.load(rebuilt, artifacts: rebuiltStore, workingDirectory: "/", what: "rebuilt data")
        else { return nil }
        var rows: [Int] = []
        var count = 0
        var firstRow: [String] = []
        let names = Array(Set(then.columnNames).union(now.columnNames)).sorted()
        for row in 0..<max(then.rowCount, now.rowCount) {
            var columns: [String] = []
            for name in names {
                let old = row < then.rowCount ? then[name]?[row] : nil
                let new = row < now.rowCount ? now[name]?[row] : nil
                if old != new {
                    columns.append("\(name): \(old.map(\.description) ?? "—") → \(new.map(\.description) ?? "—")")
                }
            }
            guard !columns.isEmpty else { continue }
            count += 1
            if rows.count < RowDifference.shown { rows.append(row + 1) }
            if firstRow.isEmpty { firstRow = columns }
        }
        return RowDifference(recordedRows: then.rowCount, currentRows: now.rowCount, rows: rows, count: count, firstRow: firstRow)
    }
}

/// A file a task read that is not what it was.
struct FileChange: Sendable {
    /// The name the task gave it.
    let name: String
    /// Its facts when the run read it; `nil` when the run did not read it (a new file in a folder or glob).
    let recorded: FileFacts?
    /// Its facts now; `nil` when it is gone.
    let current: FileFacts?
}

/// Why `kiln reproduce` could not start.
public enum ReproductionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The version was not named as `MODEL@VERSION` or `MODEL@ALIAS`.
    case badReference(String)
    /// The stored pipeline snapshot of the run no longer forms a valid plan.
    case invalidSnapshot(run: String, reason: String)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .badReference(let text):
            return "'\(text)' does not name a version: use MODEL@VERSION or MODEL@ALIAS, such as "
                + "\(text.isEmpty ? "fraud" : text)@3 or \(text.isEmpty ? "fraud" : text)@production (see `kiln models`)"
        case .invalidSnapshot(let run, let reason):
            return "the pipeline stored with run \(run) cannot be planned again: \(reason)"
        }
    }
}
