import Foundation
import PipelineEngine
import PipelineModel

/// Scores a model artifact on a dataset, for champion/challenger gates (the ML task kinds provide it).
public protocol ModelScoring: Sendable {
    /// The metrics (`f1`, `auc`, `logloss`, …) of `model` on `data` with label column `label`.
    func metrics(model: String, data: String, label: String, context: TaskContext) async throws -> [String: Double]
}

/// The deploy decision: absolute thresholds on the candidate's metrics, and/or "beat production by a margin on
/// the same data".
///
/// ```yaml
/// gate:
///   thresholds: ["f1 >= 0.85", "logloss <= 0.5"]
///   champion: { metric: f1, margin: 0.005, data: "${{ tasks.split.outputs.test }}", label: is_fraud }
/// ```
struct DeployGate {
    struct Threshold {
        var metric: String
        var op: String
        var value: Double
        var text: String
    }

    struct Champion {
        var metric: String
        var margin: Double
        var data: String
        var label: String
        var higherIsBetter: Bool
    }

    var thresholds: [Threshold] = []
    var champion: Champion?

    init(_ value: JSONValue?) throws {
        guard let value, value != .null else { return }
        guard let members = value.objectValue else {
            throw TaskFailure("deploy: gate must be a map with 'thresholds' and/or 'champion', got \(value.compactJSON)")
        }
        for key in members.keys where key != "thresholds" && key != "champion" {
            throw TaskFailure("deploy: unknown gate key '\(key)'\(Suggestion.hint(for: key, in: ["thresholds", "champion"]))")
        }
        for entry in members["thresholds"]?.arrayValue ?? [] {
            guard let text = entry.stringValue else { throw TaskFailure("deploy: a threshold is text like \"f1 >= 0.85\"") }
            let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, [">=", ">", "<=", "<", "=="].contains(parts[1]), let number = Double(parts[2]) else {
                throw TaskFailure("deploy: threshold '\(text)' must read METRIC OP NUMBER, e.g. \"f1 >= 0.85\" (OP: >= > <= < ==)")
            }
            thresholds.append(Threshold(metric: parts[0], op: parts[1], value: number, text: text))
        }
        if let spec = members["champion"]?.objectValue {
            guard let metric = spec["metric"]?.stringValue, let data = spec["data"]?.stringValue,
                let label = spec["label"]?.stringValue
            else {
                throw TaskFailure("deploy: gate.champion needs metric, data (the evaluation dataset) and label")
            }
            let lowerIsBetter = ["logloss", "log_loss", "rmse", "mae", "brier"].contains(metric)
            champion = Champion(
                metric: metric, margin: spec["margin"]?.numberValue ?? 0, data: data, label: label,
                higherIsBetter: spec["higher_is_better"]?.boolValue ?? !lowerIsBetter)
        }
    }

    /// Checks the thresholds against `metrics`; returns (passed, reasons).
    func checkThresholds(_ metrics: [String: Double]) -> (Bool, [String]) {
        var passed = true
        var reasons: [String] = []
        for threshold in thresholds {
            guard let actual = metrics[threshold.metric] else {
                passed = false
                reasons.append("\(threshold.text): fail (the candidate has no metric '\(threshold.metric)'; it has \(metrics.keys.sorted().joined(separator: ", ")))")
                continue
            }
            let ok: Bool
            switch threshold.op {
            case ">=": ok = actual >= threshold.value
            case ">": ok = actual > threshold.value
            case "<=": ok = actual <= threshold.value
            case "<": ok = actual < threshold.value
            default: ok = actual == threshold.value
            }
            passed = passed && ok
            reasons.append("\(threshold.metric) \(Self.format(actual)) \(threshold.op) \(Self.format(threshold.value)): \(ok ? "pass" : "fail")")
        }
        return (passed, reasons)
    }

    /// A metric as the reasons show it: up to 4 decimals, trailing zeros dropped.
    static func format(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
