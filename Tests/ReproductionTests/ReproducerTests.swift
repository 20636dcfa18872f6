import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import PipelineTestRunner
import Reproduction
import Synchronization
import Testing

/// A real home in a temporary folder (SQLite store, registry and artifacts) with a two-task pipeline: `build` reads a
/// file and stores a "model" artifact, `register` stands for the registering task. A version is registered from the
/// run, as `register-model` would.
final class Home: Sendable {
    let folder: String
    let store: SQLiteStateStore
    let registry: ModelRegistryService
    let artifacts: LocalArtifactStore
    /// Whether `build` adds a fresh counter value to what it stores (a kind that is not deterministic).
    let flaky = Counter()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-repro-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try SQLiteStateStore(path: SQLiteStateStore.defaultPath(home: folder))
        registry = ModelRegistryService(store: SQLiteRegistryStore(sharingDatabaseOf: store))
        artifacts = LocalArtifactStore(root: folder + "/artifacts")
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    /// The kinds, on any artifact store (the home's, or a sandbox's).
    func kinds(_ artifacts: any ArtifactStore) -> TaskKindRegistry {
        var kinds = TaskKindRegistry()
        let flaky = self.flaky
        kinds.register("build") { context in
            let source = context.inputs["source"]?.stringValue ?? ""
            var text = try String(contentsOfFile: context.workingDirectory + "/" + source, encoding: .utf8)
            text += "trained at \(context.startedAt.iso8601)\n"
            if let counter = flaky.next() {
                text += "draw \(counter)\n"
            }
            let temporary = NSTemporaryDirectory() + "kiln-repro-model-\(UUID().uuidString)"
            try text.write(toFile: temporary, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            return ["model": .string(try await artifacts.put(file: temporary)), "lines": .number(Double(text.split(separator: "\n").count))]
        }
        kinds.register("register") { _ in [:] }
        // Writes its model to a file named after the run, as scripts do, and outputs the path.
        kinds.register("script") { context in
            let name = "model-\(context.runID.rawValue).txt"
            try "weights 1 2 3\n".write(toFile: context.workingDirectory + "/" + name, atomically: true, encoding: .utf8)
            return ["model": .string(name)]
        }
        // Reads every file of a folder, reporting each one read.
        kinds.register("gather") { context in
            let folder = context.workingDirectory + "/" + (context.inputs["folder"]?.stringValue ?? "")
            var text = ""
            for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
                context.recordRead(folder + "/" + name)
                text += try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            }
            let temporary = NSTemporaryDirectory() + "kiln-repro-model-\(UUID().uuidString)"
            try text.write(toFile: temporary, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            return ["model": .string(try await artifacts.put(file: temporary))]
        }
        return kinds
    }

    static let pipeline = Pipeline(name: "repro", tasks: [
        TaskSpec(id: "build", action: .uses("build", with: ["source": "source.txt", "seed": 3])),
        TaskSpec(id: "register", needs: ["build"], action: .uses("register", with: [:])),
    ])

    /// The same with a task that reads a folder.
    static let folderPipeline = Pipeline(name: "repro", tasks: [
        TaskSpec(id: "build", action: .uses("gather", with: ["folder": "in"])),
        TaskSpec(id: "register", needs: ["build"], action: .uses("register", with: [:])),
    ])

    /// Runs the pipeline and registers `model@1` from it.
    @discardableResult
    func runAndRegister(_ pipeline: Pipeline = Home.pipeline) async throws -> ModelVersion {
        let executor = PipelineExecutor(store: store, kinds: kinds(artifacts), artifacts: artifacts)
        let run = try await executor.run(try Plan(pipeline), baseDirectory: folder)
        #expect(run.state == .succeeded)
        let model = try #require(try await store.tasks(of: run.id).first { $0.taskID == "build" }?.outputs?["model"]?.stringValue)
        return try await registry.register(
            NewVersion(model: "model", artifact: model, dataFingerprint: model, runID: run.id.rawValue, pipeline: "repro",
                       task: "register"),
            idempotencyKey: "\(run.id)/register", at: Timestamp(millisecondsSince1970: 0))
    }

    var reproducer: Reproducer {
        Reproducer(
            registry: registry, states: store, artifacts: artifacts, home: folder,
            sandbox: SandboxConfiguration(kinds: { [self] _, artifacts in kinds(artifacts) }))
    }
}

/// A counter that counts once started: what makes `build` give other bytes each time.
final class Counter: Sendable {
    private let value = Mutex<Int?>(nil)

