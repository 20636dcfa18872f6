import BoostedTrees
public import Features
import Foundation
import LinearModels
import PipelineModel
public import Tabular

/// A trained model as Kiln stores it: a versioned JSON document that carries everything needed to score raw data.
///
/// ```json
/// { "format": "kiln-model", "format_version": 1,
///   "algorithm": "gbdt",                         // or "logistic"
///   "label": "churned",
///   "features": ["tenure", "contract", …],       // estimator input columns, in order (after the transform)
///   "input_schema": {"tenure": "int", "contract": "string", …},  // raw columns the model reads, and their types
///   "transform": {"steps": [ … ]},               // fitted Features pipeline (user transforms + encodings) or null
///   "model": { … },                              // BoostedTreesModel or LogisticRegressionModel JSON
///   "training": {"rows": 320, "data_fingerprint": "sha256:…", "params": { … },
///                "trained_at": "2026-11-29T15:00:00Z", "metrics": {"train_auc": 0.91, "train_logloss": 0.32}} }
/// ```
///
/// Scoring (``score(_:)``) checks the data against `input_schema` (a missing column or a wrong type is an error
/// naming the column; `int` and `double` are interchangeable, and an all-null column fits any type), applies
/// `transform`, and feeds `features` to the estimator. Reading checks `format` and `format_version`.
public struct ModelFile: Sendable, Equatable {
    /// The value of `format`.
    public static let format = "kiln-model"
    /// The `format_version` this build writes and reads.
    public static let formatVersion = 1

    /// The algorithm.
    public var algorithm: ModelAlgorithm { estimator.algorithm }
    /// The label column the model was trained to predict.
    public var label: String
    /// The estimator's input columns, in order, after the transform.
    public var features: [String]
    /// The raw input columns and their types.
    public var inputSchema: [String: ColumnType]
    /// The fitted transform applied to raw data before the estimator, or `nil`.
    public var transform: FittedPipeline?
    /// The fitted estimator.
    public var estimator: ModelEstimator
    /// Provenance.
    public var training: ModelTrainingInfo

    /// Creates a model file.
    /// - Parameters:
    ///   - label: The label column.
    ///   - features: Estimator input columns in order.
    ///   - inputSchema: Raw columns and types.
    ///   - transform: The fitted transform or `nil`.
    ///   - estimator: The fitted estimator.
    ///   - training: Provenance.
    public init(label: String, features: [String], inputSchema: [String: ColumnType], transform: FittedPipeline?,
                estimator: ModelEstimator, training: ModelTrainingInfo) {
        self.label = label
        self.features = features
        self.inputSchema = inputSchema
        self.transform = transform
        self.estimator = estimator
        self.training = training
    }

    /// Decodes a model file.
    /// - Parameter data: The JSON bytes.
    /// - Throws: ``ModelFileError`` when the document is not a Kiln model, has another `format_version`, or is malformed.
    public init(jsonData data: Data) throws {
        do {
            self = try JSONDecoder().decode(ModelFile.self, from: data)
        } catch let error as ModelFileError {
            throw error
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw ModelFileError("this is not a Kiln model file (it is not JSON); pass the `model` output of a train "
                + "task, or a file it wrote")
        } catch let error as DecodingError {
            throw ModelFileError("the model file is malformed: \(Self.describe(error)); re-train or re-export it")
        } catch {
            throw ModelFileError("the model file is malformed: \(error)")
        }
    }

    /// The JSON bytes (pretty-printed, sorted keys: stable, so equal models give equal artifacts).
    /// - Throws: `EncodingError` (not expected for finite numbers).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a model file from disk.
    /// - Parameter path: The file.
    /// - Throws: ``ModelFileError``.
    public static func load(path: String) throws -> ModelFile {
        let data: Data
        do {
            data = Data(try DataLimits.default.read(path))
        } catch TabularError.fileUnreadable {
            throw ModelFileError("cannot read the model file \(path)")
        } catch {
            throw ModelFileError("cannot read the model file: \(error)")
        }
        return try ModelFile(jsonData: data)
    }

    /// Writes the model file to disk (atomically).
    /// - Parameter path: The destination.
    /// - Throws: When encoding or writing fails.
    public func save(path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "at '\(path)': ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}

extension ModelFile: Codable {
    enum CodingKeys: String, CodingKey {
        case format, algorithm, label, features, transform, model, training
        case formatVersion = "format_version"
        case inputSchema = "input_schema"
    }

    /// Decodes and checks `format`, `format_version`, then the rest.
    /// - Parameter decoder: The decoder.
    /// - Throws: ``ModelFileError`` on a format or version mismatch; `DecodingError` when malformed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decodeIfPresent(String.self, forKey: .format)
        guard format == Self.format else {
            throw ModelFileError("this is not a Kiln model file (format is \(format.map { "'\($0)'" } ?? "missing"), "
                + "expected '\(Self.format)'); pass the `model` output of a train task")
        }
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw ModelFileError("model format_version \(version) is not supported (this Kiln reads version "
                + "\(Self.formatVersion)); re-train the model with this Kiln, or use the Kiln version that wrote it")
        }
        let algorithm = try c.decode(ModelAlgorithm.self, forKey: .algorithm)
        label = try c.decode(String.self, forKey: .label)
        features = try c.decode([String].self, forKey: .features)
        inputSchema = try c.decode([String: ColumnType].self, forKey: .inputSchema)
        transform = try c.decodeIfPresent(FittedPipeline.self, forKey: .transform)
        training = try c.decode(ModelTrainingInfo.self, forKey: .training)
        switch algorithm {
        case .gbdt: estimator = .gbdt(try c.decode(BoostedTreesModel.self, forKey: .model))
        case .logistic: estimator = .logistic(try c.decode(LogisticRegressionModel.self, forKey: .model))
        }
    }

    /// Encodes the documented layout.
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format, forKey: .format)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(label, forKey: .label)
        try c.encode(features, forKey: .features)
        try c.encode(inputSchema, forKey: .inputSchema)
        if let transform { try c.encode(transform, forKey: .transform) } else { try c.encodeNil(forKey: .transform) }
        switch estimator {
        case .gbdt(let model): try c.encode(model, forKey: .model)
        case .logistic(let model): try c.encode(model, forKey: .model)
        }
        try c.encode(training, forKey: .training)
    }
}
