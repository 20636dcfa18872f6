import Foundation
import ModelRegistry
import PipelineEngine
import PipelineScheduler
import PipelineStorePostgres
import PipelineStoreSQLite

/// Where a command keeps runs and the model registry: `--store`, else `KILN_STORE`, else the SQLite file in the home.
enum StoreLocation: Equatable {
    /// An SQLite database file (absolute path).
    case sqlite(String)
    /// A PostgreSQL database.
    case postgres(PostgresStoreConfiguration)

    /// Reads `sqlite:PATH` (relative to the current folder) or `postgres://…` / `postgresql://…`.
    ///
    /// - Throws: ``CLIError`` with exit 2 saying what is wrong.
    static func parse(_ text: String, option: String) throws -> StoreLocation {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw usageError("\(option): 'sqlite:' needs a file path, as in sqlite:.kiln/kiln.db") }
            return .sqlite(
                URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                    .standardizedFileURL.path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                return .postgres(try PostgresStoreConfiguration(url: text))
            } catch {
                throw usageError("\(option): \(error)")
            }
        }
        throw usageError(
            "\(option): '\(text.prefix(80))' is not a store: use sqlite:PATH or postgres://USER@HOST[:PORT]/DATABASE")
    }
}

/// A command's state and registry stores, on one database.
struct Stores: Sendable {
    /// Runs, tasks, logs, cache, leases and trigger state.
    let state: any StateStore & TriggerStateStore
    /// Models, versions, aliases, deployments and production metrics.
    let registry: any RegistryStore & MetricStore
    /// Where `kiln serve` hears metric pushes, promotions and queued or ended runs of other processes (`nil`: an
    /// in-memory store, nothing to hear).
    var signals: (any SchedulerSignalSource)? = nil

    /// The queue of attempts handed to workers, on the same database (both stores are queues too: given here, it
    /// costs no runtime conformance lookup).
    var queue: (any TaskQueue)?

    /// Opens the stores at `location` (creating an SQLite file, migrating either database).
    ///
    /// - Throws: ``CLIError``: exit 2 when a PostgreSQL server cannot be reached, refuses the session or has a newer
    ///   schema (one line saying what to check); exit 1 for other failures.
    static func open(_ location: StoreLocation) async throws -> Stores {
        switch location {
        case .sqlite(let path):
            do {
                let state = try SQLiteStateStore(path: path)
                return Stores(
                    state: state, registry: SQLiteRegistryStore(sharingDatabaseOf: state), signals: state.wakeups,
                    queue: state)
            } catch {
                throw CLIError("cannot open the state store \(path): \(error)", exitCode: 1)
            }
        case .postgres(let configuration):
            do {
                // The pool lives as long as the command: the process ends it.
                let database = try await PostgresStoreDatabase.open(configuration)
                let state = PostgresStateStore(database: database)
                return Stores(
                    state: state, registry: PostgresRegistryStore(database: database), signals: database, queue: state)
            } catch let error as PostgresStoreError {
                switch error {
                case .invalidURL, .unreachable, .refused, .newerSchema:
                    throw CLIError("\(error)", exitCode: 2)
                default:
                    throw CLIError("cannot open the store \(configuration.redactedURL): \(error)", exitCode: 1)
                }
            }
        }
    }
}
