import DriftStatistics
public import ModelRegistry
public import PipelineEngine
public import PipelineModel
import PipelineScheduler

/// The kind `drift`: per-column data drift of `current` against `reference` (see ``DriftComparison``).
///
/// Inputs: `reference`, `current` (datasets), `columns` (optional list; default every reference column), `method`
/// (optional: `ks`, `chisquare`, `psi`, `wasserstein`, `jensenshannon`), `threshold` (optional per-column
/// threshold), `share` (share of drifted columns for dataset drift, default 0.5).
/// Outputs: `columns` (per column: `method`, `value`, `drifted`, and `p_value` for KS / chi-squared),
/// `drift_share`, `dataset_drift`, `drifted_columns` (list).
///
/// With `model` (a registered model's name) instead of `reference`, the reference is that model's production
/// version, as for a `drift:` trigger rule, and `on` chooses what is compared: `columns` (default: its training data
/// over its input columns), `predictions` (its scores on `current` against the scores it gave its test split at
/// registration, plus label drift), or `both`. Outputs then: `model_version`, `drift` (bool), `evidence`, and
/// `drift_share`, `drifted_columns` (columns) and `prediction_drift` (bool), `score` / `label` (per test: `method`,
/// `value`, `statistic`, `threshold`, `drifted`, `p_value`) (predictions).
public struct DriftTaskKind: TaskKind {
    /// `"drift"`.
    public let name = "drift"

    let readers: DataReaders
    let registry: ModelRegistryService?
    let runs: (any StateStore)?

    /// Creates the kind.
    /// - Parameters:
    ///   - readers: Its ``DataReaders/limits`` bound the bytes read per file.
    ///   - registry: Where `model:` finds the production version; `nil` makes `model:` an error.
    ///   - runs: Where the registering run's outputs (reference scores, fitted transforms) are read.
    public init(readers: DataReaders = DataReaders(), registry: ModelRegistryService? = nil, runs: (any StateStore)? = nil) {
        self.readers = readers
        self.registry = registry
        self.runs = runs
    }

    /// Compares the datasets.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs,
                                    allowed: ["reference", "current", "columns", "method", "threshold", "share", "model", "on"])
        if let model = try inputs.optionalString("model") { return try await againstModel(model, inputs, context) }
        let referenceRef = try inputs.string("reference", hint: "the reference dataset, e.g. the training data")
        let currentRef = try inputs.string("current", hint: "the new dataset")
        let reference = try await Datasets.load(referenceRef, artifacts: context.artifacts,
                                          workingDirectory: context.workingDirectory, what: "drift: input 'reference'",
                                                limits: readers.limits)
        let current = try await Datasets.load(currentRef, artifacts: context.artifacts,
                                        workingDirectory: context.workingDirectory, what: "drift: input 'current'",
                                              limits: readers.limits)
        let report: DatasetDriftReport
        do {
            let columns = try inputs.optionalStringList("columns")
            let method = try inputs.optionalString("method").map(DriftComparison.method(named:))
            let threshold = try inputs.optionalNumber("threshold"), share = try inputs.optionalNumber("share")
            report = try await Offload.run { flag in
                try DriftComparison.compare(reference: reference, current: current, columns: columns, method: method,
                                            threshold: threshold, share: share, shouldStop: flag.check)
            }
        } catch let error as DriftComparisonError {
            throw inputs.failure(error.message)
        }
        context.log("\(report.driftedCount) of \(report.columns.count) columns drifted; dataset drift: \(report.datasetDrift)")
        return DriftComparison.summary(report)
    }

    /// `model:` — drift against the production version of `model`.
    private func againstModel(_ model: String, _ inputs: TaskInputs, _ context: TaskContext) async throws -> [String: JSONValue] {
        if context.inputs["reference"] != nil || context.inputs["columns"] != nil || context.inputs["threshold"] != nil {
            throw inputs.failure("with `model:` the reference is the model's production version; remove `reference`, "
                + "`columns` and `threshold`")
        }
        guard let registry else {
            throw inputs.failure("`model: \(model)` needs the model registry, which this process does not have; run it with kiln")
        }
        guard let artifacts = context.artifacts else { throw inputs.failure("`model:` needs an artifact store") }
        let current = MonitoringData.resolve(try inputs.string("current", hint: "the new dataset"), home: readers.home)
        let onText = try inputs.optionalString("on") ?? "columns"
        guard let target = DriftRule.Target(rawValue: onText) else {
            throw inputs.failure("on must be columns, predictions or both, got '\(onText)'")
        }
        let method = try inputs.optionalString("method") ?? "auto"
        let share = try inputs.optionalNumber("share") ?? 0.5
        let rule = DriftRule(model: model, current: current, method: method, share: share, on: target)
        var outputs: [String: JSONValue] = [:]
        var columns: TrainingDataDrift?
        var predictions: (version: String, drift: PredictionDrift)?
        do {
            if target != .predictions {
                let result = try await TrainingDataDrift.evaluate(
                    model: model, current: current, method: method, share: share, registry: registry, artifacts: artifacts,
                    baseDirectory: context.workingDirectory, limits: readers.limits)
                outputs["drift_share"] = .number(result.share)
                outputs["drifted_columns"] = .array(result.details.map { .string(String($0.split(separator: " ")[0])) })
                columns = result
            }
            if target != .columns {
                let result = try await PredictionDrift.evaluate(
                    model: model, current: current, method: method, registry: registry, runs: runs, artifacts: artifacts,
                    baseDirectory: context.workingDirectory, limits: readers.limits)
                outputs["model_version"] = .string(result.version)
                outputs["prediction_drift"] = .bool(result.drift.drifted)
                outputs["score"] = Self.json(result.drift.score)
                if let label = result.drift.label { outputs["label"] = Self.json(label) }
                predictions = result
            }
        } catch let error as DriftComparisonError {
            throw inputs.failure(error.message)
        }
        if outputs["model_version"] == nil, let version = try? await registry.resolve(ModelReference(model: model)) {
            outputs["model_version"] = .string(version.reference)
        }
        let verdict = ModelDriftEvaluator.verdict(columns: columns, predictions: predictions)
        outputs["drift"] = .bool(verdict.driftedShare >= rule.share)
        outputs["evidence"] = .string(verdict.evidence ?? verdict.detail)
        context.log(verdict.evidence ?? verdict.detail)
        return outputs
    }

    private static func json(_ result: ColumnDriftResult) -> JSONValue {
        var entry: [String: JSONValue] = [
            "method": .string(result.method.rawValue), "value": .number(result.value),
            "statistic": .number(result.statistic), "threshold": .number(result.threshold), "drifted": .bool(result.drifted),
        ]
        if let p = result.pValue { entry["p_value"] = .number(p) }
        return .object(entry)
    }
}
