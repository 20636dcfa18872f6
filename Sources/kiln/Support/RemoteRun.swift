import ArgumentParser
import Foundation
import PipelineEngine
import PipelineModel
import PipelineScheduler
import ServiceLifecycle

/// `kiln run --remote`: stores the run `queued` for a `kiln serve` on the same store to execute, and follows it by
/// reading the store, printing progress as a local run does.
enum RemoteRun {
    /// Creates the run and follows it to its end; exits as a local run would (0, 1, 130 when interrupted).
    static func start(
        plan: Plan, params: [String: JSONValue], baseDirectory: String, trigger: JSONValue, stores: Stores,
        home: HomeOptions, json: Bool, verbose: Bool, detach: Bool
    ) async throws {
        let store = stores.state
        let executor = PipelineExecutor(store: store, kinds: TaskKindRegistry())
        let run = try await executor.createRun(plan, params: params, baseDirectory: baseDirectory, trigger: trigger)
        if detach {
            Terminal.out(run.id.rawValue)
            Terminal.err("run \(run.id) queued in \(home.storeName) for kiln serve to execute; follow it with kiln show \(run.id)")
            return
        }
        Terminal.err("run \(run.id) queued in \(home.storeName) for kiln serve to execute (Ctrl-C stops following; the run goes on)")
        let printer = ProgressPrinter(live: Terminal.stderrIsTTY, verbose: verbose)
        let signals = stores.signals
        let work = WorkService { try await follow(run.id, store: store, signals: signals, printer: printer) }
        try await Lifecycle.run(
            [.init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "follow run")],
            interruptMessage: "\nstopped following run \(run.id); it goes on (kiln show \(run.id))",
            logger: Lifecycle.logger)
        let final: RunRecord
        do {
            final = try work.value()
        } catch is CancellationError {
            throw ExitCode(130)
        }
        if json {
            Terminal.out(Terminal.json(RunDocument.make(final, tasks: try await store.tasks(of: final.id))))
        }
        switch final.state {
        case .succeeded: return
        case .cancelled:
            Terminal.err("resume it with: kiln resume \(final.id)")
            throw ExitCode(130)
        case .failed:
            Terminal.err("resume it with: kiln resume \(final.id)  ·  details: kiln show \(final.id)")
            throw ExitCode(1)
        case .waiting:
            let waiting = try await store.tasks(of: final.id).filter { $0.state == .waiting }.map(\.taskID)
            Terminal.err("run \(final.id) waits for a decision on: \(waiting.joined(separator: ", ")); "
                + "give it with: kiln approve \(final.id) [TASK]  or  kiln reject \(final.id) [TASK]")
        case .queued, .running: throw ExitCode(1)
        }
    }

    /// Reads the run, the tasks changed since the last look and new log lines every 50 ms (up to 500 ms while
    /// nothing changes) and feeds the changes to `printer`, until the run ends or waits for a decision; a run queued
    /// or ended anywhere on the store (`signals`) makes it look at once, so it returns as soon as the run ends. Store
    /// errors are retried with backoff.
    static func follow(
        _ id: RunID, store: any StateStore, signals: (any SchedulerSignalSource)? = nil, printer: ProgressPrinter
    ) async throws -> RunRecord {
        let wake = WakeSignal()
        let listener = signals.map { source in
            Task {
                for await signal in source.signals() where signal == .run { wake.wake() }
            }
        }
        defer { listener?.cancel() }
        var known: [String: TaskRecord] = [:]
        var revision: Int64?  // of the tasks read so far: the next look reads only what changed after it
        var logCount = 0
        var started = false
        var delay = Duration.milliseconds(50)
        let queuedSince = ContinuousClock.now
        var hinted = false
        // The state alone on each look; the whole record (with its snapshot) only to announce a start or an end.
        let disappeared = CLIError("run \(id) disappeared from the store", exitCode: 1)
        func wholeRun() async throws -> RunRecord {
            guard let run = try await store.run(id) else { throw disappeared }
            return run
        }
        while true {
            try Task.checkCancellation()
            let pollStart = ContinuousClock.now
            do {
                guard let state = try await store.runState(of: id) else { throw disappeared }
                var changed = false
                if !started, state != .queued {
                    started = true
                    printer.receive(.runStarted(try await wholeRun()))
                }
                if started {
                    let changes = try await store.tasks(of: id, changedAfter: revision)
                    for record in changes.tasks where known[record.taskID] != record {
                        known[record.taskID] = record
                        printer.receive(.taskChanged(id, record))
                        changed = true
                    }
                    revision = changes.revision
                    let logs = try await store.logs(of: id, after: logCount)
                    for line in logs { printer.receive(.log(line)) }
                    changed = changed || !logs.isEmpty
                    logCount += logs.count
                } else if !hinted, ContinuousClock.now - queuedSince > .seconds(10) {
                    hinted = true
                    Terminal.err("run \(id) is still queued: is kiln serve running on this store?")
                }
                if state != .queued && state != .running {
                    let run = try await wholeRun()
                    printer.receive(.runFinished(run))
                    return run
                }
                delay = changed ? .milliseconds(50) : min(delay * 2, .milliseconds(500))
                // A look at a wide run may read many tasks (all of them, on a store that keeps no revisions): keep
                // following to a tenth of the time, so the follower does not slow the run it follows (and its store)
                // down.
                delay = max(delay, (ContinuousClock.now - pollStart) * 10)
            } catch let error as CLIError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                Terminal.err("reading run \(id) failed (\(error)); retrying")
                delay = min(max(delay * 2, .milliseconds(500)), .seconds(5))
            }
            await withTaskCancellationHandler { await wake.wait(upTo: delay) } onCancel: { wake.wake() }
            try Task.checkCancellation()
        }
    }
}
