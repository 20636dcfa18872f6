import Features
import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `features`: applies a Features pipeline to a dataset.
///
/// Inputs: `data` (dataset), `transforms` (the pipeline: `{steps: [...]}`, a bare list of steps, or a path to a
/// JSON/YAML file), `fit` (default `true`: fit on `data`), `transform` (with `fit: false`: the artifact reference
/// or path of an already fitted transform to apply).
/// Outputs: `data` (artifact reference), `transform` (artifact reference of the fitted transform JSON), `rows`, `columns`.
public struct FeaturesTaskKind: TaskKind {
    /// `"features"`.
    public let name = "features"

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: How YAML config files are read (JSON ones need nothing).
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

    /// Fits (or loads) and applies the transform.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["data", "transforms", "fit", "transform"])
        let dataRef = try inputs.string("data", hint: "a dataset: an upstream task's `data` output or a CSV path")
        let frame = try await Datasets.load(dataRef, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                      what: "features: input 'data'")
        let fit = try inputs.optionalBool("fit") ?? true
        let fitted: FittedPipeline
        var transformRef: String
        if fit {
            guard let pipeline = try Self.pipeline(inputs, key: "transforms", workingDirectory: context.workingDirectory, yaml: readers.yaml) else {
                throw inputs.failure("missing input 'transforms'; add `transforms: {steps: [...]}` (or `fit: false` with "
                    + "`transform:` to apply a fitted one)")
            }
            do {
                fitted = try await Offload.run { try pipeline.fit(on: frame) }
            } catch {
                throw inputs.failure("fitting the transforms failed: \(error)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            transformRef = try await Datasets.store(try encoder.encode(fitted), artifacts: context.artifacts, what: name)
        } else {
            transformRef = try inputs.string("transform", hint: "with fit: false, the `transform` output of a fitting features task")
            let data = try await Datasets.data(transformRef, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                         what: "features: input 'transform'")
            do {
                fitted = try JSONDecoder().decode(FittedPipeline.self, from: data)
            } catch {
                throw inputs.failure("'\(transformRef)' is not a fitted transform (the `transform` output of a features task): \(error)")
            }
        }
        let result: DataFrame
        do {
            let transform = fitted
            result = try await Offload.run { try transform.apply(to: frame) }
        } catch {
            throw inputs.failure("applying the transforms failed: \(error)")
        }
        let reference = try await Datasets.store(result, artifacts: context.artifacts, what: name)
        return [
            "data": .string(reference), "transform": .string(transformRef), "rows": .number(Double(result.rowCount)),
            "columns": .array(result.columnNames.map { .string($0) }),
        ]
    }

    /// The Features pipeline given as `key`: an object `{steps: […]}`, a list of steps, or a JSON/YAML file path.
    static func pipeline(
        _ inputs: TaskInputs, key: String, workingDirectory: String, yaml: DataReaders.YAMLParser?
    ) throws -> FeaturePipeline? {
        guard var document = try inputs.document(key, workingDirectory: workingDirectory, yaml: yaml) else { return nil }
        if case .array = document { document = .object(["steps": document]) }
        do {
            return try FeaturePipeline(json: document.jsonData)
        } catch {
            throw inputs.failure("input '\(key)' is not a valid Features pipeline: \(error)")
        }
    }
}
