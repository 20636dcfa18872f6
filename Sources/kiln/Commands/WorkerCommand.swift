import ArgumentParser
import CommandTasks
import Foundation
import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
import ServiceLifecycle

/// `kiln worker`: executes the attempts that `kiln serve --no-local-workers` (or `kiln run --remote` through it)
/// hands out through the store's task queue.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", _superCommandName: "kiln",
        abstract: "Execute tasks that kiln serve --no-local-workers queues in the shared store.",
        discussion: """
            Claims up to --concurrency queued attempts at a time (only those whose runs_on: labels are all among \
            --labels), runs them with the same task kinds as kiln run, and stores their logs and results. Claims are \
            leases renewed every --heartbeat: a worker that dies (or loses the store) for longer than --lease has its \
            attempts counted as failed, and the task's retry policy decides. On start, the commands a dead worker left \
            running on this machine are stopped. SIGTERM or SIGINT stops claiming, lets running attempts finish for \
            --grace, then stops them and hands them back to the queue. Use with --store postgres://… for workers on \
            several machines, or sqlite:PATH for workers on one.
            """)

    @Option(help: "Attempts this worker runs at the same time.")
    var concurrency = 1

    @Option(help: ArgumentHelp(
        "Labels this worker offers, comma-separated (e.g. gpu,big-memory): it takes tasks whose runs_on: labels it all has.",
        valueName: "labels"))
    var labels = ""

    @Option(help: ArgumentHelp("The worker's name in claims and messages (default: the host name).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("How often claims are renewed.", valueName: "duration"))
    var heartbeat = "10s"

    @Option(help: ArgumentHelp(
        "How long a claim holds without renewal; then the attempt counts as failed.", valueName: "duration"))
    var lease = "30s"

    @Option(help: ArgumentHelp("How long running attempts may go on after a shutdown signal.", valueName: "duration"))
    var grace = "30s"

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"

    @OptionGroup var home: HomeOptions

    func run() async throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let offered = try Self.labels(labels)
        let beat = try ServeCommand.duration(heartbeat, option: "--heartbeat")
        let span = try ServeCommand.duration(lease, option: "--lease")
        let graceDuration = try ServeCommand.duration(grace, option: "--grace")
        guard beat < span else {
            throw ValidationError("--heartbeat (\(heartbeat)) must be shorter than --lease (\(lease)), e.g. 10s and 30s")
        }
        try await reportingErrors {
            let logger = StderrLog.logger(label: "kiln.worker", level: level)
            let stores = try await home.openStores()
            guard let queue = stores.queue else {
                throw CLIError("the store \(home.storeName) has no task queue", exitCode: 2)
            }
            let kinds = try KindCatalog.kinds(home: home, registry: stores.registry, runs: stores.state)
            let clock = SystemClock()
            let executor = PipelineExecutor(
                store: stores.state, kinds: kinds, clock: clock, artifacts: try home.artifactStore,
                configuration: .init(environment: Execution.environment, owner: .current(label: "kiln worker")),
                logger: logger)
            let workerName = name ?? RunOwner.thisHost
            let worker = QueueWorker(
                queue: queue, executor: executor, clock: clock, reaper: kinds.reaper ?? ProcessGroupReaper(),
                configuration: .init(
                    name: workerName, labels: offered, concurrency: concurrency, lease: span, heartbeat: beat,
                    grace: graceDuration),
                logger: logger)
            let labelText = offered.isEmpty ? "no labels" : "labels \(offered.sorted().joined(separator: ","))"
            Terminal.err("kiln worker \(workerName): \(concurrency) slot\(concurrency == 1 ? "" : "s"), \(labelText), store \(home.storeName)")
            try await Lifecycle.run(
                [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "worker")],
                interruptMessage: "kiln worker: stopping: claiming nothing more; running attempts get \(grace) to "
                    + "finish, then are handed back (signal again to quit at once)",
                logger: logger)
            Terminal.err("kiln worker \(workerName): stopped")
        }
    }

    /// Parses `a,b`: labels are `[a-z0-9][a-z0-9_-]*`, as task ids.
    static func labels(_ text: String) throws -> Set<String> {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for label in parts where !Plan.isValidID(label) {
            throw ValidationError("--labels: '\(label)' is not a label: use lowercase letters, digits, '-' and '_', starting with a letter or digit")
        }
        return Set(parts)
    }
}
