import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineStoreSQLite
import Synchronization

/// Runs or resumes a run with progress on stderr, Ctrl-C handling and the CLI's exit codes.
enum Execution {
    /// The process environment (what `env.X` expressions see).
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Loads and checks a pipeline file; prints every diagnostic and exits 2 when it is invalid.
    static func loadPlan(_ path: String) throws -> Plan {
        do {
            return try PipelineFile.loadPlan(path: path, knownKinds: KindCatalog.names)
        } catch {
            Terminal.err("\(error)")
            let count = error.diagnostics.count
            Terminal.err("\(path): \(count) problem\(count == 1 ? "" : "s") found; nothing was run")
            throw ExitCode(2)
        }
    }

    /// Starts `body` (which runs or resumes), cancels it on Ctrl-C, and exits with the run's code.
    static func execute(
        home: HomeOptions, store: SQLiteStateStore, pipeline: Pipeline?, parallelism: Int?, readCache: Bool, json: Bool,
        _ body: @escaping @Sendable (PipelineExecutor) async throws -> RunRecord
    ) async throws {
        if let parallelism, parallelism < 1 {
            throw ValidationError("--parallelism must be at least 1")
        }
        let printer = ProgressPrinter(live: Terminal.stderrIsTTY)
        // Notifications are sent by a child task fed from the event stream, never on the engine's path.
        let dispatcher = (pipeline?.notify.isEmpty ?? true) ? nil : NotificationDispatcher()
        let events: any RunEventSink = dispatcher.map { EventFanOut(sinks: [printer, $0]) } ?? printer
        let delivery = dispatcher.map { dispatcher in
            Task { await dispatcher.deliver(environment: environment, store: store, logger: Logger(label: "kiln.notify")) }
        }
        let executor = PipelineExecutor(
            store: store, kinds: KindCatalog.kinds(home: home, store: store), clock: SystemClock(), events: events, artifacts: home.artifactStore,
            configuration: .init(parallelism: parallelism, readCache: readCache,
                                 environment: environment))
        let work = Task { try await body(executor) }
        let interrupts = Interrupts { work.cancel() }
        let run: RunRecord
        do {
            run = try await work.value
        } catch {
            interrupts.stop()
            dispatcher?.finish()
            await delivery?.value
            throw error
        }
        interrupts.stop()
        dispatcher?.finish()
        await delivery?.value
        if json {
            Terminal.out(Terminal.json(RunDocument.make(run, tasks: try await store.tasks(of: run.id))))
        }
        switch run.state {
        case .succeeded: return
        case .cancelled:
            Terminal.err("resume it with: kiln resume \(run.id)")
            throw ExitCode(130)
        case .failed:
            Terminal.err("resume it with: kiln resume \(run.id)  ·  details: kiln show \(run.id)")
            throw ExitCode(1)
        case .waiting:
            let waiting = try await store.tasks(of: run.id).filter { $0.state == .waiting }.map(\.taskID)
            Terminal.err("run \(run.id) waits for a decision on: \(waiting.joined(separator: ", ")); "
                + "give it with: kiln approve \(run.id) [TASK]  or  kiln reject \(run.id) [TASK]")
        case .queued, .running: throw ExitCode(1)
        }
    }

    /// Parses `k=v`: the value is JSON when it reads as a JSON number, bool, null, array or object, else a string.
    static func parseParams(_ pairs: [String]) throws -> [String: JSONValue] {
        var params: [String: JSONValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--param expects NAME=VALUE, got '\(pair)'")
            }
            let name = String(pair[..<equals])
            let text = String(pair[pair.index(after: equals)...])
            if let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data),
                value.stringValue == nil
            {
                params[name] = value
            } else {
                params[name] = .string(text)
            }
        }
        return params
    }
}

/// Turns SIGINT (and SIGTERM) into cancellation of the run: the first Ctrl-C cancels (running process groups are killed and the
/// run is stored as cancelled, resumable); a second one exits at once with 130.
final class Interrupts: @unchecked Sendable {
    // Invariant: `sources` is only touched in init and stop(), both called from the same task.
    private var sources: [any DispatchSourceSignal] = []

    init(onInterrupt: @escaping @Sendable () -> Void) {
        let count = Counter()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.increment() == 1 {
                    Terminal.err("\ninterrupted: cancelling running tasks (Ctrl-C again to quit at once)")
                    onInterrupt()
                } else {
                    Foundation.exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
