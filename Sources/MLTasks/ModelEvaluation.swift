import Foundation
import ClassificationMetrics
public import PipelineEngine
import PipelineModel
import Tabular

/// Scores a model file on a labelled dataset and measures it: what `evaluate` does, callable from other kinds
/// (a deploy gate comparing a candidate with the production model on the same data).
///
/// ```swift
/// let candidate = try await ModelEvaluation.metrics(model: candidateRef, data: holdoutRef, label: "churned",
///                                                   artifacts: context.artifacts,
///                                                   workingDirectory: context.workingDirectory)
/// if candidate["auc"]! > production["auc"]! { … }
/// ```
public enum ModelEvaluation {
    /// The decision threshold for the threshold metrics.
    public enum Threshold: Sendable, Equatable {
        /// A fixed threshold: a row is positive when its score is ≥ the value.
        case fixed(Double)
        /// The threshold that maximises F1 on the data.
        case best
    }

    /// Metrics of `model` on `data`.
    /// - Parameters:
    ///   - model: The model file: an artifact reference or a path.
    ///   - data: The labelled dataset: an artifact reference or a path.
    ///   - label: The 0/1 label column.
    ///   - threshold: Decision threshold; default 0.5.
    ///   - artifacts: The artifact store (for references).
    ///   - workingDirectory: Base of relative paths.
    /// - Returns: `f1`, `precision`, `recall`, `accuracy`, `threshold`, `rows`, `tp`, `fp`, `tn`, `fn`, and —
    ///   when defined (both classes present) — `auc`, `pr_auc`, `logloss`.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public static func metrics(
        model: String, data: String, label: String, threshold: Threshold = .fixed(0.5),
        artifacts: (any ArtifactStore)?, workingDirectory: String
    ) async throws -> [String: Double] {
        let file = try await loadModel(model, artifacts: artifacts, workingDirectory: workingDirectory, kind: "evaluate")
        return try await metrics(file, data: data, label: label, threshold: threshold, artifacts: artifacts,
                           workingDirectory: workingDirectory)
    }

    /// Metrics of a loaded model file on `data`; `label` `nil` uses the model's label.
    static func metrics(
        _ file: ModelFile, data: String, label: String?, threshold: Threshold, artifacts: (any ArtifactStore)?,
        workingDirectory: String
    ) async throws -> [String: Double] {
        let frame = try await Datasets.load(data, artifacts: artifacts, workingDirectory: workingDirectory, what: "evaluate: input 'data'")
        try Task.checkCancellation()
        let labels = try LabelValues.read(frame, label: label ?? file.label, kind: "evaluate")
        return try await Offload.run {
            let scores: [Double]
            do {
                scores = try file.score(frame)
            } catch {
                throw TaskFailure("evaluate: cannot score '\(data)' with the model: \(error)")
            }
            return try measure(labels: labels, scores: scores, threshold: threshold)
        }
    }

    /// Metrics from labels and scores.
    static func measure(labels: [Double], scores: [Double], threshold: Threshold) throws -> [String: Double] {
        guard !labels.isEmpty else { throw TaskFailure("evaluate: the data has no rows") }
        do {
            let cut: Double
            switch threshold {
            case .fixed(let value): cut = value
            case .best: cut = try BinaryMetrics.f1OptimalThreshold(labels: labels, scores: scores).threshold
            }
            let report = try BinaryMetrics.report(labels: labels, scores: scores, threshold: cut)
            let matrix = report.confusionMatrix
            var out: [String: Double] = [
                "f1": report.f1, "precision": report.precision, "recall": report.recall, "accuracy": report.accuracy,
                "threshold": cut, "rows": Double(labels.count), "tp": Double(matrix.truePositives),
                "fp": Double(matrix.falsePositives), "tn": Double(matrix.trueNegatives), "fn": Double(matrix.falseNegatives),
            ]
            out["auc"] = report.rocAUC
            out["pr_auc"] = report.averagePrecision
            out["logloss"] = report.logLoss
            return out
        } catch {
            throw TaskFailure("evaluate: \(error)")
        }
    }

    /// Loads a model file given as an artifact reference or a path.
    static func loadModel(_ reference: String, artifacts: (any ArtifactStore)?, workingDirectory: String, kind: String) async throws -> ModelFile {
        let data = try await Datasets.data(reference, artifacts: artifacts, workingDirectory: workingDirectory, what: "\(kind): input 'model'")
        do {
            return try ModelFile(jsonData: data)
        } catch {
            throw TaskFailure("\(kind): model '\(reference)': \(error)")
        }
    }
}
