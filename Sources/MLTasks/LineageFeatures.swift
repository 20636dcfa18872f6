import Features
import Foundation
public import ModelRegistry
public import PipelineEngine
import PipelineModel
public import Tabular

/// Feature columns a model version was trained on that raw rows lack, recomputed from the version's lineage: the
/// fitted transforms (`transform` outputs of `features` tasks) of the run that registered it, applied to the rows.
/// So a model trained on the output of separate feature tasks (examples/fraud-detection) can score raw data in
/// monitoring, exactly as its pipeline computed the features.
///
/// ```swift
/// let rows = try await LineageFeatures.complete(raw, for: version, model: file, runs: store, artifacts: artifacts)
/// let scores = try file.score(rows)
/// ```
public enum LineageFeatures {
    /// `frame` with the model's missing input columns added by the registering run's fitted transforms; `frame`
    /// unchanged when it has them all, or when no transform in the lineage adds them (scoring then names them).
    /// - Parameters:
    ///   - frame: Raw rows.
    ///   - version: The registered version (its run holds the transforms).
    ///   - model: Its model file.
    ///   - runs: The state store with the run's task outputs; `nil` = none.
    ///   - artifacts: Where the fitted transforms are.
    /// - Throws: `CancellationError`; problems with a transform only leave its columns out.
    public static func complete(
        _ frame: DataFrame, for version: ModelVersion, model: ModelFile, runs: (any StateStore)?,
        artifacts: (any ArtifactStore)?
    ) async throws -> DataFrame {
        let missing = model.inputSchema.keys.filter { !frame.contains(column: $0) }
        guard !missing.isEmpty, let runs, let artifacts else { return frame }
        let tasks = try await runs.tasks(of: RunID(rawValue: version.runID)).sorted { $0.taskID < $1.taskID }
        var transforms: [FittedPipeline] = []
        for task in tasks {
            guard let reference = task.outputs?["transform"]?.stringValue, reference.hasPrefix("sha256:"),
                let path = try? await artifacts.localPath(for: reference),
                let data = FileManager.default.contents(atPath: path),
                let fitted = try? JSONDecoder().decode(FittedPipeline.self, from: data)
            else { continue }
            transforms.append(fitted)
        }
        guard !transforms.isEmpty else { return frame }
        let fitted = transforms
        return try await Offload.run { flag in
            var out = frame
            var wanted = Set(missing)
            for transform in fitted where !wanted.isEmpty {
                if flag.isCancelled { throw CancellationError() }
                guard let applied = try? transform.apply(to: frame) else { continue }
                for name in applied.columnNames where wanted.contains(name) {
                    try out.addColumn(applied[name]!)
                    wanted.remove(name)
                }
            }
            return out
        }
    }
}
