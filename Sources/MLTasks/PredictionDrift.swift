public import DriftStatistics
import Foundation
public import ModelRegistry
public import PipelineEngine
import PipelineModel
import PipelineScheduler
public import Tabular

/// Prediction drift: the scores a model version gives current data against the scores it gave its reference data
/// (the test split, kept at registration), with the same statistics and Evidently defaults as column drift (KS up
/// to 1,000 reference scores, normalised Wasserstein above; PSI or another method on request). When both sides
/// have the label, label drift is tested too (chi-squared / Jensen–Shannon on the 0/1 label).
///
/// ```swift
/// let drift = try PredictionDrift.compare(reference: found.scores, current: scores, method: "auto")
/// drift.evidence  // "score ks p 0.0002 < 0.05 (statistic 0.21), 5,000 rows vs 5,000 reference scores"
/// ```
public struct PredictionDrift: Sendable, Equatable {
    /// The score test.
    public var score: ColumnDriftResult
    /// The label test, when both sides had the label.
    public var label: ColumnDriftResult?
    /// Reference scores compared.
    public var referenceRows: Int
    /// Current rows compared.
    public var currentRows: Int

    /// Whether the scores (or the label) drifted.
    public var drifted: Bool { score.drifted || label?.drifted == true }

    /// `score ks p 0.0002 < 0.05 (statistic 0.21), label chisquare p 0.41 ≥ 0.05 (statistic 0.68); 5,000 rows vs
    /// 5,000 reference scores`.
    public var evidence: String {
        var parts = [Self.describe(score, as: "score")]
        if let label { parts.append(Self.describe(label, as: "label")) }
        return parts.joined(separator: ", ")
            + "; \(EvidenceFormat.count(currentRows)) rows vs \(EvidenceFormat.count(referenceRows)) reference scores"
    }

    /// `score ks p 0.0002 < 0.05 (statistic 0.21)` or `score wasserstein 0.41 ≥ 0.1`.
    static func describe(_ result: ColumnDriftResult, as name: String) -> String {
        let value = String(format: "%.3g", result.value)
        let threshold = String(format: "%.3g", result.threshold)
        if let p = result.pValue {
            let comparison = result.drifted ? "<" : "≥"
            return "\(name) \(result.method.rawValue) p \(String(format: "%.3g", p)) \(comparison) \(threshold) "
                + "(statistic \(String(format: "%.3g", result.statistic)))"
        }
        return "\(name) \(result.method.rawValue) \(value) \(result.drifted ? "≥" : "<") \(threshold)"
    }

    /// Compares current scores (and labels) with reference ones.
    /// - Parameters:
    ///   - reference: Reference scores.
    ///   - current: Current scores.
    ///   - referenceLabels: Reference 0/1 labels, or `nil`.
    ///   - currentLabels: Current 0/1 labels, or `nil` (label drift is tested only with both).
    ///   - method: `auto` (the default for the reference size) or a method name for the scores (`ks`, `psi`,
    ///     `wasserstein`, …); the label always uses the categorical default.
    ///   - threshold: The score test's threshold; `nil` = the method's default.
    /// - Throws: ``DriftComparisonError`` for an unknown method or empty scores.
    public static func compare(
        reference: [Double], current: [Double], referenceLabels: [Double]? = nil, currentLabels: [Double]? = nil,
        method: String = "auto", threshold: Double? = nil
    ) throws -> PredictionDrift {
        let chosen: DriftMethod? = method.lowercased() == "auto" ? nil : try DriftComparison.method(named: method)
        do {
            let score = try DriftDetector.predictionDrift(reference: reference, current: current, method: chosen,
                                                          threshold: threshold)
            var label: ColumnDriftResult?
            if let referenceLabels, let currentLabels {
                label = try DriftDetector.predictionDrift(reference: referenceLabels, current: currentLabels,
                                                          isCategorical: true)
            }
            return PredictionDrift(score: score, label: label, referenceRows: reference.count,
                                   currentRows: current.count)
        } catch {
            throw DriftComparisonError("prediction drift: \(error)")
        }
    }

    /// Scores the data at `current` with `model`'s production version (feature columns it lacks recomputed by
    /// ``LineageFeatures``) and compares the scores with that version's reference scores (see ``ReferenceScores/locate(for:model:runs:artifacts:workingDirectory:limits:)``).
    /// - Parameters:
    ///   - model: The model's name (its `production` version is used).
    ///   - current: A CSV file, folder of CSVs or glob, relative to `baseDirectory`.
    ///   - method: `auto` or a method name for the scores.
    ///   - registry: The model registry.
    ///   - runs: The state store with the registering run's task outputs (the version's lineage).
    ///   - artifacts: Where model files and reference scores are.
    ///   - baseDirectory: Base of a relative `current`.
    ///   - limits: The most bytes one data file may have.
    /// - Returns: The version (`NAME@N`) and the comparison.
    /// - Throws: ``TaskFailure`` (no production version, no reference scores, unreadable data, a column the model
    ///   needs is missing) or ``DriftComparisonError``; `CancellationError`.
    public static func evaluate(
        model: String, current: String, method: String, registry: ModelRegistryService, runs: (any StateStore)?,
        artifacts: any ArtifactStore, baseDirectory: String, limits: DataLimits = .default
    ) async throws -> (version: String, drift: PredictionDrift) {
        let version = try await registry.resolve(ModelReference(model: model))
        let file = try await ModelEvaluation.loadModel(version.artifact, artifacts: artifacts, workingDirectory: baseDirectory,
                                                 kind: "prediction drift")
        let reference = try await ReferenceScores.locate(for: version, model: file, runs: runs, artifacts: artifacts,
                                                         workingDirectory: baseDirectory, limits: limits)
        let raw = try await Datasets.load(current, artifacts: artifacts, workingDirectory: baseDirectory,
                                          what: "prediction drift: current data", limits: limits)
        let frame = try await LineageFeatures.complete(raw, for: version, model: file, runs: runs, artifacts: artifacts)
        let drift = try await Offload.run { () throws -> PredictionDrift in
            let scores: [Double]
            do {
                scores = try file.score(frame)
            } catch {
                throw TaskFailure("prediction drift: cannot score '\(current)' with \(version.reference): \(error)")
            }
            var labels: [Double]?
            if frame.contains(column: file.label) {
                labels = try LabelValues.read(frame, label: file.label, kind: "prediction drift")
            }
            return try compare(reference: reference.scores, current: scores,
                               referenceLabels: reference.labels, currentLabels: labels, method: method)
        }
        return (version.reference, drift)
    }
}
