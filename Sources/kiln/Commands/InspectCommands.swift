import ArgumentParser
import KilnOperations
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite

/// `kiln runs`: recent runs, newest first.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", _superCommandName: "kiln",
        abstract: "List recent runs, newest first.")

    @Option(help: "Only runs of this pipeline.")
    var pipeline: String?

    @Option(help: "How many runs to list.")
    var limit = 20

    @Flag(help: "Print a JSON list of run summaries.")
    var json = false

    @OptionGroup var home: HomeOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let runs = try await home.openStore().runs(pipeline: pipeline, limit: limit)
            if json {
                Terminal.out(Terminal.json(.array(runs.map { .object(Documents.runSummary($0)) })))
                return
            }
            guard !runs.isEmpty else {
                Terminal.out("no runs yet in \(home.storeName); start one with `kiln run FILE`")
                return
            }
            Terminal.out(Terminal.table(
                ["RUN", "PIPELINE", "STATE", "CREATED", "DURATION"],
                runs.map { [$0.id.rawValue, $0.pipeline, $0.state.rawValue, $0.createdAt.iso8601, Terminal.elapsed($0.startedAt, $0.finishedAt)] }))
        }
    }
}

/// `kiln show RUN`: one run with every task.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", _superCommandName: "kiln",
        abstract: "Show one run and its tasks.")

    @Argument(help: ArgumentHelp("The run id (a unique prefix is enough).", valueName: "run"))
    var run: String

    @Flag(help: "Print the run document as JSON.")
    var json = false

    @OptionGroup var home: HomeOptions

    func run() async throws {
        try await reportingErrors {
            let stores = try await home.openStores()
            let store = stores.state
            let id = try await home.resolveRun(run, in: store)
            guard let record = try await store.run(id) else { throw CLIError("run \(id) vanished", exitCode: 1) }
            let tasks = try await store.tasks(of: id)
            // Where its running tasks run, when workers run them.
            let workers = try await stores.queue?.workers(of: id, tasks: tasks) ?? [:]
            if json {
                Terminal.out(Terminal.json(RunDocument.make(record, tasks: tasks, workers: workers)))
                return
            }
            let order = Dictionary(uniqueKeysWithValues: record.snapshot.tasks.enumerated().map { ($1.id, $0) })
            let sorted = tasks.sorted { (order[$0.taskID] ?? 0) < (order[$1.taskID] ?? 0) }
            var lines = [
                "run       \(record.id)",
                "pipeline  \(record.pipeline)",
                "state     \(record.state.rawValue)",
                "created   \(record.createdAt.iso8601)",
                "duration  \(Terminal.elapsed(record.startedAt, record.finishedAt))",
            ]
            if !record.params.isEmpty {
                lines.append("params    " + record.params.keys.sorted().map { "\($0)=\(record.params[$0]!.interpolated)" }.joined(separator: " "))
            }
            if let trigger = record.trigger { lines.append("trigger   \(trigger.compactJSON)") }
            if let error = record.error { lines.append("error     \(error)") }
            Terminal.out(lines.joined(separator: "\n") + "\n")
            Terminal.out(Terminal.table(
                ["TASK", "STATE", "ATTEMPTS", "DURATION", "DETAIL"],
                sorted.map { task in
                    let worker = workers[task.taskID].map { "on worker \($0)" }
                    let detail = [worker, task.error, task.cacheNote, task.outputs.flatMap { $0.isEmpty ? nil : "outputs " + JSONValue.object($0).compactJSON }]
                        .compactMap { $0 }.joined(separator: " · ")
                    return [task.taskID, task.state.rawValue, "\(task.attempts)", Terminal.elapsed(task.startedAt, task.finishedAt),
                            detail.count > 160 ? String(detail.prefix(157)) + "..." : detail]
                }))
        }
    }
}

/// `kiln logs RUN [TASK]`: the captured output of a run's tasks.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", _superCommandName: "kiln",
        abstract: "Print the captured output of a run, or of one task.")

    @Argument(help: ArgumentHelp("The run id (a unique prefix is enough).", valueName: "run"))
    var run: String

    @Argument(help: ArgumentHelp("Only this task (`notify` for the run's notification deliveries).", valueName: "task"))
    var task: String?

    @Option(help: "Only this attempt (1-based).")
    var attempt: Int?

    @OptionGroup var home: HomeOptions

    func run() async throws {
        try await reportingErrors {
            let store = try await home.openStore()
            let id = try await home.resolveRun(run, in: store)
            if let task, task != "notify", let record = try await store.run(id), record.snapshot.task(task) == nil {
                throw CLIError("run \(id) has no task '\(task)'\(Suggestion.hint(for: task, in: record.snapshot.tasks.map(\.id)))", exitCode: 2)
            }
            let lines = try await store.logs(of: id, task: task, attempt: attempt)
            for line in lines {
                let marker = line.stream == .stderr ? " !" : (line.stream == .system ? " *" : "")
                Terminal.out(task == nil ? "\(line.taskID)#\(line.attempt)\(marker) | \(line.text)" : (attempt == nil ? "#\(line.attempt)\(marker) | \(line.text)" : line.text))
            }
        }
    }
}

/// `kiln cache list|clear`.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", _superCommandName: "kiln",
        abstract: "List or clear cached task results.", subcommands: [List.self, Clear.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List cache entries, newest first.")

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingErrors {
                let entries = try await home.openStore().cacheEntries()
                if json {
                    Terminal.out(Terminal.json(.array(entries.map(Documents.cacheEntry))))
                    return
                }
                guard !entries.isEmpty else {
                    Terminal.out("the cache is empty")
                    return
                }
                Terminal.out(Terminal.table(
                    ["KEY", "PIPELINE", "TASK", "RUN", "CREATED", "EXPIRES"],
                    entries.map { [String($0.key.prefix(12)), $0.pipeline, $0.taskID, $0.runID.rawValue, $0.createdAt.iso8601, $0.expiresAt?.iso8601 ?? "never"] }))
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Delete cache entries of one task, or all of them.")

        @Option(help: "Only entries stored by this task id.")
        var task: String?

        @Flag(help: "Delete every entry.")
        var all = false

        @OptionGroup var home: HomeOptions

        func validate() throws {
            guard (task != nil) != all else { throw ValidationError("say what to clear: --task ID or --all") }
        }

        func run() async throws {
            try await reportingErrors {
                let count = try await Operations.make(home: home, wiring: try await TriggerWiring(home: home)).clearCache(task: task)
                Terminal.out("deleted \(count) cache entr\(count == 1 ? "y" : "ies")")
            }
        }
    }
}