    func start() { value.withLock { $0 = 0 } }

    /// The next value, or `nil` when not started.
    func next() -> Int? {
        value.withLock { value in
            value = value.map { $0 + 1 }
            return value
        }
    }
}

@Suite("Reproducer") struct ReproducerTests {
    @Test("a deterministic build reproduces identically, the registering task and what follows are not re-run")
    func identical() async throws {
        let home = try Home()
        try home.write("source.txt", "a\nb\n")
        let version = try await home.runAndRegister()
        let report = try await home.reproducer.reproduce("model@1")
        #expect(report.identical, "\(report.text)")
        #expect(report.model?.registered == version.artifact)
        #expect(report.model?.rebuilt == version.artifact)
        #expect(report.tasks.map(\.task) == ["build"])
        #expect(report.tasks.map(\.status) == ["identical"])
        #expect(report.notes.contains("not re-run (the registration and what follows it): register"))
        #expect(report.text.hasPrefix("model@1: identical (run "))
        #expect(try await home.registry.model("model").versions.count == 1)
    }

    @Test("a kind that gives other outputs from the same inputs is named, with both values")
    func nondeterministic() async throws {
        let home = try Home()
        try home.write("source.txt", "a\nb\n")
        home.flaky.start()
        let version = try await home.runAndRegister()
        let report = try await home.reproducer.reproduce("model@1")
        guard case .outputsDiffer(let task, let keys, let recorded, let rebuilt) = report.divergence else {
            Issue.record("expected outputsDiffer, got \(String(describing: report.divergence))")
            return
        }
        #expect(task == "build")
        #expect(keys == ["model"])
        #expect(recorded == ["model": .string(version.artifact)])
        #expect(rebuilt != recorded)
        #expect(report.text.contains("not reproduced — task build gave different outputs (model) from the same inputs"))
        #expect(report.model?.rebuilt != version.artifact)
    }

    @Test("a changed input file is the reason, with both digests; recorded outputs substitute for it")
    func changedInput() async throws {
        let home = try Home()
        try home.write("source.txt", "a\nb\n")
        try await home.runAndRegister()
        try home.write("source.txt", "a\nc\n")
        let report = try await home.reproducer.reproduce("model@1")
        guard case .inputChanged(let task, let file, let recorded, let current, let rows) = report.divergence else {
            Issue.record("expected inputChanged, got \(String(describing: report.divergence))")
            return
        }
        #expect(task == "build" && file == "source.txt" && rows == nil)
        #expect(recorded?.bytes == 4 && current?.bytes == 4 && recorded?.digest != current?.digest)
        #expect(report.notes.contains("the recorded outputs of build are still kept: --use-recorded-inputs rebuilds from them"))

        let substituted = try await home.reproducer.reproduce("model@1", useRecordedInputs: true)
        #expect(substituted.identical, "\(substituted.text)")
        #expect(substituted.tasks.map(\.status) == ["substituted"])

        // Once the recorded model file is gone, there is nothing to substitute: the task runs on the current file.
        let version = try await home.registry.resolve(try Reproducer.reference(parsing: "model@1"))
        try FileManager.default.removeItem(atPath: try home.artifacts.file(for: version.artifact))
        let unkept = try await home.reproducer.reproduce("model@1", useRecordedInputs: true)
        #expect(unkept.notes.contains(
            "task build: source.txt changed, and its recorded outputs are no longer kept (\(version.artifact)): it ran on the current files"),
            "\(unkept.notes)")
        guard case .inputChanged = unkept.divergence else {
            Issue.record("expected inputChanged, got \(String(describing: unkept.divergence))")
            return
        }

