import ArgumentParser
import Foundation
import PipelineModel
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineScheduler
import Tabular

/// `kiln drift REF CUR`: per-column data drift of CUR against REF, and whether the dataset drifted.
/// `kiln drift --model NAME CUR [--on columns|predictions|both]`: drift of CUR against the production version's
/// training data (columns) or reference scores (predictions), as a `drift:` trigger rule computes it.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", _superCommandName: "kiln",
        abstract: "Compare a current dataset with a reference one, column by column.",
        discussion: """
            Defaults follow Evidently: KS / chi-squared for references up to 1,000 rows, normalised Wasserstein / \
            Jensen-Shannon above; dataset drift when at least half of the columns drift. Exit code 0 either way.
            With --model NAME the only dataset is the current one and the reference is NAME's production version: \
            its training data (--on columns, the default), the scores it gave its test split at registration \
            (--on predictions; label drift too when the data has the label), or both. The current dataset may be             predictions:NAME, the rows kiln serve scored and logged for NAME.
            """)

    @Argument(help: ArgumentHelp("The reference dataset (CSV, folder, glob or binary frame).", valueName: "reference"))
    var reference: String

    @Argument(help: ArgumentHelp("The current dataset.", valueName: "current"))
    var current: String?

    @Option(help: ArgumentHelp("Compare with this model's production version instead of a reference dataset.", valueName: "name"))
    var model: String?

    @Option(help: "With --model: columns (training data, default), predictions (reference scores), or both.")
    var on: String?

    @OptionGroup var home: HomeOptions

    func validate() throws {
        if model != nil && current != nil {
            throw ValidationError("with --model give only the current dataset: kiln drift --model NAME CURRENT")
        }
        if model == nil && current == nil {
            throw ValidationError("give a reference and a current dataset (kiln drift REF CUR), or --model NAME CUR")
        }
        if on != nil && model == nil { throw ValidationError("--on applies with --model only") }
        if let on, DriftRule.Target(rawValue: on) == nil {
            throw ValidationError("--on must be columns, predictions or both, got '\(on)'")
        }
    }

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Method for every column: ks, chisquare, psi, wasserstein, jensenshannon.")
    var method: String?

    @Option(help: "Per-column threshold (default: 0.05 for p-values, 0.1 for distances).")
    var threshold: Double?

    @Option(help: "Share of drifted columns that means dataset drift (default 0.5).")
    var share: Double?

    @Option(name: .customLong("column"), help: "A column to compare (repeatable; default: all reference columns).")
    var columns: [String] = []

    func run() async throws {
        if let model {
            try await runAgainstModel(model)
            return
        }
        try await reportingErrors {
            let ref = try DatasetArguments.read(reference)
            let cur = try DatasetArguments.read(current!)
            let summary: [String: JSONValue]
            do {
                let report = try DriftComparison.compare(
                    reference: ref, current: cur, columns: columns.isEmpty ? nil : columns,
                    method: try method.map(DriftComparison.method(named:)), threshold: threshold, share: share)
                summary = DriftComparison.summary(report)
            } catch let error as DriftComparisonError {
                throw CLIError(error.message, exitCode: 2)
            }
            if json {
                Terminal.out(Terminal.json(.object(summary)))
                return
            }
            let results = summary["columns"]?.objectValue ?? [:]
            let rows = ref.columnNames.filter { results[$0] != nil }.map { name -> [String] in
                let entry = results[name]!.objectValue ?? [:]
                return [name, entry["method"]?.interpolated ?? "", String(format: "%.4g", entry["value"]?.numberValue ?? 0),
                        String(format: "%.4g", entry["threshold"]?.numberValue ?? 0),
                        entry["drifted"]?.boolValue == true ? "DRIFT" : "ok"]
            }
            Terminal.out(Terminal.table(["column", "method", "value", "threshold", "drift"], rows))
            let driftShare = summary["drift_share"]?.numberValue ?? 0
            let drifted = summary["dataset_drift"]?.boolValue ?? false
            Terminal.out("\(String(format: "%.0f", driftShare * 100)) % of columns drifted; dataset drift: \(drifted ? "yes" : "no")")
        }
    }

    /// `--model NAME CUR`: the trigger rule's comparison, printed as its evidence (or JSON).
    private func runAgainstModel(_ model: String) async throws {
        try await reportingRegistryErrors {
            let target = on.flatMap(DriftRule.Target.init(rawValue:)) ?? .columns
            let stores = try await home.openStores()
            let evaluator = ModelDriftEvaluator(
                registry: ModelRegistryService(store: stores.registry), artifacts: try home.artifactStore, runs: stores.state,
                limits: DataLimitsSetting.current, home: home.directory)
            let rule = DriftRule(model: model, current: reference, method: method ?? "auto", share: share ?? 0.5,
                                 on: target)
            let verdict: DriftVerdict
            do {
                verdict = try await evaluator.evaluate(
                    rule, baseDirectory: FileManager.default.currentDirectoryPath, at: SystemClock().now)
            } catch let error as TaskFailure {
                throw CLIError(error.message, exitCode: 2)
            } catch let error as DriftComparisonError {
                throw CLIError(error.message, exitCode: 2)
            }
            let drifted = verdict.driftedShare >= rule.share
            if json {
                Terminal.out(Terminal.json(.object([
                    "model": .string(model), "on": .string(target.rawValue), "drift": .bool(drifted),
                    "drift_share": .number(verdict.driftedShare), "evidence": .string(verdict.evidence ?? verdict.detail),
                ])))
                return
            }
            Terminal.out(verdict.evidence ?? verdict.detail)
            Terminal.out("drift: \(drifted ? "yes" : "no")")
        }
    }
}
