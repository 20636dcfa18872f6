import ArgumentParser
import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite

/// `kiln metrics push MODEL name=value…`: records production metrics that `performance:` triggers read.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Record production metrics of a model version.",
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
                let time = try at.map { try TriggerWiring.time($0, option: "--at") } ?? SystemClock().now
                let wiring = try TriggerWiring(home: home)
                guard let registered = try await wiring.registry.model(named: model) else {
                    throw CLIError("no model '\(model)' in the registry; list models with `kiln models`", exitCode: 2)
                }
                let chosen: Int
                if let version {
                    guard registered.version(version) != nil else {
                        throw CLIError("model '\(model)' has no version \(version)", exitCode: 2)
                    }
                    chosen = version
                } else {
                    guard let production = registered.production else {
                        throw CLIError(
                            "model '\(model)' has no production version; pass --version N or promote one first", exitCode: 2)
                    }
                    chosen = production
                }
                let samples = metrics.map {
                    MetricSample(model: model, version: chosen, metric: $0.0, value: $0.1, at: time)
                }
                try await wiring.registry.pushMetrics(samples)
                Terminal.out("recorded \(metrics.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) for \(model) v\(chosen) at \(time.iso8601)")
            }
        }
    }
}
