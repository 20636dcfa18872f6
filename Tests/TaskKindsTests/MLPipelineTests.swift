import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Tabular
import Testing

/// The ML kinds chained in one real pipeline: extract → validate → features ×2 → merge → split → train (gbdt and
/// logistic) → evaluate → predict → drift.
@Suite("ML kinds in a pipeline")
struct MLPipelineTests {
    @Test("the full training pipeline runs end to end on raw CSV with text columns")
    func fullPipeline() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let shifted = try Self.writeShifted(into: directory)
            let tasks: [TaskSpec] = [
                uses("extract", "extract-csv", ["path": .string(MLSandbox.customersCSV)]),
                uses("check", "validate", needs: ["extract"], [
                    "data": output("extract", "data"), "min_rows": 100, "label": "churned",
                    "label_balance": ["min": 0.1, "max": 0.9], "columns": ["age": ["type": "int", "min": 0, "max": 120]],
                ]),
                uses("feat-a", "features", needs: ["check"], [
                    "data": output("check", "data"),
                    "transforms": ["steps": [["log1p": ["column": "monthly_spend", "as": "log_spend"]]]],
                ]),
                uses("feat-b", "features", needs: ["check"], [
                    "data": output("check", "data"),
                    "transforms": [["product": ["left": "tenure", "right": "support_calls", "as": "tenure_x_calls"]]],
                ]),
                uses("merge", "merge", needs: ["feat-a", "feat-b"], ["frames": [output("feat-a", "data"), output("feat-b", "data")]]),
                uses("split", "split", needs: ["merge"], [
                    "data": output("merge", "data"), "label": "churned", "test_size": 0.25, "seed": 42,
                ]),
                uses("train-gbdt", "train", needs: ["split"], [
                    "data": output("split", "train"), "label": "churned", "algorithm": "gbdt",
                    "params": ["n_estimators": 60, "max_depth": 3, "learning_rate": 0.1, "seed": 1],
                    "exclude": ["id", "signup_date"],
                ]),
                uses("train-logistic", "train", needs: ["split"], [
                    "data": output("split", "train"), "label": "churned", "algorithm": "logistic",
                    "exclude": ["id", "signup_date"],
                ]),
                uses("eval-gbdt", "evaluate", needs: ["train-gbdt"], [
                    "model": output("train-gbdt", "model"), "data": output("split", "test"), "label": "churned",
                    "threshold": "best",
                ]),
                uses("eval-logistic", "evaluate", needs: ["train-logistic"], [
                    "model": output("train-logistic", "model"), "data": output("split", "test"), "label": "churned",
                ]),
                uses("predict", "predict", needs: ["train-gbdt"], [
                    "model": output("train-gbdt", "model"), "data": output("split", "test"),
                ]),
                uses("drift-same", "drift", needs: ["extract"], [
                    "reference": output("extract", "data"), "current": output("extract", "data"),
                ]),
                uses("drift-shifted", "drift", needs: ["extract"], [
                    "reference": output("extract", "data"), "current": .string(shifted),
                    "columns": ["age", "tenure", "plan"],
                ]),
            ]
            let (run, records) = try await sandbox.run(tasks)
            let failures = records.values.filter { $0.state != .succeeded }.map { "\($0.taskID): \($0.error ?? "")" }
            #expect(run.state == .succeeded, "\(failures)")

            let extract = try #require(records["extract"]?.outputs)
            #expect(extract["rows"] == 400)
            #expect(extract["columns"]?.arrayValue?.count == 9)
            #expect(records["check"]?.outputs?["data"] == extract["data"])
            #expect(records["check"]?.outputs?["report"]?.objectValue?["passed"] == true)

            let merged = try sandbox.frame(records["merge"]?.outputs?["data"])
            #expect(merged.rowCount == 400)
            #expect(merged.contains(column: "log_spend") && merged.contains(column: "tenure_x_calls"))
            #expect(merged.columnCount == 11, "shared columns are kept once: \(merged.columnNames)")

            let split = try #require(records["split"]?.outputs)
            #expect(split["train_rows"] == 300)
            #expect(split["test_rows"] == 100)

