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
        subcommands: [
            RunCommand.self, ValidateCommand.self, GraphCommand.self, RunsCommand.self, ShowCommand.self,
            LogsCommand.self, ResumeCommand.self, ApproveCommand.self, RejectCommand.self, CacheCommand.self, ModelsCommand.self,
            ReproduceCommand.self,
            DataCommand.self, DriftCommand.self, PredictCommand.self,
            TriggerCommand.self, TriggersCommand.self, ServeCommand.self, WorkerCommand.self, MetricsCommand.self, TestCommand.self, GCCommand.self,
        ]
    )

    /// Parses and runs, mapping usage errors to exit code 2 as the CLI contract says.
    ///
    /// On the main thread: parsing, and the synchronous commands (`validate`, `graph`), run there without a hop to
    /// the concurrency pool, whose threads' memory arenas grow a page at a time; asynchronous commands run on the
    /// pool as before.
    @MainActor static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
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
}
