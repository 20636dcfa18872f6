import ArgumentParser
import Foundation
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineStorePostgres
import PipelineStoreSQLite
import KilnOperations

/// Where Kiln keeps its state: `--home`, else `KILN_HOME`, else `./.kiln`.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State folder (SQLite database and artifacts by default).", valueName: "dir"))
    var home: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where runs and the model registry are kept: sqlite:PATH or postgres://USER@HOST[:PORT]/DATABASE "
                + "(default: the SQLite file in the home; env KILN_STORE).",
            valueName: "url"))
    var store: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where datasets and models are kept: a folder (shared by every machine, e.g. on NFS) or "
                + "s3://BUCKET/PREFIX with the AWS_* variables (default: artifacts/ in the home; env KILN_ARTIFACTS).",
            valueName: "location"))
    var artifacts: String?

    @Option(
        name: .customLong("s3-endpoint"),
        help: ArgumentHelp(
            "The S3-compatible server for s3:// artifacts, as in http://127.0.0.1:9000 (default: AWS_ENDPOINT_URL_S3, "
                + "AWS_ENDPOINT_URL, else AWS).",
            valueName: "url"))
    var s3Endpoint: String?

    /// The absolute home folder.
    var directory: String {
        let chosen = home ?? Execution.variable("KILN_HOME") ?? ".kiln"
        return URL(fileURLWithPath: chosen, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }

    /// Where state and the registry are kept: `--store`, else `KILN_STORE`, else `<home>/kiln.db`.
    ///
    /// - Throws: ``CLIError`` (exit 2) for a store that cannot be read.
    func storeLocation() throws -> StoreLocation {
        if let store { return try StoreLocation.parse(store, option: "--store") }
        if let store = Execution.variable("KILN_STORE"), !store.isEmpty {
            return try StoreLocation.parse(store, option: "KILN_STORE")
        }
        return .sqlite(SQLiteStateStore.defaultPath(home: directory))
    }

    /// Where state is kept, for messages: the home folder, the `sqlite:` file, or the PostgreSQL URL without password.
    var storeName: String {
        switch try? storeLocation() {
        case .sqlite(let path) where path != SQLiteStateStore.defaultPath(home: directory): return path
        case .postgres(let configuration): return configuration.redactedURL
        default: return directory
        }
    }

    /// Opens (creating if needed) the state and registry stores.
    func openStores() async throws -> Stores {
        try await Stores.open(try storeLocation())
    }

    /// Opens (creating if needed) the state store.
    func openStore() async throws -> any StateStore & TriggerStateStore {
        try await openStores().state
    }

    /// Resolves a full or abbreviated run id.
    func resolveRun(_ text: String, in store: any StateStore) async throws -> RunID {
        let matches = try await store.runIDs(withPrefix: text)
        if matches.contains(RunID(rawValue: text)) { return RunID(rawValue: text) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw CLIError("no run '\(text)' in \(storeName); list runs with `kiln runs`", exitCode: 2)
        default:
            throw CLIError(
                "'\(text)' matches several runs (\(matches.prefix(5).map(\.rawValue).joined(separator: ", "))); type more of the id",
                exitCode: 2)
        }
    }
}

/// An error the CLI reports as one line on stderr with a chosen exit code.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

/// Runs `body`, printing a ``CLIError`` (or a pipeline file error) as `kiln: message` and exiting with its code.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CLIError {
        Terminal.error(error.message)
        throw ExitCode(error.exitCode)
    } catch let error as OperationError {
        Terminal.error(error.message)
        switch error.kind {
        case .invalid, .notFound, .conflict: throw ExitCode(2)
        case .contention: throw ExitCode(1)
        case .busy: throw ExitCode(3)
        }
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch let error as PipelineExecutor.StartError {
        Terminal.error(error.description)
        if case .leased = error { throw ExitCode(3) }
        throw ExitCode(2)
    } catch let error as ExecutionError {
        Terminal.error(error.description)
        throw ExitCode(3)
    } catch {
        Terminal.error("\(error)")
        throw ExitCode(1)
    }
}
