public import ModelRegistry
public import PipelineEngine
public import PipelineModel

/// The kind `evaluate`: measures a model on a labelled dataset (see ``ModelEvaluation``).
///
/// Inputs: `model` (model file), `data` (dataset with the label), `label` (0/1 column; default: the model's
/// label), `threshold` (number, default 0.5, or `"best"` for the F1-optimal one).
/// Outputs: `f1`, `precision`, `recall`, `accuracy`, `auc`, `pr_auc`, `logloss` (null when undefined: one class
/// only), `threshold`, `confusion_matrix` (`{tp, fp, tn, fn}`), `rows`, and `model_version` (`NAME@N`) when `model`
/// was a registry reference (`NAME@ALIAS` / `NAME@VERSION`).
public struct EvaluateTaskKind: TaskKind {
    /// `"evaluate"`.
    public let name = "evaluate"

    /// Where registry references resolve.
    public let source: ModelSource

    /// Creates the kind.
    /// - Parameters:
    ///   - registry: The model registry for `NAME@ALIAS` references; `nil` makes them an error.
    public init(registry: ModelRegistryService? = nil) {
        source = ModelSource(registry: registry)
    }

    /// Scores the data and returns the metrics.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["model", "data", "label", "threshold"])
        let model = try inputs.string("model", hint: "the `model` output of a train task, or a model file path")
        let data = try inputs.string("data", hint: "a labelled dataset")
        let label = try inputs.optionalString("label")
        var threshold = ModelEvaluation.Threshold.fixed(0.5)
        if let text = context.inputs["threshold"]?.stringValue, text == "best" {
            threshold = .best
        } else if inputs.has("threshold") {
            guard let value = try? inputs.optionalNumber("threshold") else {
                throw inputs.failure("input 'threshold' must be a number (0.5) or \"best\" (the F1-optimal threshold), "
                    + "got \(context.inputs["threshold"]!.compactJSON)")
            }
            threshold = .fixed(value)
        }
        let loaded = try await source.load(model, artifacts: context.artifacts,
                                           workingDirectory: context.workingDirectory, kind: name)
        let file = loaded.file
        let metrics = try await ModelEvaluation.metrics(file, data: data, label: label, threshold: threshold,
                                                  artifacts: context.artifacts, workingDirectory: context.workingDirectory)
        func number(_ key: String) -> JSONValue { metrics[key].map { .number($0) } ?? .null }
        context.log("f1 \(JSONValue.format(metrics["f1"]!)), auc \(metrics["auc"].map { JSONValue.format($0) } ?? "n/a") "
            + "on \(Int(metrics["rows"]!)) rows")
        var outputs: [String: JSONValue] = [
            "f1": number("f1"), "precision": number("precision"), "recall": number("recall"),
            "accuracy": number("accuracy"), "auc": number("auc"), "pr_auc": number("pr_auc"),
            "logloss": number("logloss"), "threshold": number("threshold"), "rows": number("rows"),
            "confusion_matrix": ["tp": number("tp"), "fp": number("fp"), "tn": number("tn"), "fn": number("fn")],
        ]
        if let version = loaded.version { outputs["model_version"] = .string(version) }
        return outputs
    }
}
