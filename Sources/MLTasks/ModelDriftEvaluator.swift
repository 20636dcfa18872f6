public import ModelRegistry
public import PipelineEngine
public import PipelineModel
public import PipelineScheduler
public import Tabular

/// Evaluates `drift:` trigger rules with the ML toolkit. `on: columns`: the training data of the model's
/// production version (from the artifact store) against the rule's `current` data, over the model's input columns
/// (``TrainingDataDrift``). `on: predictions`: that version's scores on the current data against its reference
/// scores (``PredictionDrift``). `on: both`: both; drift when either drifted.
///
/// Give it to the trigger daemon's inputs (`StoreTriggerInputs(…, drift: ModelDriftEvaluator(…))`).
public struct ModelDriftEvaluator: DriftEvaluator {
    let registry: ModelRegistryService
    let artifacts: any ArtifactStore
    let runs: (any StateStore)?
    let limits: DataLimits
    let home: String?

    /// Creates the evaluator.
    /// - Parameters:
    ///   - registry: Where the production version and its training data reference are found.
    ///   - artifacts: Where the training data is.
    ///   - runs: Where the registering run's task outputs are (to find reference scores); `nil` makes prediction
    ///     drift say that it cannot find them.
    ///   - limits: The most bytes one data file may have.
    ///   - home: The home folder, where `predictions:NAME` and `feedback:NAME` data is (``MonitoringData``);
    ///     `nil` = those names are read as paths.
    public init(
        registry: ModelRegistryService, artifacts: any ArtifactStore, runs: (any StateStore)? = nil,
        limits: DataLimits = .default, home: String? = nil
    ) {
        self.home = home
        self.registry = registry
        self.artifacts = artifacts
        self.runs = runs
        self.limits = limits
    }

    /// The share of drifted input columns with per-column evidence (`columns`); 1 or 0 with the score test's
    /// evidence (`predictions`); the larger of both (`both`, where predictions that cannot be evaluated leave the
    /// decision to the columns and are named in the evidence).
    public func evaluate(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict {
        var columns: TrainingDataDrift?
        var predictions: (version: String, drift: PredictionDrift)?
        if rule.on != .predictions {
            columns = try await TrainingDataDrift.evaluate(
                model: rule.model, current: MonitoringData.resolve(rule.current, home: home), method: rule.method, share: rule.share, registry: registry,
                artifacts: artifacts, baseDirectory: baseDirectory, limits: limits)
        }
        var failure: String?
        if rule.on != .columns {
            do {
                predictions = try await PredictionDrift.evaluate(
                    model: rule.model, current: MonitoringData.resolve(rule.current, home: home), method: rule.method, registry: registry, runs: runs,
                    artifacts: artifacts, baseDirectory: baseDirectory, limits: limits)
            } catch where rule.on == .both && !(error is CancellationError) {
                failure = "predictions: cannot evaluate: \(error)"  // the columns still decide
            }
        }
        var verdict = Self.verdict(columns: columns, predictions: predictions)
        if let failure { verdict.evidence = [verdict.evidence ?? "", failure].joined(separator: "; ") }
        return verdict
    }

    /// The verdict of the comparisons made.
    static func verdict(columns: TrainingDataDrift?, predictions: (version: String, drift: PredictionDrift)?) -> DriftVerdict {
        var parts: [String] = []
        var share = 0.0
        var detail: [String] = []
        if let columns {
            parts.append(predictions == nil ? columns.evidence : "columns: \(columns.evidence)")
            share = columns.share
            detail.append("\(columns.drifted) of \(columns.columns) columns")
        }
        if let predictions {
            let (version, drift) = (predictions.version, predictions.drift)
            parts.append("predictions of \(version) \(drift.drifted ? "drifted" : "did not drift"): \(drift.evidence)")
            if drift.drifted { share = 1 }
            detail.append("predictions \(drift.drifted ? "drifted" : "stable")")
        }
        return DriftVerdict(driftedShare: share, detail: detail.joined(separator: ", "),
                            evidence: parts.joined(separator: "; "))
    }
}
