import Foundation
import DeploymentTasks
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Tabular
import Testing

/// The monitoring rules end to end with the real kinds: a model trained and registered (keeping its reference
/// scores), promoted, then `drift: {on: predictions}` and `performance: {data: …}` evaluated by the trigger evaluator
/// at manual-clock times.
@Suite("Monitoring triggers")
struct MonitoringTriggerTests {
    let store = InMemoryStateStore()
    let registryStore = InMemoryRegistryStore()
    var registry: ModelRegistryService { ModelRegistryService(store: registryStore) }
    let clock = ManualClock(now: Timestamp(iso8601: "2026-12-01T12:00:00Z")!)

    /// split → train (logistic) → register (`reference_data` when `keepScores`), then promote the version.
    func trainAndRegister(in folder: String, keepScores: Bool = true) async throws -> (run: RunRecord, outputs: [String: JSONValue]) {
        let artifacts = LocalArtifactStore(root: folder + "/artifacts")
        var kinds = TaskKindRegistry.mlTesting
        kinds.registerDeploymentKinds(registry: registry, artifacts: artifacts,
                                      legacyLedgerPath: folder + "/deployments.json", scoring: nil)
        var register: [String: JSONValue] = [
            "name": "churn", "model": output("train", "model"), "metrics": ["threshold": 0.5],
        ]
        if keepScores { register["reference_data"] = output("split", "test") }
        // An engineered column computed by a features task, as examples/fraud-detection does: raw rows lack it,
        // and the monitoring rules recompute it with this run's fitted transform (LineageFeatures).
        let tasks = [
            uses("features", "features", [
                "data": .string(MLSandbox.customersCSV),
                "transforms": [["product": ["left": "tenure", "right": "support_calls", "as": "tenure_x_calls"]]],
            ]),
            uses("split", "split", needs: ["features"], [
                "data": output("features", "data"), "label": "churned", "test_size": 0.25, "seed": 42,
            ]),
            uses("train", "train", needs: ["split"], [
                "data": output("split", "train"), "label": "churned", "algorithm": "logistic",
                "exclude": ["id", "signup_date", "monthly_spend"],
            ]),
            uses("register", "register-model", needs: ["train"], register),
        ]
        let executor = PipelineExecutor(store: store, kinds: kinds, clock: clock, artifacts: artifacts)
        let run = try await executor.run(try Plan(Pipeline(name: "churn", tasks: tasks), knownKinds: kinds.names),
                                         baseDirectory: folder)
        #expect(run.state == .succeeded)
        let records = try await store.tasks(of: run.id)
        let outputs = records.first { $0.taskID == "register" }?.outputs ?? [:]
        let version = Int(outputs["version"]?.numberValue ?? 0)
        try await registry.promote("churn", version: version, actor: "test", at: clock.now)
        return (run, outputs)
    }

    /// The customers fixture with `tenure` and `support_calls` pushed (churn scores move), as a CSV in `folder`.
    func shiftedCustomers(in folder: String) throws -> String {
        var frame = try Datasets.read(path: MLSandbox.customersCSV)
        let tenure = frame["tenure"]!.numericValues!.map { $0.map { max(0, $0 - 30) } }
        let calls = frame["support_calls"]!.numericValues!.map { $0.map { $0 + 4 } }
        _ = try frame.removeColumn("tenure")
        _ = try frame.removeColumn("support_calls")
        try frame.addColumn(Column(name: "tenure", doubles: tenure))
        try frame.addColumn(Column(name: "support_calls", doubles: calls))
        let path = folder + "/shifted.csv"
        try CSVWriter().write(frame, to: path)
        return path
    }

    func evaluate(_ triggers: TriggerSpec, folder: String, inputs: any TriggerInputs) async throws -> TriggerDecision {
        try await TriggerEvaluator().evaluate(
            Pipeline(name: "retrain", tasks: [TaskSpec(id: "t", action: .uses("noop", with: [:]))], triggers: triggers),
            baseDirectory: folder, at: clock.now, state: nil, history: RunHistory(), inputs: inputs)
    }