        try FileManager.default.removeItem(atPath: home.folder + "/source.txt")
        let gone = try await home.reproducer.reproduce("model@1")
        guard case .inputChanged(_, _, _, nil, _) = gone.divergence else {
            Issue.record("expected a missing file, got \(String(describing: gone.divergence))")
            return
        }
        #expect(gone.text.contains("input file source.txt of task build is gone since the run"))
    }

    @Test("the files a kind reports reading from a folder are recorded; a changed one and a new one are named")
    func folderInputs() async throws {
        let home = try Home()
        try FileManager.default.createDirectory(atPath: home.folder + "/in", withIntermediateDirectories: true)
        try home.write("in/a.txt", "a\n")
        let version = try await home.runAndRegister(Home.folderPipeline)
        let lineage = try await VersionLineage.load(version, states: home.store)
        #expect(lineage.record("build")?.lineage?.files.keys.sorted() == ["in/a.txt"])
        #expect(try await home.reproducer.reproduce("model@1").identical)

        try home.write("in/b.txt", "b\n")
        let added = try await home.reproducer.reproduce("model@1")
        guard case .inputChanged("build", "in/b.txt", nil, .some, _) = added.divergence else {
            Issue.record("expected a new file, got \(String(describing: added.divergence))")
            return
        }
        #expect(added.text.contains("input file in/b.txt of task build is new since the run"))
        try FileManager.default.removeItem(atPath: home.folder + "/in/b.txt")
        try home.write("in/a.txt", "A\n")
        let changed = try await home.reproducer.reproduce("model@1", useRecordedInputs: true)
        #expect(changed.identical, "\(changed.text)")
        #expect(changed.notes.contains("task build: recorded outputs used instead of re-reading in/a.txt, which changed"))
    }

    @Test("a path output is compared by the content of the file it names; the model file is found through it")
    func pathOutputs() async throws {
        let home = try Home()
        let executor = PipelineExecutor(store: home.store, kinds: home.kinds(home.artifacts), artifacts: home.artifacts)
        let pipeline = Pipeline(name: "script", tasks: [
            TaskSpec(id: "train", action: .uses("script", with: [:])),
            TaskSpec(id: "register", needs: ["train"], action: .uses("register", with: [:])),
        ])
        let run = try await executor.run(try Plan(pipeline), baseDirectory: home.folder)
        let path = home.folder + "/model-\(run.id.rawValue).txt"
        let artifact = try await home.artifacts.put(file: path)
        try await home.registry.register(
            NewVersion(model: "script", artifact: artifact, dataFingerprint: artifact, runID: run.id.rawValue,
                       pipeline: "script", task: "register"),
            idempotencyKey: "\(run.id)/register", at: Timestamp(millisecondsSince1970: 0))
        let report = try await home.reproducer.reproduce("script@1")
        #expect(report.identical, "\(report.text)")
        #expect(report.model?.rebuilt == artifact)

        try "weights 1 2 4\n".write(toFile: path, atomically: true, encoding: .utf8)
        let changed = try await home.reproducer.reproduce("script@1")
        #expect(changed.tasks.map(\.status) == ["differs"])
    }

    @Test("another Kiln version is noted when the rebuild matches, and named as the reason when it does not")
    func otherKilnVersion() async throws {
        let home = try Home()
        try home.write("source.txt", "a\n")
        let version = try await home.runAndRegister()
        let id = RunID(rawValue: version.runID)
        var record = try #require(try await home.store.tasks(of: id).first { $0.taskID == "build" })
        record.lineage?.kiln = "0.0.9"
        record.lineage?.platform = "macos-arm64"
        try await home.store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: record, expected: nil)]))

        let same = try await home.reproducer.reproduce("model@1")
        #expect(same.identical)
        #expect(same.notes.contains(
            "the run ran on Kiln 0.0.9 on macos-arm64; this rebuild on Kiln \(TaskLineage.currentKilnVersion) on \(TaskLineage.currentPlatform)"),
            "\(same.notes)")
        home.flaky.start()
        let other = try await home.reproducer.reproduce("model@1")
        guard case .kilnVersion("build", "0.0.9", TaskLineage.currentKilnVersion, ["lines", "model"]) = other.divergence else {
            Issue.record("expected kilnVersion, got \(String(describing: other.divergence))")
            return
        }
    }

    @Test("a reference without @ or naming nothing is refused before anything runs")
    func references() async throws {
        let home = try Home()
        await #expect(throws: ReproductionError.badReference("model")) { try await home.reproducer.reproduce("model") }
        await #expect(throws: RegistryError.unknownModel("model")) { try await home.reproducer.reproduce("model@1") }
        try home.write("source.txt", "a\n")
        try await home.runAndRegister()
        await #expect(throws: RegistryError.self) { try await home.reproducer.reproduce("model@2") }
        await #expect(throws: RegistryError.self) { try await home.reproducer.reproduce("model@staging") }
    }
}

