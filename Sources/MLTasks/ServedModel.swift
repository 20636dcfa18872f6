public import Features
public import ModelRegistry
public import PipelineModel
public import Tabular

/// One registered version ready to score requests: its model file, the fitted feature transforms of the run that
/// registered it (for raw rows), and its decision threshold. Loaded once, then shared by every request it serves.
public struct ServedModel: Sendable {
    /// The version.
    public var version: ModelVersion
    /// Its model file.
    public var file: ModelFile
    /// The fitted transforms of its registering run (``LineageFeatures``), applied to rows that lack feature columns.
    public var transforms: [FittedPipeline]
    /// The decision threshold: the version's `threshold` metric, else 0.5.
    public var threshold: Double

    /// Creates a served model.
    public init(version: ModelVersion, file: ModelFile, transforms: [FittedPipeline] = []) {
        self.version = version
        self.file = file
        self.transforms = transforms
        self.threshold = version.metrics["threshold"] ?? 0.5
    }

    /// The rows' frame and the probability of class 1 for each row.
    /// - Parameter rows: JSON rows (``PredictionRows``).
    /// - Throws: ``PredictionError`` (`invalid`) naming the column when the rows do not fit the model.
    public func score(_ rows: [[String: JSONValue]]) throws -> (frame: DataFrame, scores: [Double]) {
        let frame = try PredictionRows.frame(rows, schema: file.inputSchema, checkMissing: transforms.isEmpty)
        do {
            let complete = try LineageFeatures.apply(transforms, to: frame, model: file)
            return (frame, try file.score(complete))
        } catch let error as ModelFileError {
            throw PredictionError(.invalid, "\(error) (model \(version.reference))")
        } catch {
            throw PredictionError(.invalid, "cannot score these rows with \(version.reference): \(error)")
        }
    }
}
