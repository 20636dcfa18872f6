import ArgumentParser
import KilnOperations
import Foundation
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite

/// `kiln triggers [FILES_OR_DIRS…]`: evaluates triggers once without starting anything; `backtest` replays them.
struct TriggersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers", _superCommandName: "kiln",
        abstract: "Evaluate pipelines' triggers once (nothing starts), or replay them over a past period.",
        subcommands: [Evaluate.self, Backtest.self], defaultSubcommand: Evaluate.self)

    /// `kiln triggers [evaluate] [FILES_OR_DIRS…] [--at T] [--json]`.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate",
            abstract: "Evaluate every trigger of the pipelines once and print each rule's verdict and evidence.",
            discussion: "Uses the daemon's stored state (handled fire times, row counts at the last run). Exit 2 when a file is invalid.")

        @Argument(help: ArgumentHelp("Pipeline files or folders of them (default: the current folder).", valueName: "path"))
        var paths: [String] = []

        @Option(help: ArgumentHelp("Evaluate as of this UTC time (default now).", valueName: "time"))
        var at: String?

        @Flag(help: "Print a JSON list of {pipeline, fires, rules: [{type, fires, evidence}]}.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingErrors {
                let files = PipelineFiles.expand(paths)
                let pipelines = PipelineFiles.loadAll(files)
                let now = try at.map { try TriggerWiring.time($0, option: "--at") } ?? SystemClock().now
                let decisions = try await Operations.make(home: home, wiring: try await TriggerWiring(home: home))
                    .evaluateTriggers(pipelines, at: now)
                if json {
                    Terminal.out(Terminal.json(.array(decisions.map(\.json))))
                } else {
                    for decision in decisions {
                        Terminal.out("\(decision.pipeline): \(decision.fires ? "fires" : "does not fire")"
                            + (decision.note.map { " (\($0))" } ?? ""))
                        if decision.verdicts.isEmpty { Terminal.out("  no triggers") }
                        for verdict in decision.verdicts {
                            Terminal.out("  \(verdict.fires ? "✓" : "·") \(verdict.type.padding(toLength: 12, withPad: " ", startingAt: 0)) \(verdict.evidence)")
                        }
                    }
                }
                if pipelines.count < files.count { throw ExitCode(2) }
            }
        }
    }

    /// `kiln triggers backtest FILE --from T --to T`.
    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backtest",
            abstract: "Replay stored metrics, data arrival and the schedule over a past period: when runs would have started and why.",
            discussion: """
                Metrics come from `kiln metrics push`, upstream promotions from the registry's alias history, data \
                arrival from CSV file modification times (query: and command: sources cannot be replayed). Runs are \
                assumed to finish before the next evaluation; cooldown and combine apply.
                """)

        @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Start of the period (UTC).", valueName: "time"))
        var from: String

        @Option(help: ArgumentHelp("End of the period (UTC, included).", valueName: "time"))
        var to: String

        @Flag(help: "Print {pipeline, from, to, count, runs: [{at, trigger}]} as JSON.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            let plan = try Execution.loadPlan(file)
            try await reportingErrors {
                let start = try TriggerWiring.time(from, option: "--from")
                let end = try TriggerWiring.time(to, option: "--to")
                guard start <= end else { throw CLIError("--from must not be after --to", exitCode: 2) }
                let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
                let runs = try await Operations.make(home: home, wiring: try await TriggerWiring(home: home)).backtest(
                    WatchedPipeline(plan: plan, baseDirectory: base, path: file), from: start, to: end)
                if json {
                    Terminal.out(Terminal.json([
                        "pipeline": .string(plan.pipeline.name), "from": .string(start.iso8601), "to": .string(end.iso8601),
                        "count": .number(Double(runs.count)),
                        "runs": .array(runs.map { ["at": .string($0.at.iso8601), "trigger": $0.trigger] }),
                    ]))
                    return
                }
                guard plan.pipeline.triggers != nil else {
                    Terminal.out("\(plan.pipeline.name) has no triggers")
                    return
                }
                Terminal.out("\(plan.pipeline.name): \(runs.count) run\(runs.count == 1 ? "" : "s") from \(start.iso8601) to \(end.iso8601)")
                for run in runs {
                    let evidence = run.trigger.objectValue?["evidence"]?.stringValue ?? run.trigger.compactJSON
                    Terminal.out("  \(run.at.iso8601)  \(evidence)")
                }
            }
        }
    }
}
