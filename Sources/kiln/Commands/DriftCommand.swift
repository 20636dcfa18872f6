import ArgumentParser
import Foundation
import PipelineModel
import MLTasks
import Tabular

/// `kiln drift REF CUR`: per-column data drift of CUR against REF, and whether the dataset drifted.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare a current dataset with a reference one, column by column.",
        discussion: """
            Defaults follow Evidently: KS / chi-squared for references up to 1,000 rows, normalised Wasserstein / \
            Jensen-Shannon above; dataset drift when at least half of the columns drift. Exit code 0 either way.
            """)

    @Argument(help: ArgumentHelp("The reference dataset (CSV, folder, glob or binary frame).", valueName: "reference"))
    var reference: String

    @Argument(help: ArgumentHelp("The current dataset.", valueName: "current"))
    var current: String

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
        try await reportingErrors {
            let ref = try DatasetArguments.read(reference)
            let cur = try DatasetArguments.read(current)
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
}
