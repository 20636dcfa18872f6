import BoostedTrees
import Features
import Foundation
import LinearModels
import ClassificationMetrics
import PipelineEngine
import PipelineModel
import Tabular

/// Fits a model file from a raw training frame: label, user transforms, automatic encodings, estimator.
struct ModelTrainer: Sendable {
    var algorithm: ModelAlgorithm
    var label: String
    var parameters: TrainingParameters
    var transforms: FeaturePipeline?
    /// Columns to leave out of the model (identifiers, timestamps, leakage).
    var exclude: [String] = []

    /// Trains on `frame`.
    /// - Parameters:
    ///   - frame: Training rows with the label column.
    ///   - fingerprint: The artifact reference of the training data.
    ///   - trainedAt: ISO-8601 time for the file.
    ///   - shouldStop: Polled between boosting rounds / Newton iterations; `true` stops training.
    /// - Throws: ``TaskFailure`` with what to fix.
    func train(_ frame: DataFrame, fingerprint: String, trainedAt: String,
               shouldStop: (@Sendable () -> Bool)? = nil) throws -> ModelFile {
        let labels = try LabelValues.read(frame, label: label, kind: "train")
        for name in exclude where !frame.contains(column: name) {
            throw TaskFailure("train: column '\(name)' in 'exclude' not found; columns are: \(frame.columnNames.joined(separator: ", "))")
        }
        let dropped = Set(exclude + [label])
        let input = try DataFrame(columns: frame.columns.filter { !dropped.contains($0.name) })
        guard input.columnCount > 0 else {
            throw TaskFailure("train: no feature columns left besides the label '\(label)'; the data needs at least one more column")
        }
        var fittedSteps: [FittedTransform] = []
        var transformed = input
        if let transforms {
            do {
                let result = try transforms.fitTransform(on: input)
                fittedSteps = result.pipeline.steps
                transformed = result.frame
            } catch {
                throw TaskFailure("train: fitting 'transforms' on the training data failed: \(error)")
            }
        }
        let auto = AutoEncoding.steps(for: transformed, algorithm: algorithm)
        var autoOrdinal: Set<String> = []
        for step in auto.steps {
            do {
                let fitted = try step.fit(on: transformed)
                transformed = try fitted.apply(to: transformed)
                fittedSteps.append(fitted)
                if case .ordinal(let spec) = step { autoOrdinal.insert(spec.column) }
            } catch {
                throw TaskFailure("train: encoding column for \(step.name) failed: \(error)")
            }
        }
        let features = transformed.columnNames.filter { !auto.unusable.contains($0) }
        guard !features.isEmpty else { throw TaskFailure("train: no usable feature columns (every column is empty)") }
        let categorical = features.map { name in
            algorithm == .gbdt && autoOrdinal.contains(name) && AutoEncoding.isCategorical(transformed[name]!)
        }
        let columns: [[Double]]
        do {
            columns = try FeatureColumns.values(of: transformed, names: features, categorical: categorical)
        } catch {
            throw TaskFailure("train: \(error)")
        }
        let estimator = try fit(columns: columns, names: features, categorical: categorical, labels: labels,
                                shouldStop: shouldStop)
        let scores = try estimator.predict(columns: columns, names: features)
        var metrics: [String: Double] = [:]
        metrics["train_auc"] = try? BinaryMetrics.rocAUC(labels: labels, scores: scores)
        metrics["train_logloss"] = try? BinaryMetrics.logLoss(labels: labels, probabilities: scores)
        return ModelFile(
            label: label, features: features,
            inputSchema: Dictionary(uniqueKeysWithValues: input.columns.map { ($0.name, $0.type) }),
            transform: fittedSteps.isEmpty ? nil : FittedPipeline(steps: fittedSteps), estimator: estimator,
            training: ModelTrainingInfo(rows: frame.rowCount, dataFingerprint: fingerprint, params: parameters.recorded,
                                        trainedAt: trainedAt, metrics: metrics))
    }

    private func fit(columns: [[Double]], names: [String], categorical: [Bool], labels: [Double],
                     shouldStop: (@Sendable () -> Bool)?) throws -> ModelEstimator {
        do {
            switch parameters {
            case .gbdt(let parameters):
                let matrix = try FeatureMatrix(columns: columns, names: names, isCategorical: categorical)
                let trainer = GradientBoostedTrees(parameters: parameters)
                guard parameters.earlyStoppingRounds != nil, labels.count >= 10 else {
                    return .gbdt(try trainer.fit(matrix, labels: labels, shouldStop: shouldStop))
                }
                // Early stopping needs held-out rows: every 10th row (a deterministic 10 % share).
                let validationRows = labels.indices.filter { $0 % 10 == 9 }
                let trainingRows = labels.indices.filter { $0 % 10 != 9 }
                let validation = GradientBoostedTrees.ValidationSet(
                    features: matrix.selectingRows(validationRows), labels: validationRows.map { labels[$0] })
                return .gbdt(try trainer.fit(matrix.selectingRows(trainingRows), labels: trainingRows.map { labels[$0] },
                                             validation: validation, shouldStop: shouldStop))
            case .logistic(let solver):
                return .logistic(try solver.fit(columns: columns, labels: labels, featureNames: names, shouldStop: shouldStop))
            }
        } catch let error as TaskFailure {
            throw error
        } catch {
            throw TaskFailure("train: fitting the \(algorithm.rawValue) model failed: \(error)")
        }
    }
}
