import ArgumentParser
import KilnOperations
import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite

/// `kiln metrics push MODEL name=value…`: records production metrics that `performance:` triggers read.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", _superCommandName: "kiln", abstract: "Record production metrics of a model version.",
        subcommands: [Push.self])

    /// `kiln metrics push MODEL f1=0.78 [--at T] [--version N]`.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Record metric values measured on a model version in production.",
            discussion: "The version defaults to the model's production version. Exit 2 for an unknown model or version.")

        @Argument(help: ArgumentHelp("The model's name.", valueName: "model"))
        var model: String

        @Argument(help: ArgumentHelp("Metric values, e.g. f1=0.78 auc=0.91.", valueName: "name=value"))
        var values: [String]

        @Option(help: ArgumentHelp("When they were measured (UTC, e.g. 2026-11-29T02:00:00Z; default now).", valueName: "time"))
        var at: String?

        @Option(help: "The model version (default: the production version).")
        var version: Int?

        @OptionGroup var home: HomeOptions

        func validate() throws {
            if values.isEmpty { throw ValidationError("give at least one metric as name=value, e.g. f1=0.78") }
        }

        func run() async throws {
            try await reportingErrors {
                var metrics: [(String, Double)] = []
                for pair in values {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value.isFinite else {
                        throw CLIError("expected name=number, e.g. f1=0.78, got '\(pair)'", exitCode: 2)
                    }
                    metrics.append((parts[0], value))
                }
                let given = try at.map { try TriggerWiring.time($0, option: "--at") }
                let operations = try Operations.make(home: home, wiring: try await TriggerWiring(home: home))
                // Measured now: once the store is open, so the time is that of the write, not of the connection.
                let time = given ?? SystemClock().now
                let samples = try await operations.pushMetrics(model: model, values: metrics, version: version, at: time)
                Terminal.out("recorded \(metrics.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) for \(model) v\(samples[0].version) at \(time.iso8601)")
            }
        }
    }
}
