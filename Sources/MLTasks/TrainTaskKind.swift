import BoostedTrees
import Features
import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `train`: fits a model on a dataset and stores it as a model file artifact (see ``ModelFile``).
///
/// Inputs: `data` (dataset), `label` (column, 0/1), `algorithm` (`gbdt` default, or `logistic`), `params` (object),
/// `config` (path to a JSON/YAML file of params; `params` override it), `transforms` (a Features pipeline fitted on
/// the training data only and stored in the model), `exclude` (columns to leave out).
/// Outputs: `model` (artifact reference), `data_fingerprint` (artifact reference of the training data),
/// `features` (list), `rows`, `algorithm`, `train_auc`.
public struct TrainTaskKind: TaskKind {
    /// `"train"`.
    public let name = "train"

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: How YAML config files are read (JSON ones need nothing).
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

    /// Trains and stores the model.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: [
            "data", "label", "algorithm", "params", "config", "transforms", "exclude",
        ])
        let dataRef = try inputs.string("data", hint: "a dataset: an upstream task's `data` output or a CSV path")
        let label = try inputs.string("label", hint: "the 0/1 column to predict")
        let algorithmName = try inputs.optionalString("algorithm") ?? "gbdt"
        guard let algorithm = ModelAlgorithm(rawValue: algorithmName) else {
            throw inputs.failure("unknown algorithm '\(algorithmName)'; use gbdt or logistic")
        }
        var params: [String: JSONValue] = [:]
        if let config = try inputs.optionalString("config") {
            let document = try ConfigDocument.load(path: config, workingDirectory: context.workingDirectory, kind: name, input: "config",
                                                  yaml: readers.yaml)
            guard let object = document.objectValue else {
                throw inputs.failure("the config file '\(config)' must hold a mapping of parameter names to values")
            }
            params = object
        }
        if inputs.has("params") {
            guard let object = context.inputs["params"]?.objectValue else {
                throw inputs.failure("input 'params' must be a mapping such as {n_estimators: 100, max_depth: 6}")
            }
            params.merge(object) { _, task in task }
        }
        let parameters = try TrainingParameters.parse(params, algorithm: algorithm)
        if case .gbdt(let boosting) = parameters { context.recordSeed(Int64(bitPattern: boosting.seed)) }
        let transforms = try FeaturesTaskKind.pipeline(
            inputs, key: "transforms", workingDirectory: context.workingDirectory, yaml: readers.yaml)
        let exclude = try inputs.optionalStringList("exclude") ?? []
        let frame = try await Datasets.load(dataRef, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                      what: "train: input 'data'", limits: readers.limits)
        try Task.checkCancellation()
        let fingerprint = dataRef.hasPrefix("sha256:")
            ? dataRef : try await Datasets.store(frame, artifacts: context.artifacts, what: "train")
        let trainer = ModelTrainer(algorithm: algorithm, label: label, parameters: parameters, transforms: transforms,
                                   exclude: exclude)
        // The attempt's start, not the clock after training: the same inputs and start give the same model file.
        let started = context.startedAt.iso8601
        let model = try await Offload.run { flag in
            try trainer.train(frame, fingerprint: fingerprint, trainedAt: started, shouldStop: flag.check)
        }
        try Task.checkCancellation()
        let reference = try await Datasets.store(try model.jsonData(), artifacts: context.artifacts, what: "train")
        context.log("trained \(algorithm.rawValue) on \(frame.rowCount) rows, \(model.features.count) features: \(reference)")
        var outputs: [String: JSONValue] = [
            "model": .string(reference), "data_fingerprint": .string(fingerprint),
            "features": .array(model.features.map { .string($0) }), "rows": .number(Double(frame.rowCount)),
            "algorithm": .string(algorithm.rawValue),
        ]
        if let auc = model.training.metrics?["train_auc"] { outputs["train_auc"] = .number(auc) }
        return outputs
    }
}
