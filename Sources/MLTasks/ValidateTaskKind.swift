import DataValidation
import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `validate`: checks a dataset against DataValidation rules and fails with every violation.
///
/// Inputs: `data` (dataset) and the rules as inputs — `min_rows`, `max_null_ratio`, `columns` (per-column rules:
/// `type`, `required`, `min`, `max`, `allowed`, `unique`, `max_null_ratio`), `label`, `label_balance`
/// (`{min, max, positive}`); or `rules`: a path to a JSON/YAML file with the same keys (inputs override it).
/// Outputs: `data` (passed through), `report` (the JSON report), `rows`, `passed` (always true: a failing
/// validation fails the task, its message listing every violation).
public struct ValidateTaskKind: TaskKind {
    /// `"validate"`.
    public let name = "validate"
    static let ruleKeys = ["min_rows", "max_null_ratio", "columns", "label", "label_balance"]

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: How YAML config files are read (JSON ones need nothing).
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

    /// Validates; throws with every violation when the data breaks the rules.
    /// - Throws: ``TaskFailure`` listing every violation, or describing invalid rules.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["data", "rules"] + Self.ruleKeys)
        let dataRef = try inputs.string("data", hint: "a dataset: an upstream task's `data` output or a CSV path")
        var rules: [String: JSONValue] = [:]
        if let file = try inputs.optionalString("rules") {
            guard let object = try ConfigDocument.load(path: file, workingDirectory: context.workingDirectory,
                                                       kind: name, input: "rules", yaml: readers.yaml).objectValue else {
                throw inputs.failure("the rules file '\(file)' must hold a mapping (min_rows, columns, …)")
            }
            rules = object
        }
        for key in Self.ruleKeys where inputs.has(key) { rules[key] = context.inputs[key] }
        let parsed: ValidationRules
        do {
            parsed = try ValidationRules(json: JSONValue.object(rules).jsonData)
        } catch {
            throw inputs.failure("invalid rules: \(error)")
        }
        let frame = try await Datasets.load(dataRef, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                      what: "validate: input 'data'")
        let report = parsed.validate(frame)
        let reportJSON = try JSONDecoder().decode(JSONValue.self, from: try report.jsonData())
        guard report.passed else {
            let lines = report.violations.map { "  - \($0.message)" }.joined(separator: "\n")
            throw inputs.failure("data '\(dataRef)' failed validation with \(report.violations.count) violation"
                + "\(report.violations.count == 1 ? "" : "s"):\n\(lines)")
        }
        context.log("validation passed: \(report.rows) rows, \(report.columns) columns")
        let data = dataRef.hasPrefix("sha256:") ? dataRef : try await Datasets.store(frame, artifacts: context.artifacts, what: name)
        return ["data": .string(data), "report": reportJSON, "rows": .number(Double(frame.rowCount)), "passed": true]
    }
}