    func inputs(_ folder: String, runs: (any StateStore)?) -> StoreTriggerInputs {
        let artifacts = LocalArtifactStore(root: folder + "/artifacts")
        return StoreTriggerInputs(
            registry: registryStore, metrics: registryStore,
            drift: ModelDriftEvaluator(registry: registry, artifacts: artifacts, runs: runs),
            performance: LabelledPerformance(registry: registry, artifacts: artifacts, runs: runs))
    }

    @Test("register-model keeps the test split's scores; prediction drift fires on shifted data, not on the same data")
    func predictionDrift() async throws {
        try await withTemporaryDirectory { folder in
            let (_, outputs) = try await trainAndRegister(in: folder)
            let reference = try #require(outputs["reference_scores"]?.stringValue)
            #expect(reference.hasPrefix("sha256:"))
            let artifacts = LocalArtifactStore(root: folder + "/artifacts")
            let modelFile = try ModelFile.load(path: artifacts.file(for: try #require(outputs["artifact"]?.stringValue)))
            #expect(modelFile.inputSchema["tenure_x_calls"] != nil, "the model reads the engineered column")
            let scores = try Datasets.read(path: artifacts.file(for: reference))
            #expect(scores.columnNames == ["score", "label"] && scores.rowCount == 100)

            let shifted = try shiftedCustomers(in: folder)
            let fires = try await evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: shifted, on: .predictions)), folder: folder,
                inputs: inputs(folder, runs: store))
            let verdict = try #require(fires.verdicts.first { $0.type == "drift" })
            #expect(verdict.fires)
            #expect(verdict.evidence.hasPrefix("drift: predictions of churn@1 drifted: score ks p "), "\(verdict.evidence)")
            #expect(verdict.evidence.contains("400 rows vs 100 reference scores"), "\(verdict.evidence)")

            let same = try await evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: MLSandbox.customersCSV, on: .predictions)),
                folder: folder, inputs: inputs(folder, runs: store))
            let stable = try #require(same.verdicts.first { $0.type == "drift" })
            #expect(!stable.fires, "\(stable.evidence)")
            #expect(stable.evidence.hasPrefix("drift: predictions of churn@1 did not drift: score ks p "), "\(stable.evidence)")

            let both = try await evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: shifted, on: .both)), folder: folder,
                inputs: inputs(folder, runs: store))
            let combined = try #require(both.verdicts.first { $0.type == "drift" })
            #expect(combined.fires)
            #expect(combined.evidence.hasPrefix("drift: columns: "), "\(combined.evidence)")
            #expect(combined.evidence.contains("; predictions of churn@1 drifted: "), "\(combined.evidence)")
        }
    }

    @Test("a version registered without reference scores falls back to its run's test split, else says why")
    func fallback() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await trainAndRegister(in: folder, keepScores: false)
            let shifted = try shiftedCustomers(in: folder)
            let rule = TriggerSpec(drift: DriftRule(model: "churn", current: shifted, on: .predictions))
            let decision = try await evaluate(rule, folder: folder, inputs: inputs(folder, runs: store))
            let verdict = try #require(decision.verdicts.first { $0.type == "drift" })
            #expect(verdict.fires, "\(verdict.evidence)")

            let drift = try await PredictionDrift.evaluate(
                model: "churn", current: shifted, method: "auto", registry: registry, runs: store,
                artifacts: LocalArtifactStore(root: folder + "/artifacts"), baseDirectory: folder)
            #expect(drift.drift.referenceRows == 100)

            let blind = try await evaluate(rule, folder: folder, inputs: inputs(folder, runs: InMemoryStateStore()))
            let unknown = try #require(blind.verdicts.first { $0.type == "drift" })
            #expect(!unknown.fires)
            #expect(unknown.evidence.contains("churn@1 has no reference scores: it was registered without `reference_data:`"),
                    "\(unknown.evidence)")
        }
    }

    @Test("prediction drift on data that lacks a model column, or cannot be read, does not fire and says why")
    func missingColumn() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await trainAndRegister(in: folder)
            try "age,plan\n30,basic\n".write(toFile: folder + "/thin.csv", atomically: true, encoding: .utf8)
            let decision = try await evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: "thin.csv", on: .predictions)), folder: folder,
                inputs: inputs(folder, runs: store))
            let verdict = try #require(decision.verdicts.first { $0.type == "drift" })
            #expect(!verdict.fires)
            #expect(verdict.evidence.contains("'tenure'"), "\(verdict.evidence)")

            let gone = try await evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: "nowhere.csv", on: .predictions)), folder: folder,
                inputs: inputs(folder, runs: store))
            let unreadable = try #require(gone.verdicts.first { $0.type == "drift" })
            #expect(!unreadable.fires)
            #expect(unreadable.evidence.hasPrefix("drift: cannot evaluate: prediction drift: current data: cannot read dataset 'nowhere.csv'"),
                    "\(unreadable.evidence)")
        }
    }

    /// Writes labelled rows (the customers fixture, or its first `rows` rows with labels flipped) to
    /// `folder/labelled/NAME` modified at `modified`.
    func labelled(_ folder: String, _ name: String, flipped: Bool, rows: Int = 400, modified: Timestamp) throws {
        var frame = try Datasets.read(path: MLSandbox.customersCSV).head(rows)
        if flipped {
            let labels = frame["churned"]!.numericValues!.map { $0.map { 1 - $0 } }
            _ = try frame.removeColumn("churned")
            try frame.addColumn(Column(name: "churned", doubles: labels))
        }
        try FileManager.default.createDirectory(atPath: folder + "/labelled", withIntermediateDirectories: true)
        let path = folder + "/labelled/" + name
        try CSVWriter().write(frame, to: path)
        let date = Date(timeIntervalSince1970: Double(modified.millisecondsSince1970) / 1000)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    @Test("performance on labelled data: fires below the threshold with the evidence, records the figure as a sample")
    func labelledPerformance() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await trainAndRegister(in: folder)
            let now = clock.now
            // In the window: flipped labels (the model is now wrong); before it: correct ones (not counted).
            try labelled(folder, "old.csv", flipped: false, modified: now.adding(.seconds(-10 * 86_400)))
            try labelled(folder, "new.csv", flipped: true, modified: now.adding(.seconds(-3_600)))
            let rule = PerformanceRule(model: "churn", metric: "accuracy", below: 0.5, window: "7d", minSamples: 100,
                                       data: "labelled/")
            let decision = try await evaluate(TriggerSpec(performance: rule), folder: folder, inputs: inputs(folder, runs: store))
            let verdict = try #require(decision.verdicts.first { $0.type == "performance" })
            #expect(verdict.fires)
            let samples = try await registryStore.metricSamples(
                model: "churn", version: 1, metric: "accuracy", from: now.adding(.seconds(-60)), through: now)
            #expect(samples.count == 1)
            let accuracy = EvidenceFormat.number(try #require(samples.first).value, like: 0.5)
            #expect(verdict.evidence == "performance: accuracy \(accuracy) < 0.50 on 400 labelled rows from labelled/ (last 7d)")

            // Evaluated again with the same figure: not recorded twice.
            _ = try await evaluate(TriggerSpec(performance: rule), folder: folder, inputs: inputs(folder, runs: store))
            let again = try await registryStore.metricSamples(
                model: "churn", version: 1, metric: "accuracy", from: now.adding(.seconds(-60)), through: now)
            #expect(again.count == 1)

            // Correct labels in the window: the model is fine.
            try labelled(folder, "new.csv", flipped: false, modified: now.adding(.seconds(-3_600)))
            let fine = try await evaluate(TriggerSpec(performance: rule), folder: folder, inputs: inputs(folder, runs: store))
            let ok = try #require(fine.verdicts.first { $0.type == "performance" })
            #expect(!ok.fires)
            #expect(ok.evidence.hasPrefix("performance: accuracy 0.") && ok.evidence.contains(" ≥ 0.50 on 400 labelled rows"),
                    "\(ok.evidence)")
        }
    }

    @Test("performance on labelled data: min_samples, nothing new, time_column, unreadable data")
    func labelledPerformanceEdges() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await trainAndRegister(in: folder)
            let now = clock.now
            try labelled(folder, "few.csv", flipped: true, rows: 40, modified: now.adding(.seconds(-60)))
            let few = PerformanceRule(model: "churn", metric: "f1", below: 0.8, window: "7d", minSamples: 100, data: "labelled/")
            let decision = try await evaluate(TriggerSpec(performance: few), folder: folder, inputs: inputs(folder, runs: store))
            let verdict = try #require(decision.verdicts.first { $0.type == "performance" })
            #expect(!verdict.fires)
            #expect(verdict.evidence == "performance: f1: 40 labelled rows from labelled/ (last 7d), 100 needed")

            let later = PerformanceRule(model: "churn", metric: "f1", below: 0.8, window: "30s", data: "labelled/")
            let none = try await evaluate(TriggerSpec(performance: later), folder: folder, inputs: inputs(folder, runs: store))
            #expect(none.verdicts.first?.evidence == "performance: f1: 0 labelled rows from labelled/ (last 30s), 1 needed")

            // Rows by a time column: the last two of three rows are in the window.
            let header = "age,tenure,monthly_spend,plan,region,support_calls,churned,labelled_at\n"
            try (header + "30,1,50,basic,north,8,0,2026-11-01T00:00:00Z\n40,2,60,basic,south,7,0,2026-12-01T11:00:00Z\n"
                + "50,3,70,plus,east,6,1,2026-12-01T10:00:00Z\n")
                .write(toFile: folder + "/timed.csv", atomically: true, encoding: .utf8)
            let timed = PerformanceRule(model: "churn", metric: "accuracy", below: 0.5, window: "1d", data: "timed.csv",
                                        timeColumn: "labelled_at")
            let byTime = try await evaluate(TriggerSpec(performance: timed), folder: folder, inputs: inputs(folder, runs: store))
            #expect(byTime.verdicts.first?.evidence.hasSuffix("on 2 labelled rows from timed.csv (last 1d by labelled_at)") == true,
                    "\(byTime.verdicts.first?.evidence ?? "")")

            let missing = PerformanceRule(model: "churn", metric: "f1", below: 0.8, window: "7d", data: "nowhere/")
            let unreadable = try await evaluate(TriggerSpec(performance: missing), folder: folder, inputs: inputs(folder, runs: store))
            let reason = try #require(unreadable.verdicts.first)
            #expect(!reason.fires)
            #expect(reason.evidence.hasPrefix("performance: cannot evaluate churn v1 on nowhere/: performance: cannot read labelled data nowhere/"),
                    "\(reason.evidence)")
        }
    }

    @Test("the drift kind with model: compares predictions (and columns) against the production version")
    func driftKindWithModel() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await trainAndRegister(in: folder)
            let shifted = try shiftedCustomers(in: folder)
            let kind = DriftTaskKind(registry: registry, runs: store)
            let outputs = try await MLSandbox(folder).runKind(kind, ["model": "churn", "current": .string(shifted), "on": "both"])
            #expect(outputs["model_version"] == "churn@1")
            #expect(outputs["prediction_drift"] == true && outputs["drift"] == true)
            #expect(outputs["score"]?.objectValue?["method"] == "ks")
            #expect(outputs["label"]?.objectValue?["method"] == "chisquare")
            #expect(outputs["evidence"]?.stringValue?.hasPrefix("columns: ") == true)
            await #expect(throws: TaskFailure.self) {
                try await MLSandbox(folder).runKind(kind, ["model": "churn", "current": .string(shifted), "on": "outputs"])
            }
            await #expect(throws: TaskFailure.self) {
                try await MLSandbox(folder).runKind(
                    DriftTaskKind(), ["model": "churn", "current": .string(shifted)])
            }
        }
    }
}
