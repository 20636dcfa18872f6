import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import PipelineTesting
import Tabular
import Testing

/// Options of the ML kinds beyond the main pipeline: fitted transforms, joins, thresholds, caching.
@Suite("ML kinds: options")
struct MLKindOptionTests {
    @Test("features fits once and applies the fitted transform elsewhere with fit: false")
    func fittedTransformReused() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let tasks = [
                uses("fit", "features", [
                    "data": .string(MLSandbox.customersCSV),
                    "transforms": [["standardize": ["column": "age", "as": "age_z"]], ["one_hot": ["column": "plan"]]],
                ]),
                uses("apply", "features", needs: ["fit"], [
                    "data": .string(MLSandbox.customersCSV), "fit": false, "transform": output("fit", "transform"),
                ]),
            ]
            let (run, records) = try await sandbox.run(tasks)
            #expect(run.state == .succeeded, "\(records.values.compactMap(\.error))")
            #expect(records["apply"]?.outputs?["data"] == records["fit"]?.outputs?["data"])
            let frame = try sandbox.frame(records["fit"]?.outputs?["data"])
            #expect(frame.contains(column: "age_z") && frame.contains(column: "plan_basic") && !frame.contains(column: "plan"))
            let missing = await failureMessage {
                try await sandbox.runKind(FeaturesTaskKind(), ["data": .string(MLSandbox.customersCSV), "fit": false])
            }
            #expect(missing?.contains("missing input 'transform'") == true, "\(missing ?? "")")
        }
    }

    @Test("merge joins frames on a key, and refuses side-by-side frames of different lengths")
    func mergeOnKey() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            try "region,manager\nnorth,Ana\nsouth,Bo\neast,Cy\n".write(toFile: directory + "/regions.csv", atomically: true, encoding: .utf8)
            let joined = try await sandbox.runKind(MergeTaskKind(), [
                "frames": [.string(MLSandbox.customersCSV), "regions.csv"], "on": "region", "how": "left",
            ])
            let frame = try sandbox.frame(joined["data"])
            #expect(frame.rowCount == 400)
            #expect(frame.columnNames.last == "manager")
            #expect((frame["manager"]?.nullCount ?? 0) > 0, "west has no manager: left join keeps it with null")
            let message = await failureMessage {
                try await sandbox.runKind(MergeTaskKind(), ["frames": [.string(MLSandbox.customersCSV), "regions.csv"]])
            }
            #expect(message?.contains("frames[1] has 3 rows but the frames before it have 400") == true, "\(message ?? "")")
        }
    }

    @Test("train fits its own transforms on the training rows and the model file applies them when scoring")
    func trainWithTransforms() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let out = try await sandbox.runKind(TrainTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "algorithm": "logistic",
                "transforms": ["steps": [["log1p": ["column": "monthly_spend", "as": "log_spend"]]]],
                "exclude": ["id", "signup_date"],
            ])
            let features = (out["features"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(features.contains("log_spend") && features.contains("plan_premium"))
            let model = try sandbox.model(out["model"])
            #expect(model.inputSchema["log_spend"] == nil, "derived columns are not inputs")
            let scored = try await sandbox.runKind(PredictTaskKind(), [
                "model": out["model"]!, "data": .string(MLSandbox.customersCSV), "threshold": 0.5,
            ])
            let frame = try sandbox.frame(scored["data"])
            #expect(frame["prediction"]?.intValues?.allSatisfy { $0 == 0 || $0 == 1 } == true)
            #expect(frame["score"]?.nullCount == 0)
        }
    }

    @Test("ML tasks with cache: true are served from the cache when their inputs are unchanged")
    func cachedRerun() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let store = InMemoryStateStore()
            let kinds = TaskKindRegistry.mlTesting
            let executor = PipelineExecutor(store: store, kinds: kinds, artifacts: sandbox.artifacts)
            var extract = uses("extract", "extract-csv", ["path": .string(MLSandbox.customersCSV)])
            extract.cache = CachePolicy()
            var train = uses("train", "train", needs: ["extract"], [
                "data": output("extract", "data"), "label": "churned", "params": ["n_estimators": 5],
            ])
            train.cache = CachePolicy()
            let plan = try Plan(Pipeline(name: "cached", tasks: [extract, train]), knownKinds: kinds.names)
            let first = try await executor.run(plan, baseDirectory: directory)
            let second = try await executor.run(plan, baseDirectory: directory)
            #expect(first.state == .succeeded && second.state == .succeeded)
            let states = try await store.tasks(of: second.id).map(\.state)
            #expect(states == [.cached, .cached])
        }
    }
}
