import Foundation
import MLTasks
import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

/// The determinism audit of the built-in data and model kinds: the same inputs (and the same attempt start time)
/// give the same bytes — every output, and so every artifact digest — whatever the run's parallelism and the
/// training's thread count. `kiln reproduce` rests on it.
@Suite("built-in kinds are deterministic") struct DeterminismTests {
    /// Every kind under audit, in one pipeline over the churn fixture.
    static func pipeline(threads: Int) -> [TaskSpec] {
        let data = output("extract", "data")
        return [
            uses("extract", "extract-csv", ["path": .string(MLSandbox.customersCSV)]),
            uses("split", "split", needs: ["extract"], ["data": data, "label": "churned", "test_size": 0.25, "seed": 11]),
            uses("spend", "features", needs: ["split"], [
                "data": output("split", "train"),
                "transforms": [["log1p": ["column": "monthly_spend", "as": "log_spend"]]],
            ]),
            uses("calls", "features", needs: ["split"], [
                "data": output("split", "train"),
                "transforms": [["bucketize": ["column": "support_calls", "boundaries": [2, 5], "as": "calls_band"]]],
            ]),
            uses("merge", "merge", needs: ["spend", "calls"], ["frames": [output("spend", "data"), output("calls", "data")]]),
            uses("gbdt", "train", needs: ["merge"], [
                "data": output("merge", "data"), "label": "churned", "algorithm": "gbdt", "exclude": ["id", "signup_date"],
                "params": ["n_estimators": 30, "max_depth": 4, "subsample": 0.8, "colsample_bytree": 0.8, "seed": 5,
                           "threads": .number(Double(threads))],
            ]),
            uses("logistic", "train", needs: ["merge"], [
                "data": output("merge", "data"), "label": "churned", "algorithm": "logistic",
                "exclude": ["id", "signup_date", "plan", "region"],
            ]),
            uses("evaluate", "evaluate", needs: ["gbdt", "merge"], [
                "model": output("gbdt", "model"), "data": output("merge", "data"), "threshold": "best",
            ]),
            uses("predict", "predict", needs: ["logistic", "merge"], [
                "model": output("logistic", "model"), "data": output("merge", "data"), "threshold": 0.5,
            ]),
            uses("drift", "drift", needs: ["split"], ["reference": output("split", "train"), "current": output("split", "test")]),
        ]
    }

    /// Runs the audit pipeline with a manual clock (so every attempt starts at the same time) and returns the
    /// outputs of every task.
    static func outputs(in sandbox: MLSandbox, parallelism: Int, threads: Int) async throws -> [String: [String: JSONValue]] {
        let store = InMemoryStateStore()
        let kinds = TaskKindRegistry.mlTesting
        let executor = PipelineExecutor(
            store: store, kinds: kinds, clock: ManualClock(now: Timestamp(millisecondsSince1970: 1_764_979_200_000)),
            artifacts: sandbox.artifacts, configuration: .init(parallelism: parallelism))
        let run = try await executor.run(
            Plan(Pipeline(name: "audit", tasks: pipeline(threads: threads)), knownKinds: kinds.names),
            baseDirectory: sandbox.directory)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        var outputs: [String: [String: JSONValue]] = [:]
        for record in try await store.tasks(of: run.id) { outputs[record.taskID] = record.outputs ?? [:] }
        return outputs
    }

    @Test("extract-csv, split, features, merge, train (gbdt and logistic), evaluate, predict and drift give the same bytes at parallelism 1 and 8, threads 1 and 4")
    func sameInputsSameBytes() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let serial = try await Self.outputs(in: sandbox, parallelism: 1, threads: 1)
            let parallel = try await Self.outputs(in: sandbox, parallelism: 8, threads: 4)
            let again = try await Self.outputs(in: sandbox, parallelism: 8, threads: 0)
            #expect(Set(serial.keys) == ["extract", "split", "spend", "calls", "merge", "gbdt", "logistic", "evaluate", "predict", "drift"])
            for task in serial.keys.sorted() {
                #expect(serial[task] == parallel[task], "\(task): \(serial[task] ?? [:]) vs \(parallel[task] ?? [:])")
                #expect(serial[task] == again[task], "\(task): \(serial[task] ?? [:]) vs \(again[task] ?? [:])")
            }
            // The digests are equal, so the stored bytes are: each artifact exists once.
            #expect(serial["gbdt"]?["model"]?.stringValue?.hasPrefix("sha256:") == true)
        }
    }

    @Test("a training's model file depends on the attempt's start time, not on when training ended")
    func trainedAtIsTheAttemptStart() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let outputs = try await Self.outputs(in: sandbox, parallelism: 2, threads: 2)
            let model = try sandbox.model(outputs["gbdt"]?["model"])
            #expect(model.training.trainedAt == Timestamp(millisecondsSince1970: 1_764_979_200_000).iso8601)
        }
    }

    @Test("the engine records each successful task's lineage: Kiln version, platform, files read, seeds, start")
    func lineageIsRecorded() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let store = InMemoryStateStore()
            let kinds = TaskKindRegistry.mlTesting
            let start = Timestamp(millisecondsSince1970: 1_764_979_200_000)
            let executor = PipelineExecutor(store: store, kinds: kinds, clock: ManualClock(now: start), artifacts: sandbox.artifacts)
            let run = try await executor.run(
                Plan(Pipeline(name: "audit", tasks: Self.pipeline(threads: 1)), knownKinds: kinds.names),
                baseDirectory: sandbox.directory)
            let records = Dictionary(uniqueKeysWithValues: try await store.tasks(of: run.id).map { ($0.taskID, $0) })
            let extract = try #require(records["extract"]?.lineage)
            #expect(extract.kiln == TaskLineage.currentKilnVersion)
            #expect(extract.platform == TaskLineage.currentPlatform)
            #expect(extract.startedAt == start)
            let facts = try #require(extract.files[MLSandbox.customersCSV])
            #expect(facts.rows == 400)
            #expect(facts.digest.hasPrefix("sha256:") && facts.digest.count == 71)
            #expect(records["split"]?.lineage?.seeds == [11])
            #expect(records["gbdt"]?.lineage?.seeds == [5])
            #expect(records["logistic"]?.lineage?.seeds == [])
            #expect(records["gbdt"]?.lineage?.files.isEmpty == true)
        }
    }

    @Test("extract-csv of a folder records each CSV file it read in the task's lineage")
    func folderReads() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            try FileManager.default.createDirectory(atPath: directory + "/incoming", withIntermediateDirectories: true)
            try "x,y\n1,2\n3,4\n".write(toFile: directory + "/incoming/a.csv", atomically: true, encoding: .utf8)
            try "x,y\n5,6\n".write(toFile: directory + "/incoming/b.csv", atomically: true, encoding: .utf8)
            let store = InMemoryStateStore()
            let kinds = TaskKindRegistry.mlTesting
            let executor = PipelineExecutor(store: store, kinds: kinds, artifacts: sandbox.artifacts)
            let run = try await executor.run(
                Plan(Pipeline(name: "folder", tasks: [uses("extract", "extract-csv", ["path": "incoming"])]), knownKinds: kinds.names),
                baseDirectory: directory)
            let files = try #require(try await store.tasks(of: run.id).first?.lineage?.files)
            #expect(files.keys.sorted() == ["incoming/a.csv", "incoming/b.csv"])
            #expect(files["incoming/a.csv"]?.rows == 2)
            #expect(files["incoming/b.csv"]?.rows == 1)
        }
    }
}
