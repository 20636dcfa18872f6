import ArgumentParser
import Foundation
import PipelineEngine

/// The `kiln` command: the composition root that wires files, store, task kinds and the engine together.
@main
struct Kiln: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Run, watch, inspect and resume training pipelines.",
        discussion: """
            State lives in .kiln/ under the current directory (SQLite database and artifacts); \
            --home DIR or KILN_HOME moves it.
            Exit codes: 0 succeeded, 1 failed, 2 invalid pipeline or usage, 130 interrupted.
            """,
        version: TaskLineage.currentKilnVersion,
        subcommands: commands.map { $0.type }
    )

    /// The top-level commands, in help order, each with how it runs.
    private static let commands: [Command] = [
        .init(RunCommand.self), .init(ValidateCommand.self), .init(GraphCommand.self), .init(RunsCommand.self),
        .init(ShowCommand.self), .init(LogsCommand.self), .init(ResumeCommand.self), .init(ApproveCommand.self),
        .init(RejectCommand.self), .init(CacheCommand.self), .init(ModelsCommand.self), .init(ReproduceCommand.self),
        .init(DataCommand.self), .init(DriftCommand.self), .init(PredictCommand.self), .init(TriggerCommand.self),
        .init(TriggersCommand.self), .init(ServeCommand.self), .init(WorkerCommand.self), .init(MetricsCommand.self),
        .init(TestCommand.self), .init(GCCommand.self),
    ]

    /// A top-level command and how to run a parsed one, fixed when compiled: a synchronous or an asynchronous `run()`.
    ///
    /// Asking a parsed command at run time (`as? any AsyncParsableCommand`) looks the conformance up the first time,
    /// a walk over every conformance record of the binary (0.1 ms, 1.5 % of `kiln validate`). A nested subcommand
    /// (`kiln models list`) is still asked that way.
    struct Command: Sendable {
        let type: any ParsableCommand.Type
        /// How it runs: a synchronous command on the calling (main) thread, an asynchronous one on the pool.
        let runner: Runner

        enum Runner: Sendable {
            case synchronous(@Sendable (any ParsableCommand) throws -> Void)
            case asynchronous(@Sendable (sending any ParsableCommand) async throws -> Void)
        }

        init<C: AsyncParsableCommand>(_ type: C.Type) {
            self.type = type
            // A cast to the concrete type compares type metadata: no conformance lookup.
            runner = .asynchronous { command in
                var typed = command as! C
                try await typed.run()
            }
        }

        init<C: ParsableCommand>(_ type: C.Type) {
            self.type = type
            runner = .synchronous { command in
                var typed = command as! C
                try typed.run()
            }
        }
    }

    /// Parses and runs, mapping usage errors to exit code 2 as the CLI contract says.
    ///
    /// On the main thread: parsing, and the synchronous commands (`validate`, `graph`), run there without a hop to
    /// the concurrency pool, whose threads' memory arenas grow a page at a time; asynchronous commands run on the
    /// pool as before.
    @MainActor static func main() async {
        do {
            var command = try parseCommand()
            let type = ObjectIdentifier(Swift.type(of: command))
            if let known = commands.first(where: { ObjectIdentifier($0.type) == type }) {
                switch known.runner {
                case .synchronous(let run): try run(command)
                case .asynchronous(let run): try await run(command)
                }
            } else if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.err(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// The command line, parsed: by ``parseSubcommand()`` when it can, else by `parseAsRoot()`.
    private static func parseCommand() throws -> any ParsableCommand {
        if let command = parseSubcommand() { return command }
        return try parseAsRoot()
    }

    /// The subcommand named first, parsed as the root command; `nil` when there is none, or when its arguments do
    /// not parse (help, `--generate-completion-script`, a usage error) so that `parseAsRoot()` parses and reports
    /// them from the top.
    ///
    /// Parsing from `Kiln` first looks for `--generate-completion-script` by reflecting over two helper commands,
    /// which was a seventh of `kiln validate` and of a short `kiln run`. A root command with a super command skips
    /// that check: each subcommand names `kiln` as its `_superCommandName`, which also keeps its usage text
    /// `kiln NAME …` should it ever print one.
    private static func parseSubcommand() -> (any ParsableCommand)? {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first,
            let command = configuration.subcommands.first(where: { $0.configuration.commandName == name }),
            command.configuration._superCommandName != nil
        else { return nil }
        // A help request parses into Argument Parser's own help command, whose text would miss `kiln`'s options.
        guard let parsed = try? command.parseAsRoot(Array(arguments.dropFirst())),
            declares(command, type(of: parsed))
        else { return nil }
        return parsed
    }

    /// Whether `type` is `command` or one of its subcommands, at any depth.
    private static func declares(_ command: any ParsableCommand.Type, _ type: any ParsableCommand.Type) -> Bool {
        ObjectIdentifier(command) == ObjectIdentifier(type)
            || command.configuration.subcommands.contains { declares($0, type) }
    }
}
