import BoostedTrees
import Foundation
import LinearModels
import PipelineEngine
import PipelineModel

/// Hyperparameters of `train`, read from `params` (over an optional `config:` file) for the chosen algorithm.
enum TrainingParameters: Sendable {
    /// Parameters `logistic` accepts.
    static let logisticNames = ["l2", "max_iterations", "tolerance"]

    /// `gbdt` parameters that take whole numbers.
    static let wholeNumberNames = ["n_estimators", "max_depth", "early_stopping_rounds", "seed", "threads", "max_bin"]

    case gbdt(BoostingParameters)
    case logistic(LogisticRegression)

    /// Decodes `params` for `algorithm`.
    /// - Throws: ``TaskFailure`` naming an unknown parameter or a bad value, with the valid names.
    static func parse(_ params: [String: JSONValue], algorithm: ModelAlgorithm) throws -> TrainingParameters {
        switch algorithm {
        case .gbdt:
            for name in wholeNumberNames {
                guard let number = params[name]?.numberValue else { continue }
                guard number.rounded() == number, abs(number) <= 1e15 else {
                    throw TaskFailure("train: params: '\(name)' = \(params[name]!.compactJSON) is not a valid value; use a "
                        + "whole number within the parameter's range (n_estimators ≤ \(BoostingParameters.maxEstimators), "
                        + "max_depth ≤ \(BoostingParameters.maxDepthLimit), max_bin ≤ 256, threads ≤ \(BoostingParameters.maxThreads))")
                }
            }
            do {
                return .gbdt(try JSONDecoder().decode(BoostingParameters.self, from: JSONValue.object(params).jsonData))
            } catch let error as BoostingError {
                throw TaskFailure("train: params: \(error)")
            } catch let DecodingError.typeMismatch(_, context) {
                let name = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw TaskFailure("train: params: '\(name)' has the wrong type (\(params[name]?.compactJSON ?? "?")); "
                    + "use a number (whole for n_estimators, max_depth, early_stopping_rounds, seed, threads)")
            } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
                let name = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw TaskFailure("train: params: '\(name)' = \(params[name]?.compactJSON ?? "?") is not a valid value; "
                    + "use a whole number within the parameter's range (n_estimators ≤ \(BoostingParameters.maxEstimators), "
                    + "max_depth ≤ \(BoostingParameters.maxDepthLimit), max_bin ≤ 256) or one of its documented values")
            } catch {
                throw TaskFailure("train: params: \(error)")
            }
        case .logistic:
            var solver = LogisticRegression()
            for (key, value) in params.sorted(by: { $0.key < $1.key }) {
                guard let number = value.numberValue else {
                    throw TaskFailure("train: params: '\(key)' must be a number, got \(value.compactJSON)")
                }
                switch key {
                case "l2":
                    guard number >= 0, number.isFinite else { throw TaskFailure("train: params: l2 must be ≥ 0, got \(number)") }
                    solver.l2 = number
                case "max_iterations":
                    guard number >= 1, number <= Double(LogisticRegression.maxIterationsLimit), number.rounded() == number else {
                        throw TaskFailure("train: params: max_iterations must be a whole number in "
                            + "1…\(LogisticRegression.maxIterationsLimit), got \(number)")
                    }
                    solver.maxIterations = Int(number)
                case "tolerance":
                    guard number > 0 else { throw TaskFailure("train: params: tolerance must be > 0, got \(number)") }
                    solver.tolerance = number
                default:
                    throw TaskFailure("train: params: unknown parameter '\(key)' for algorithm logistic; valid names are "
                        + logisticNames.joined(separator: ", ") + " (the gbdt names apply to algorithm: gbdt)")
                }
            }
            return .logistic(solver)
        }
    }

    /// The effective parameters as recorded in the model file (without `threads`, which does not change the model).
    var recorded: JSONValue {
        switch self {
        case .gbdt(let parameters):
            let data = (try? JSONEncoder().encode(parameters)) ?? Data("{}".utf8)
            // `threads` changes how fast, never what is trained: left out, the model file is the same for any count.
            guard case .object(var members) = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .object([:]) else {
                return .object([:])
            }
            members["threads"] = nil
            return .object(members)
        case .logistic(let solver):
            return .object(["l2": .number(solver.l2), "max_iterations": .number(Double(solver.maxIterations)),
                            "tolerance": .number(solver.tolerance)])
        }
    }
}
