import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineStoreSQLite
import DeploymentTasks
import Notifications
import ServiceLifecycle

/// Runs or resumes a run with progress on stderr, the shared lifecycle (``Lifecycle``) and the CLI's exit codes.
enum Execution {
    /// The process environment (what `env.X` expressions see), read once: `ProcessInfo` builds a new dictionary of
    /// every variable at each call, and a command asks for several.
    static let environment: [String: String] = ProcessInfo.processInfo.environment

    /// One variable of the process environment. Building ``environment`` (every variable, in a dictionary whose
    /// first use looks up `String`'s conformances at run time) costs a command that needs a setting or two, such as
    /// `kiln validate`, 2 % of its work.
    static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

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

    /// Runs `body` (which runs or resumes) beside the notification service; a signal cancels it; exits with the run's code.
    static func execute(
        home: HomeOptions, stores: Stores, pipeline: Pipeline?, parallelism: Int?, readCache: Bool, json: Bool,
        owner: String, lease: LeaseOptions, verbose: Bool = false,
        _ body: @escaping @Sendable (PipelineExecutor) async throws -> RunRecord
    ) async throws {
        if let parallelism, parallelism < 1 {
            throw ValidationError("--parallelism must be at least 1")
        }
        let store = stores.state
        let printer = ProgressPrinter(live: Terminal.stderrIsTTY, verbose: verbose)
        // Notifications are sent by a service fed from the event stream, never on the engine's path.
        let dispatcher = (pipeline?.notify.isEmpty ?? true)
            ? nil : NotificationDispatcher(milestone: DeploymentMilestones.event)
        let events: any RunEventSink = dispatcher.map { RunEventFanOut([printer, $0]) } ?? printer
        let clock = SystemClock()
        let (heartbeat, leaseDuration) = try lease.durations()
        let executor = PipelineExecutor(
            store: stores.state, kinds: try KindCatalog.kinds(home: home, registry: stores.registry, runs: stores.state), clock: clock, events: events,
            artifacts: try home.artifactStore,
            configuration: .init(
                parallelism: parallelism, readCache: readCache, environment: environment,
                owner: .current(label: owner), heartbeat: heartbeat, leaseDuration: leaseDuration),
            workerQueue: stores.queue)
        let work = WorkService { try await body(executor) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let dispatcher {
            services.append(.init(
                service: NotificationService(
                    dispatcher: dispatcher, environment: environment, store: store, clock: clock,
                    logger: Logger(label: "kiln.notify"), report: { Terminal.err($0) }),
                successTerminationBehavior: .ignore, serviceName: "notifications"))
        }
        services.append(.init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "run"))
        try await Lifecycle.run(
            services, interruptMessage: "\ninterrupted: cancelling running tasks (Ctrl-C again to quit at once)",
            logger: Lifecycle.logger)
        let run = try work.value()
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
    /// An integer past ±2^53, which a JSON number would round, stays text so that it reaches commands exactly.
    static func parseParams(_ pairs: [String]) throws -> [String: JSONValue] {
        var params: [String: JSONValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--param expects NAME=VALUE, got '\(pair)'")
            }
            let name = String(pair[..<equals])
            let text = String(pair[pair.index(after: equals)...])
            let digits = text.first == "-" ? text.dropFirst() : Substring(text)
            if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                Int64(text).map({ $0.magnitude > JSONValue.largestExactInteger.magnitude }) ?? true
            {
                params[name] = .string(text)
                continue
            }
            if let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data),
                value.stringValue == nil
            {
                if let inexact = inexactInteger(inJSON: text) {
                    throw ValidationError(
                        "--param \(name): the integer \(inexact) is past 2^53 (9007199254740992), where JSON numbers "
                            + "are not exact; quote it as a string (\"\(inexact)\") to keep every digit")
                }
                params[name] = value
            } else {
                params[name] = .string(text)
            }
        }
        return params
    }

    /// The first integer literal of JSON `text` (outside strings) whose magnitude is past 2^53, or `nil`.
    static func inexactInteger(inJSON text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            } else if byte == UInt8(ascii: "-") || (byte >= 48 && byte <= 57) {
                let start = index
                index += 1
                while index < bytes.count, "0123456789.eE+-".utf8.contains(bytes[index]) { index += 1 }
                let token = String(decoding: bytes[start..<index], as: UTF8.self)
                let isInteger = !token.contains { $0 == "." || $0 == "e" || $0 == "E" }
                if isInteger, Int64(token).map({ $0.magnitude > JSONValue.largestExactInteger.magnitude }) ?? true {
                    return token
                }
            } else {
                index += 1
            }
        }
        return nil
    }
}
