public import Features
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
        let fitted = try await transforms(for: version, runs: runs, artifacts: artifacts)
        guard !fitted.isEmpty else { return frame }
        return try await Offload.run { flag in
            try Self.apply(fitted, to: frame, model: model) { flag.isCancelled }
        }
    }

    /// The fitted transforms (`transform` outputs of the tasks, in task order) of the run that registered `version`;
    /// empty when it has none. Load them once and ``apply(_:to:model:shouldStop:)`` them to many frames.
    /// - Parameters:
    ///   - version: The registered version.
    ///   - runs: The state store with the run's task outputs.
    ///   - artifacts: Where the fitted transforms are.
    /// - Throws: The store's errors; an unreadable transform is left out.
    public static func transforms(
        for version: ModelVersion, runs: any StateStore, artifacts: any ArtifactStore
    ) async throws -> [FittedPipeline] {
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
        return transforms
    }

    /// `frame` with the model's input columns it lacks added by the first of `transforms` that computes them;
    /// `frame` unchanged when it has them all.
    /// - Parameters:
    ///   - transforms: From ``transforms(for:runs:artifacts:)``.
    ///   - frame: Raw rows.
    ///   - model: The model file whose input schema says which columns are needed.
    ///   - shouldStop: Polled between transforms; `true` ends the work with `CancellationError`.
    /// - Throws: `CancellationError`; a transform that fails only leaves its columns out.
    public static func apply(
        _ transforms: [FittedPipeline], to frame: DataFrame, model: ModelFile, shouldStop: () -> Bool = { false }
    ) throws -> DataFrame {
        // A handful of names: lists searched in order beat hashing them on every request.
        var wanted = model.inputSchema.keys.filter { !frame.contains(column: $0) }
        var out = frame
        for transform in transforms where !wanted.isEmpty {
            if shouldStop() { throw CancellationError() }
            guard let applied = try? transform.apply(to: frame) else { continue }
            for column in applied.columns {
                guard let position = wanted.firstIndex(of: column.name) else { continue }
                try out.addColumn(column)
                wanted.remove(at: position)
            }
        }
        return out
    }
}
