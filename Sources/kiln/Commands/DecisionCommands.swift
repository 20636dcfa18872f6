import ArgumentParser
import KilnOperations
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite

/// Options shared by `kiln approve` and `kiln reject`.
struct DecisionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The run id (a unique prefix is enough).", valueName: "run"))
    var run: String

    @Argument(help: ArgumentHelp("The waiting task (default: the run's only waiting task).", valueName: "task"))
    var task: String?

    @Option(help: "Why: stored with the decision and shown by `kiln show`.")
    var reason: String?

    @Option(help: "Who decides (default: the USER environment variable, else cli).")
    var by: String?

    @Flag(help: "Only record the decision; do not continue the run here (`kiln resume` or `kiln serve` will).")
    var noContinue = false

    @Flag(help: "Print the final run document as JSON on stdout.")
    var json = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var lease: LeaseOptions

    /// Records the decision, then continues the run in this process unless `--no-continue`.
    func decide(approved: Bool) async throws {
        try await reportingErrors {
            let wiring = try await TriggerWiring(home: home)
            let store = wiring.store
            let id = try await home.resolveRun(run, in: store)
            let actor = by ?? Execution.variable("USER") ?? "cli"
            let decided = try await Operations.make(home: home, wiring: wiring).decide(
                run: id, task: task, approved: approved, reason: reason, actor: actor)
            Terminal.err("\(approved ? "approved" : "rejected") \(decided) of run \(id)" + (reason.map { ": \($0)" } ?? ""))
            guard !noContinue else { return }
            let snapshot = try await store.run(id)?.snapshot
            try await Execution.execute(
                home: home, stores: wiring.stores, pipeline: snapshot, parallelism: nil, readCache: true, json: json,
                owner: approved ? "kiln approve" : "kiln reject", lease: lease
            ) { executor in
                try await executor.resume(id)
            }
        }
    }
}

/// `kiln approve RUN [TASK]`: lets a task waiting for manual approval go ahead.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", _superCommandName: "kiln",
        abstract: "Approve a task waiting for a manual decision, then continue its run.")

    @OptionGroup var options: DecisionOptions

    func run() async throws { try await options.decide(approved: true) }
}

/// `kiln reject RUN [TASK]`: rejects a task waiting for manual approval (it fails; the run ends failed).
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", _superCommandName: "kiln",
        abstract: "Reject a task waiting for a manual decision, then finish its run.")

    @OptionGroup var options: DecisionOptions

    func run() async throws { try await options.decide(approved: false) }
}
