import ArgumentParser
import Foundation
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite

/// `kiln run FILE`: runs a pipeline to completion with live progress.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", _superCommandName: "kiln",
        abstract: "Run a pipeline file to completion with live progress.",
        discussion: "Exit 0 succeeded, 1 failed, 2 invalid pipeline or usage, 130 interrupted (the run is resumable).")

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a param (repeatable). VALUE is read as JSON when it is a number, bool, null, list or map, else as text.", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Tasks that may run at the same time (default: number of cores).")
    var parallelism: Int?

    @Flag(help: "Do not reuse cached results (new results are still stored).")
    var noCache = false

    @Flag(help: "Print the final run document as JSON on stdout.")
    var json = false

    @Flag(help: ArgumentHelp(
        "Print every task's state changes even when stderr is not a terminal and the run has many tasks.",
        discussion: "Without it, a run of more than 40 tasks printed to a file or pipe shows failures, retries, skips, waits and log lines, and counts the rest."))
    var verbose = false

    @Flag(help: ArgumentHelp(
        "Do not execute here: store the run queued for kiln serve on the same store, and follow its progress.",
        discussion: "Exit codes are those of a local run; Ctrl-C stops following (exit 130) and the run goes on."))
    var remote = false

    @Flag(help: "With --remote: print the run's id on stdout once it is queued, and exit without following it.")
    var detach = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var lease: LeaseOptions

    func validate() throws {
        if detach && !remote { throw ValidationError("--detach needs --remote: a local run is executed by this process") }
    }

    func run() async throws {
        try await Self.start(
            file: file, params: params, trigger: ["type": "manual"], parallelism: parallelism, readCache: !noCache,
            json: json, home: home, lease: lease, verbose: verbose, remote: remote, detach: detach)
    }

    /// Checks `file`, records the data baseline for `data:` triggers, and runs it to the end with progress;
    /// `kiln run` and `kiln trigger` differ only in the trigger they record.
    static func start(
        file: String, params: [String], trigger: JSONValue, parallelism: Int?, readCache: Bool, json: Bool,
        home: HomeOptions, lease: LeaseOptions, verbose: Bool = false, remote: Bool = false,
        detach: Bool = false
    ) async throws {
        let plan = try Execution.loadPlan(file)
        let overrides = try Execution.parseParams(params)
        let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        try await reportingErrors {
            let wiring = try await TriggerWiring(home: home)
            try await wiring.recordDataBaseline(plan.pipeline, baseDirectory: base, at: SystemClock().now)
            if remote {
                try await RemoteRun.start(
                    plan: plan, params: overrides, baseDirectory: base, trigger: trigger, stores: wiring.stores,
                    home: home, json: json, verbose: verbose, detach: detach)
                return
            }
            try await Execution.execute(
                home: home, stores: wiring.stores, pipeline: plan.pipeline, parallelism: parallelism, readCache: readCache,
                json: json, owner: "kiln run", lease: lease, verbose: verbose
            ) { executor in
                try await executor.run(plan, params: overrides, baseDirectory: base, trigger: trigger)
            }
        }
    }
}

/// `kiln resume RUN`: continues an interrupted or failed run with its stored pipeline snapshot.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", _superCommandName: "kiln",
        abstract: "Continue an interrupted or failed run with the pipeline snapshot stored in it.",
        discussion: """
            Succeeded, skipped and cached tasks are kept; failed and unfinished ones run again. A run that another live \
            process executes (kiln run, kiln serve) is refused with exit 3, naming that process; a run whose process \
            died is taken over, after the commands it left running are stopped.
            """)

    @Argument(help: ArgumentHelp("The run id (a unique prefix is enough).", valueName: "run"))
    var run: String

    @Option(help: "Tasks that may run at the same time (default: number of cores).")
    var parallelism: Int?

    @Flag(help: "Do not reuse cached results.")
    var noCache = false

    @Flag(help: ArgumentHelp(
        "Take the run even from a process that still holds it (one that is stuck, or on a machine that is gone).",
        discussion: "Its commands on this machine are stopped first; its later writes are refused and it stops."))
    var takeover = false

    @Flag(help: "Print the final run document as JSON on stdout.")
    var json = false

    @Flag(help: "Print every task's state changes even when stderr is not a terminal and the run has many tasks.")
    var verbose = false

    @OptionGroup var home: HomeOptions
    @OptionGroup var lease: LeaseOptions

    func run() async throws {
        try await reportingErrors {
            let stores = try await home.openStores()
            let store = stores.state
            let id = try await home.resolveRun(run, in: store)
            await DeploymentRecovery.run(home: home, registry: stores.registry)
            let snapshot = try await store.run(id)?.snapshot
            try await Execution.execute(
                home: home, stores: stores, pipeline: snapshot, parallelism: parallelism, readCache: !noCache, json: json,
                owner: "kiln resume", lease: lease, verbose: verbose
            ) { [takeover] executor in
                try await executor.resume(id, takeover: takeover)
            }
        }
    }
}

/// `kiln validate FILE`: every check that can run before running. Synchronous: it runs on the main thread (see
/// ``Kiln``).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", _superCommandName: "kiln",
        abstract: "Check a pipeline file without running it: syntax, keys, ids, needs, cycles, expressions, durations, kinds.",
        discussion: "Prints every problem as file:line:column and exits 2 when there is any.")

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
    var file: String

    func run() throws {
        let plan = try Execution.loadPlan(file)
        Terminal.out("\(file): ok (pipeline '\(plan.pipeline.name)', \(plan.pipeline.tasks.count) tasks)")
        let tasks = plan.pipeline.tasks.count
        Discard.inBackground(consume plan, tasks: tasks)
    }
}
