import Foundation
public import ModelRegistry
public import PipelineEngine
import PipelineModel
public import Tabular

/// The scores a model version gave its reference data (its test split): what prediction drift compares current
/// scores with. Kept as a content-addressed artifact (a binary frame with a `score` column and, when the data had
/// the label, a 0/1 `label` column) that the `register-model` task names in its `reference_scores` output.
///
/// ```swift
/// let frame = try ReferenceScores.make(model: file, data: testSplit)
/// let reference = try await Datasets.store(frame, artifacts: store, what: "register-model")
/// // later, from the version's lineage:
/// let found = try await ReferenceScores.locate(for: version, model: file, runs: stateStore, artifacts: store,
///                                              workingDirectory: ".")
/// ```
public enum ReferenceScores {
    /// The output key of the register task that holds the artifact reference.
    public static let outputKey = "reference_scores"

    /// Reference scores found for a version, and where they came from (for evidence).
    public struct Found: Sendable {
        /// One score per reference row.
        public var scores: [Double]
        /// The 0/1 label per reference row, when known.
        public var labels: [Double]?
        /// Where they came from: `reference_scores sha256:…` or `the retained test split sha256:… (scored now)`.
        public var source: String
    }

    /// The frame of reference scores for `data`: `score` and, when `data` has the model's label, `label`.
    /// - Parameters:
    ///   - model: The model file.
    ///   - data: The reference rows (the test split), with the model's input columns.
    /// - Throws: ``ModelFileError`` naming a missing or mistyped column; ``TaskFailure`` for a bad label.
    public static func make(model: ModelFile, data: DataFrame) throws -> DataFrame {
        var columns = [Column(name: "score", doubles: try model.score(data))]
        if data.contains(column: model.label) {
            columns.append(Column(name: "label", doubles: try LabelValues.read(data, label: model.label, kind: "reference scores")))
        }
        return try DataFrame(columns: columns)
    }

    /// Scores the dataset `data` with `model` and stores the frame of ``make(model:data:)`` as an artifact.
    /// - Parameters:
    ///   - model: The model file.
    ///   - data: The reference dataset: an artifact reference or a path relative to `workingDirectory`.
    ///   - artifacts: Where the frame is stored.
    ///   - workingDirectory: Base of a relative path.
    ///   - what: How the dataset is called in messages (`register-model: input 'reference_data'`).
    /// - Returns: The artifact reference and the number of scores.
    /// - Throws: ``TaskFailure`` naming the input and what is wrong with it.
    public static func store(
        model: ModelFile, data: String, artifacts: any ArtifactStore, workingDirectory: String, what: String
    ) async throws -> (reference: String, rows: Int) {
        let frame = try await Datasets.load(data, artifacts: artifacts, workingDirectory: workingDirectory, what: what)
        let scores: DataFrame
        do {
            scores = try await Offload.run { try make(model: model, data: frame) }
        } catch {
            throw TaskFailure("\(what): cannot score '\(data)' with the model: \(error)")
        }
        return (try await Datasets.store(scores, artifacts: artifacts, what: what), scores.rowCount)
    }

    /// Finds the reference scores of `version` from its lineage: the `reference_scores` output of the task that
    /// registered it; failing that (a version registered before they were kept), the `test` output of a task of
    /// the same run (a `split`), scored now with `model`.
    /// - Parameters:
    ///   - version: The registered version.
    ///   - model: Its model file.
    ///   - runs: The state store holding the registering run's task outputs; `nil` = none known.
    ///   - artifacts: The artifact store.
    ///   - workingDirectory: Base of relative paths.
    ///   - limits: The most bytes one file may have.
    /// - Throws: ``TaskFailure`` saying why no reference scores can be found and how to get them.
    public static func locate(
        for version: ModelVersion, model: ModelFile, runs: (any StateStore)?, artifacts: (any ArtifactStore)?,
        workingDirectory: String, limits: DataLimits = .default
    ) async throws -> Found {
        let advice = "register a new version with `reference_data:` (the test split) on its register-model task"
        guard let runs else {
            throw TaskFailure("\(version.reference) has no reference scores here (no run records to read its "
                + "lineage from); \(advice)")
        }
        let tasks = try await runs.tasks(of: RunID(rawValue: version.runID))
        let registering = tasks.first { $0.taskID == version.task }
        if let reference = registering?.outputs?[outputKey]?.stringValue {
            let frame = try await Datasets.load(reference, artifacts: artifacts, workingDirectory: workingDirectory,
                                                what: "reference scores of \(version.reference)", limits: limits)
            guard let scores = frame["score"]?.numericValues?.compactMap({ $0 }) else {
                throw TaskFailure("reference scores of \(version.reference) (\(reference)) have no `score` column; \(advice)")
            }
            let labels = frame["label"]?.numericValues.map { $0.map { $0 ?? .nan } }
            return Found(scores: scores, labels: labels, source: "\(outputKey) \(reference)")
        }
        let splits = tasks.compactMap { task -> (String, String)? in
            guard let test = task.outputs?["test"]?.stringValue, test.hasPrefix("sha256:") else { return nil }
            return (task.taskID, test)
        }
        guard let split = splits.first else {
            throw TaskFailure("\(version.reference) has no reference scores: it was registered without "
                + "`reference_data:` and run \(version.runID) kept no test split; \(advice)")
        }
        let (taskID, test) = split
        guard let artifacts, (try? await artifacts.contains(test)) == true else {
            throw TaskFailure("\(version.reference) has no reference scores and its test split (tasks.\(taskID)"
                + ".outputs.test, \(test)) is no longer in the artifact store; \(advice)")
        }
        let frame = try await Datasets.load(test, artifacts: artifacts, workingDirectory: workingDirectory,
                                            what: "test split of \(version.reference)", limits: limits)
        let scored = try await Offload.run { try make(model: model, data: frame) }
        return Found(
            scores: scored["score"]!.numericValues!.map { $0 ?? .nan },
            labels: scored["label"]?.numericValues.map { $0.map { $0 ?? .nan } },
            source: "the retained test split (tasks.\(taskID).outputs.test, scored now)")
    }
}