@Suite("VersionLineage") struct VersionLineageTests {
    @Test("the lineage lists the artifacts a version needs, and whether it is reproducible and why not")
    func lineage() async throws {
        let home = try Home()
        try home.write("source.txt", "a\nb\n")
        let version = try await home.runAndRegister()
        let lineage = try await VersionLineage.load(version, states: home.store)
        #expect(lineage.buildingTasks == ["build"])
        #expect(lineage.neededArtifacts == [version.artifact])
        #expect(lineage.obstacle(kinds: ["build", "register"]) == nil)
        let build = try #require(lineage.record("build")?.lineage)
        #expect(build.seeds == [3])
        #expect(build.files["source.txt"]?.bytes == 4)
        #expect(build.kiln == TaskLineage.currentKilnVersion)

        #expect(lineage.obstacle(kinds: ["register"]) == "task build uses kind 'build', which this kiln does not have")
        var older = lineage
        older.tasks = older.tasks.map { var record = $0; record.lineage?.kiln = "0.0.9"; return record }
        #expect(older.obstacle(kinds: ["build"]) == "task build ran on Kiln 0.0.9; this is Kiln \(TaskLineage.currentKilnVersion)")
        var unrecorded = lineage
        unrecorded.tasks = unrecorded.tasks.map { var record = $0; record.lineage = nil; return record }
        #expect(unrecorded.obstacle(kinds: ["build"])
            == "task build was recorded before Kiln kept lineage (Kiln version, files read, seeds)")
        let gone = VersionLineage(version: version, run: nil, tasks: [])
        #expect(gone.obstacle(kinds: ["build"]) == "run \(version.runID) that produced it is no longer in this home")
        #expect(gone.buildingTasks.isEmpty)
    }

    @Test("a command that names no file is not reproducible by nature; one that names its input is")
    func commands() async throws {
        let home = try Home()
        try home.write("source.txt", "a\n")
        let version = try await home.runAndRegister()
        let lineage = try await VersionLineage.load(version, states: home.store)
        guard var run = lineage.run else { Issue.record("no run"); return }
        run.snapshot.tasks[0].action = .run(["./train.sh"])
        var record = try #require(lineage.record("build"))
        record.lineage?.files = [:]
        let command = VersionLineage(version: version, run: run, tasks: [record])
        #expect(command.obstacle(kinds: []) == "task build is a command with no declared inputs: what it reads cannot be checked")
        record.lineage?.files = ["train.sh": FileFacts(digest: "sha256:" + String(repeating: "0", count: 64), bytes: 10)]
        #expect(VersionLineage(version: version, run: run, tasks: [record]).obstacle(kinds: []) == nil)
    }
}

@Suite("Divergence reports") struct DivergenceReportTests {
    @Test("rows then and now, and the rows that differ, read as one line")
    func rowDifference() {
        let one = RowDifference(recordedRows: 20_000, currentRows: 20_000, rows: [17], count: 1, firstRow: ["amount: 18.2 → 9999.99"])
        #expect(one.description == "rows: 20000 then, 20000 now; 1 row differs: row 17 (row 17: amount: 18.2 → 9999.99)")
        let many = RowDifference(recordedRows: 3, currentRows: 40, rows: Array(4...13), count: 37, firstRow: ["x: — → 1"])
        #expect(many.description.hasPrefix("rows: 3 then, 40 now; 37 rows differ: rows 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, … (row 4: x: — → 1)"))
        #expect(RowDifference(recordedRows: 5, currentRows: 5, rows: [], count: 0, firstRow: []).description
            == "rows: 5 then, 5 now; every row is the same")
    }

    @Test("every divergence has a kind, a summary and the task in its JSON form")
    func json() {
        let facts = FileFacts(digest: "sha256:" + String(repeating: "a", count: 64), bytes: 10, rows: 2)
        let divergences: [Divergence] = [
            .inputChanged(task: "extract", file: "x.csv", recorded: facts, current: nil, rows: nil),
            .undeclaredInputs(task: "fetch", keys: ["n"]),
            .kilnVersion(task: "t", recorded: "0.0.9", current: "0.1.0", keys: ["m"]),
            .missingKind(task: "t", kind: "score"), .noLineage(task: "t", keys: ["m"]),
            .outputsDiffer(task: "t", keys: ["m"], recorded: ["m": 1], rebuilt: ["m": 2]),
            .failed(task: "t", error: "boom"), .modelDiffers(registered: "sha256:a", rebuilt: nil), .runMissing(run: "r1"),
        ]
        let kinds = divergences.compactMap { $0.json.objectValue?["kind"]?.stringValue }
        #expect(kinds == ["input_changed", "undeclared_inputs", "kiln_version", "missing_kind", "no_lineage", "outputs_differ",
                          "failed", "model_differs", "run_missing"])
        for divergence in divergences {
            #expect(!divergence.summary.isEmpty && !divergence.summary.contains("\n"))
            #expect(divergence.json.objectValue?["task"] == divergence.task.map(JSONValue.string) ?? .null)
        }
    }
}
