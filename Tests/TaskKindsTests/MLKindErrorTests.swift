import BoostedTrees
import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Tabular
import Testing

/// What users get wrong, and the messages they get back.
@Suite("ML kinds: errors and options")
struct MLKindErrorTests {
    @Test("a failing validation fails the task and lists every violation")
    func validationListsEveryViolation() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let tasks = [
                uses("check", "validate", [
                    "data": .string(MLSandbox.customersCSV), "min_rows": 1000,
                    "columns": ["age": ["max": 50], "plan": ["allowed": ["basic", "plus"]], "missing_col": [:]],
                    "label": "churned", "label_balance": ["min": 0.9],
                ]),
                uses("after", "noop", needs: ["check"], [:]),
            ]
            let (run, records) = try await sandbox.run(tasks)
            #expect(run.state == .failed)
            #expect(records["after"]?.state == .skipped)
            let error = try #require(records["check"]?.error)
            #expect(error.hasPrefix("validate: data"))
            #expect(error.contains("6 violations"), "\(error)")
            #expect(error.split(separator: "\n").count == 7, "one line per violation")
            for fragment in ["1000", "age", "plan", "missing_col", "churned"] {
                #expect(error.contains(fragment), "missing \(fragment) in: \(error)")
            }
        }
    }

    @Test("invalid rules are reported before reading any data")
    func invalidRules() async throws {
        try await withTemporaryDirectory { directory in
            let message = await failureMessage {
                try await MLSandbox(directory).runKind(ValidateTaskKind(), ["data": "nowhere.csv", "max_null_ratio": 5])
            }
            #expect(message?.contains("max_null_ratio") == true, "\(message ?? "no failure")")
        }
    }

    @Test("train names a missing label column and lists the columns")
    func missingLabel() async throws {
        try await withTemporaryDirectory { directory in
            let message = await failureMessage {
                try await MLSandbox(directory).runKind(TrainTaskKind(), ["data": .string(MLSandbox.customersCSV), "label": "is_fraud"])
            }
            #expect(message?.hasPrefix("train: label column 'is_fraud' not found; columns are: id, signup_date") == true,
                    "\(message ?? "no failure")")
        }
    }

    @Test("unknown inputs, algorithms and parameters are named, with a hint")
    func unknownNames() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let typo = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), ["data": "x.csv", "label": "y", "lable": "y"])
            }
            #expect(typo?.contains("unknown input 'lable'") == true, "\(typo ?? "")")
            let algorithm = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), ["data": .string(MLSandbox.customersCSV), "label": "churned", "algorithm": "svm"])
            }
            #expect(algorithm?.contains("use gbdt or logistic") == true, "\(algorithm ?? "")")
            let parameter = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), [
                    "data": .string(MLSandbox.customersCSV), "label": "churned", "params": ["n_trees": 5],
                ])
            }
            #expect(parameter?.contains("n_trees") == true && parameter?.contains("n_estimators") == true, "\(parameter ?? "")")
        }
    }

    @Test("without an artifact store, dataset outputs fail clearly")
    func noArtifactStore() async throws {
        try await withTemporaryDirectory { directory in
            let message = await failureMessage {
                try await MLSandbox(directory).runKind(ExtractCSVTaskKind(), ["path": .string(MLSandbox.customersCSV)], artifacts: false)
            }
            #expect(message?.contains("no artifact store") == true, "\(message ?? "")")
        }
    }

    @Test("params come from a config file, and the task's params override it")
    func configFile() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            try "n_estimators: 7\nmax_depth: 4\nlearning_rate: 0.2\n".write(toFile: directory + "/params.yaml", atomically: true, encoding: .utf8)
            try #"{"l2": 0.5}"#.write(toFile: directory + "/logistic.json", atomically: true, encoding: .utf8)
            let out = try await sandbox.runKind(TrainTaskKind(readers: .testing), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "config": "params.yaml",
                "params": ["max_depth": 2], "exclude": ["id", "signup_date"],
            ])
            let model = try sandbox.model(out["model"])
            let params = try #require(model.training.params.objectValue)
            #expect(params["n_estimators"] == 7)
            #expect(params["max_depth"] == 2)
            #expect(params["learning_rate"] == 0.2)
            guard case .gbdt(let trees) = model.estimator else { Issue.record("not gbdt"); return }
            #expect(trees.trees.count == 7)
            let logistic = try await sandbox.runKind(TrainTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "algorithm": "logistic",
                "config": "logistic.json", "exclude": ["id", "signup_date"],
            ])
            #expect(try sandbox.model(logistic["model"]).training.params.objectValue?["l2"] == 0.5)
        }
    }

    @Test("a model file of another format_version is refused with a clear message")
    func formatVersionMismatch() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let out = try await sandbox.runKind(TrainTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "params": ["n_estimators": 5],
            ])
            let path = try sandbox.artifacts.file(for: try #require(out["model"]?.stringValue))
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(#""format" : "kiln-model""#))
            let future = text.replacingOccurrences(of: #""format_version" : 1,"#, with: #""format_version" : 2,"#)
            #expect(future != text)
            #expect(throws: ModelFileError.self) { try ModelFile(jsonData: Data(future.utf8)) }
            do {
                _ = try ModelFile(jsonData: Data(future.utf8))
            } catch {
                #expect("\(error)".contains("format_version 2 is not supported"), "\(error)")
            }
            try future.write(toFile: directory + "/future.json", atomically: true, encoding: .utf8)
            let message = await failureMessage {
                try await sandbox.runKind(PredictTaskKind(), ["model": "future.json", "data": .string(MLSandbox.customersCSV)])
            }
            #expect(message?.contains("format_version 2") == true, "\(message ?? "")")
            let notAModel = await failureMessage {
                try await sandbox.runKind(PredictTaskKind(), ["model": .string(MLSandbox.customersCSV), "data": .string(MLSandbox.customersCSV)])
            }
            #expect(notAModel?.contains("predict: model") == true, "\(notAModel ?? "")")
        }
    }

    @Test("scoring data with a missing column or a wrong type names the column")
    func schemaMismatch() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let out = try await sandbox.runKind(TrainTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "params": ["n_estimators": 5],
                "exclude": ["id", "signup_date"],
            ])
            let model = try sandbox.model(out["model"])
            let frame = try CSVReader().read(contentsOf: MLSandbox.customersCSV)

            #expect(try model.score(frame.removing("churned")).count == 400, "the label is not needed to score")
            let missing = try frame.removing("region")
            #expect { try model.score(missing) } throws: { "\($0)".contains("lacks column 'region'") }
            let wrongType = try frame.replacing(Column(name: "age", strings: frame["age"]!.intValues!.map { $0.map { "\($0) years" } }))
            #expect { try model.score(wrongType) } throws: { error in
                "\(error)".contains("column 'age' has type string but the model was trained on int")
            }
            let asDouble = try frame.replacing(Column(name: "age", doubles: frame["age"]!.numericValues!))
            #expect(try model.score(asDouble) == model.score(frame), "int and double columns are interchangeable")

            try CSVWriter().write(missing, to: directory + "/missing.csv")
            let message = await failureMessage {
                try await sandbox.runKind(EvaluateTaskKind(), ["model": out["model"]!, "data": "missing.csv"])
            }
            #expect(message?.contains("'region'") == true, "\(message ?? "")")
        }
    }

    @Test("ModelEvaluation measures a model for other kinds, with the F1-optimal threshold on request")
    func modelEvaluationHelper() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let out = try await sandbox.runKind(TrainTaskKind(), [
                "data": .string(MLSandbox.customersCSV), "label": "churned", "params": ["n_estimators": 20, "max_depth": 3],
                "exclude": ["id", "signup_date"],
            ])
            let model = try #require(out["model"]?.stringValue)
            let fixed = try await ModelEvaluation.metrics(model: model, data: MLSandbox.customersCSV, label: "churned",
                                                          artifacts: sandbox.artifacts, workingDirectory: directory)
            let best = try await ModelEvaluation.metrics(model: model, data: MLSandbox.customersCSV, label: "churned",
                                                         threshold: .best, artifacts: sandbox.artifacts,
                                                         workingDirectory: directory)
            #expect(fixed["threshold"] == 0.5)
            let bestF1 = try #require(best["f1"]), fixedF1 = try #require(fixed["f1"])
            let auc = try #require(fixed["auc"])
            #expect(bestF1 >= fixedF1)
            #expect(fixed["auc"] == best["auc"])
            #expect(auc > 0.75)
            #expect(fixed["rows"] == 400)
        }
    }
}

extension DataFrame {
    /// A copy with `column` in place of the column of the same name.
    func replacing(_ column: Column) throws -> DataFrame {
        var copy = self
        try copy.replaceColumn(column)
        return copy
    }
}
