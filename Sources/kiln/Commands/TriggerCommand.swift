import ArgumentParser
import Foundation
import PipelineEngine
import PipelineModel

/// `kiln trigger FILE [--param k=v] [--reason …]`: starts a run now, recorded as a manual trigger.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", _superCommandName: "kiln",
        abstract: "Start a run of a pipeline now, recorded as a manual trigger with a reason.",
        discussion: "The run's trigger is {\"type\": \"manual\", \"reason\": …}. Exit codes as for kiln run.")

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a param (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Why the run is started (stored in the run's trigger).")
    var reason: String?

    @Option(help: "Tasks that may run at the same time (default: number of cores).")
    var parallelism: Int?

    @Flag(help: "Print the final run document as JSON on stdout.")
    var json = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var lease: LeaseOptions

    func run() async throws {
        var trigger: [String: JSONValue] = ["type": "manual"]
        trigger["reason"] = reason.map(JSONValue.string) ?? .null
        trigger["evidence"] = .string("manual: \(reason ?? "started with kiln trigger")")
        try await RunCommand.start(
            file: file, params: params, trigger: .object(trigger), parallelism: parallelism, readCache: true, json: json,
            home: home, lease: lease)
    }
}
