import DriftStatistics
import Foundation
public import ModelRegistry
public import PipelineEngine
import PipelineModel
public import Tabular

/// Drift between a model version's training data and current data, over the model's input columns: what a
/// `drift:` trigger rule computes.
///
/// ```swift
/// let result = try await TrainingDataDrift.evaluate(model: "fraud-detection", current: "data/incoming/",
///                                                  method: "auto", share: 0.5, registry: registry,
///                                                  artifacts: store, baseDirectory: pipelineFolder)
/// result.evidence  // "9/16 columns drifted (share 0.56 ≥ 0.5): temp wasserstein 0.41, …"
/// ```
public struct TrainingDataDrift: Sendable, Equatable {
    /// Columns compared.
    public var columns: Int
    /// Columns that drifted.
    public var drifted: Int
    /// `drifted / columns`.
    public var share: Double
    /// The share at which the data counts as drifted.
    public var threshold: Double
    /// The drifted columns with their method and value, most drifted first (`temp wasserstein 0.41`).
    public var details: [String]

    /// Whether `share ≥ threshold`.
    public var fires: Bool { share >= threshold }

    /// `9/16 columns drifted (share 0.56 ≥ 0.5): temp wasserstein 0.41, …` (at most five columns named).
    public var evidence: String {
        var text = "\(drifted)/\(columns) columns drifted (share \(Self.format(share)) \(fires ? "≥" : "<") "
            + "\(Self.format(threshold)))"
        if !details.isEmpty {
            text += ": " + details.prefix(5).joined(separator: ", ") + (details.count > 5 ? ", …" : "")
        }
        return text
    }

    static func format(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Compares two frames over `columns`.
    /// - Parameters:
    ///   - reference: The training data.
    ///   - current: The current data.
    ///   - columns: Columns to compare (the model's input columns).
    ///   - method: `auto` (the default per column) or a method name (`ks`, `wasserstein`, …).
    ///   - share: Share of drifted columns that means drift.
    /// - Throws: ``DriftComparisonError`` for a missing column or an unknown method.
    ///   - shouldStop: Asked before every column; `true` stops the comparison.
    public static func compare(
        reference: DataFrame, current: DataFrame, columns: [String], method: String, share: Double,
        shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> TrainingDataDrift {
        let chosen: DriftMethod? = method.lowercased() == "auto" ? nil : try DriftComparison.method(named: method)
        let report = try DriftComparison.compare(reference: reference, current: current, columns: columns,
                                                 method: chosen, share: share, shouldStop: shouldStop)
        let drifted = report.columns.filter(\.drifted).sorted { $0.value > $1.value }
        return TrainingDataDrift(
            columns: report.columns.count, drifted: report.driftedCount, share: report.driftShare, threshold: share,
            details: drifted.map { "\($0.column) \($0.method.rawValue) \(format($0.value))" })
    }

    /// Loads the training data of `model`'s production version (its model file's `training.data_fingerprint`,
    /// from the artifact store) and the data at `current`, and compares them over the model's input columns.
    /// - Parameters:
    ///   - model: The model's name (its `production` version is used).
    ///   - current: A CSV file, folder of CSVs or glob, relative to `baseDirectory`.
    ///   - method: `auto` or a method name.
    ///   - share: Share of drifted columns that means drift.
    ///   - registry: The model registry.
    ///   - artifacts: Where model files and training data are.
    ///   - baseDirectory: Base of a relative `current`.
    ///   - limits: The most bytes one data file may have.
    /// - Throws: ``TaskFailure`` or ``DriftComparisonError`` saying what is missing; `CancellationError`.
    public static func evaluate(
        model: String, current: String, method: String, share: Double, registry: ModelRegistryService,
        artifacts: any ArtifactStore, baseDirectory: String, limits: DataLimits = .default
    ) async throws -> TrainingDataDrift {
        let version = try await registry.resolve(ModelReference(model: model))
        let file = try await ModelEvaluation.loadModel(version.artifact, artifacts: artifacts, workingDirectory: baseDirectory,
                                                 kind: "drift")
        let reference = try await Datasets.load(file.training.dataFingerprint, artifacts: artifacts,
                                                workingDirectory: baseDirectory,
                                                what: "drift: training data of \(version.reference)", limits: limits)
        let currentFrame = try await Datasets.load(current, artifacts: artifacts, workingDirectory: baseDirectory,
                                                   what: "drift: current data", limits: limits)
        let columns = file.inputSchema.keys.filter { $0 != file.label && currentFrame.contains(column: $0) }.sorted()
        guard !columns.isEmpty else {
            throw TaskFailure("drift: the current data has none of \(version.reference)'s input columns ("
                + file.inputSchema.keys.sorted().joined(separator: ", ") + ")")
        }
        return try await Offload.run { flag in
            try compare(reference: reference, current: currentFrame, columns: columns, method: method, share: share,
                        shouldStop: flag.check)
        }
    }
}