            let train = try #require(records["train-gbdt"]?.outputs)
            let features = (train["features"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(features.contains("plan") && features.contains("region") && !features.contains("id"))
            #expect(train["data_fingerprint"] == split["train"])
            let model = try sandbox.model(train["model"])
            #expect(model.algorithm == .gbdt)
            #expect(model.label == "churned")
            #expect(model.inputSchema["plan"] == .string)
            #expect(model.training.rows == 300)
            #expect(model.transform != nil, "text columns are encoded inside the model file")

            for id in ["eval-gbdt", "eval-logistic"] {
                let metrics = try #require(records[id]?.outputs)
                let auc = try #require(metrics["auc"]?.numberValue)
                #expect(auc > 0.7, "\(id): auc \(auc)")
                #expect(metrics["rows"] == 100)
                for key in ["f1", "precision", "recall", "accuracy", "pr_auc", "logloss", "threshold"] {
                    #expect(metrics[key]?.numberValue != nil, "\(id): \(key)")
                }
                let matrix = try #require(metrics["confusion_matrix"]?.objectValue)
                let total = ["tp", "fp", "tn", "fn"].compactMap { matrix[$0]?.numberValue }.reduce(0, +)
                #expect(total == 100)
            }
            #expect(records["eval-logistic"]?.outputs?["threshold"] == 0.5)

            let predicted = try sandbox.frame(records["predict"]?.outputs?["data"])
            let scores = try #require(predicted["score"]?.doubleValues?.compactMap { $0 })
            #expect(scores.count == 100 && scores.allSatisfy { $0 >= 0 && $0 <= 1 })

            let same = try #require(records["drift-same"]?.outputs)
            #expect(same["dataset_drift"] == false)
            #expect(same["drift_share"] == 0)
            let shiftedDrift = try #require(records["drift-shifted"]?.outputs)
            #expect(shiftedDrift["dataset_drift"] == true)
            let age = try #require(shiftedDrift["columns"]?.objectValue?["age"]?.objectValue)
            #expect(age["drifted"] == true)
            #expect(age["method"] == "ks")
            #expect(age["p_value"]?.numberValue != nil)
            #expect(shiftedDrift["columns"]?.objectValue?["plan"]?.objectValue?["drifted"] == false)
        }
    }

    @Test("extract-sql reads a SQLite query into a dataset that train can use")
    func extractSQL() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            try SQLiteFixture.write(csv: MLSandbox.customersCSV, to: directory + "/customers.sqlite")
            let tasks = [
                uses("extract", "extract-sql", [
                    "database": "customers.sqlite",
                    "query": "SELECT age, tenure, monthly_spend, plan, churned FROM customers WHERE age >= 18",
                ]),
                uses("train", "train", needs: ["extract"], [
                    "data": output("extract", "data"), "label": "churned", "params": ["n_estimators": 10],
                ]),
            ]
            let (run, records) = try await sandbox.run(tasks)
            #expect(run.state == .succeeded, "\(records.values.compactMap(\.error))")
            #expect(records["extract"]?.outputs?["rows"] == 400)
            let frame = try sandbox.frame(records["extract"]?.outputs?["data"])
            #expect(frame.schema.map(\.type) == [.int, .int, .double, .string, .int])
        }
    }

    @Test("split by time puts the latest rows in test")
    func splitByTime() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let out = try await sandbox.runKind(SplitTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "time_column": "signup_date", "test_size": 0.1,
            ])
            let train = try sandbox.frame(out["train"]), test = try sandbox.frame(out["test"])
            #expect(test.rowCount == 40 && train.rowCount == 360)
            let latestTrain = try #require(train["signup_date"]?.stringValues?.compactMap { $0 }.max())
            let earliestTest = try #require(test["signup_date"]?.stringValues?.compactMap { $0 }.min())
            #expect(latestTrain <= earliestTest)
        }
    }

    /// The fixture with `age` and `tenure` shifted upward, as a CSV in `directory`.
    static func writeShifted(into directory: String) throws -> String {
        var frame = try CSVReader().read(contentsOf: MLSandbox.customersCSV)
        for name in ["age", "tenure"] {
            let values = try #require(frame[name]?.intValues)
            try frame.replaceColumn(Column(name: name, ints: values.map { $0.map { $0 + 40 } }))
        }
        let path = directory + "/shifted.csv"
        try CSVWriter().write(frame, to: path)
        return path
    }
}
