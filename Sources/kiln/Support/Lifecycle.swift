import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// How every `kiln` command that does work over time starts and stops (`run`, `trigger`, `resume`, `approve`,
/// `reject`, `serve`): its work runs as services of one `ServiceGroup`.
///
/// The first SIGINT or SIGTERM starts a graceful shutdown, services in reverse order: the work stops first (a run is
/// cancelled and stored `cancelled`, resumable; the daemon stops starting runs and lets running ones finish for
/// `--grace`), then notifications already queued are delivered. A second signal exits at once with 130.
enum Lifecycle {
    /// Runs `services` until the one whose end shuts the group down returns, or until a signal.
    ///
    /// - Parameters:
    ///   - services: The services, in start order (shut down in reverse).
    ///   - interruptMessage: Printed on stderr when the first signal arrives.
    ///   - logger: The group's diagnostics.
    ///   - beforeForcedExit: Runs when a second signal exits at once, just before the exit (cleanup that must not
    ///     be skipped, such as deleting temporary folders).
    static func run(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], interruptMessage: String, logger: Logger,
        beforeForcedExit: @escaping @Sendable () -> Void = {}
    ) async throws {
        let interrupts = Interrupts(message: interruptMessage, beforeForcedExit: beforeForcedExit)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: interrupts, successTerminationBehavior: .ignore, serviceName: "signals")] + services,
            logger: logger))
        interrupts.attach(group)
        try await group.run()
    }

    /// A logger for the group: errors only, on stderr (stdout carries `--json` documents).
    static var logger: Logger {
        StderrLog.logger(label: "kiln", level: .error)
    }
}

/// Listens for SIGINT and SIGTERM while the other services run: the first signal shuts the group down gracefully,
/// the second exits the process with 130. It is first in the group, so it is shut down last and keeps listening
/// while the work winds down.
final class Interrupts: Service {
    private let group = Mutex<ServiceGroup?>(nil)
    private let message: String
    private let beforeForcedExit: @Sendable () -> Void

    init(message: String, beforeForcedExit: @escaping @Sendable () -> Void = {}) {
        self.message = message
        self.beforeForcedExit = beforeForcedExit
    }

    /// Gives the listener the group it shuts down.
    func attach(_ group: ServiceGroup) { self.group.withLock { $0 = group } }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        await cancelWhenGracefulShutdown { [self] in
            var count = 0
            for await _ in signals {
                count += 1
                guard count == 1 else {
                    beforeForcedExit()
                    Foundation.exit(130)
                }
                Terminal.err(message)
                await group.withLock { $0 }?.triggerGracefulShutdown()
            }
        }
    }
}

/// One unit of work (a run, a resume) as a service: graceful shutdown cancels it; its result is kept for the command.
final class WorkService<Value: Sendable>: Service {
    private let work: @Sendable () async throws -> Value
    private let outcome = Mutex<Result<Value, any Error>?>(nil)

    init(_ work: @escaping @Sendable () async throws -> Value) { self.work = work }

    func run() async throws {
        let result: Result<Value, any Error>
        do {
            result = .success(try await cancelWhenGracefulShutdown(work))
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
    }

    /// The work's value, or its error; `CancellationError` when it never ran.
    func value() throws -> Value {
        guard let result = outcome.withLock({ $0 }) else { throw CancellationError() }
        return try result.get()
    }
}
