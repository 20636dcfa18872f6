import Foundation
import Testing

/// Runs the built `kiln` binary, as a user would. Its scratch folders are removed when the last reference goes.
final class CLI: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The stdout parsed as JSON.
        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// A fresh home folder and a scratch folder for files.
    let home: URL
    let scratch: URL

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cli-\(UUID().uuidString)")
        home = base.appendingPathComponent("home")
        scratch = base.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }

    /// The repository root (for the examples).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `kiln` binary next to the test bundle.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["KILN_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("kiln")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/kiln")
    }

    /// Writes `text` to `name` in the scratch folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Starts `kiln ARGS` with this home; the caller waits.
    func start(
        _ arguments: [String], stdout: Pipe = Pipe(), stderr: Pipe = Pipe(), environment extra: [String: String] = [:]
    ) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        var environment = ProcessInfo.processInfo.environment
        environment["KILN_HOME"] = home.path
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }

    /// Runs `kiln ARGS` to the end, waiting on a thread of its own: Swift concurrency has as many threads as the
    /// machine has cores, and tests blocking them while a command runs would stall every other test's timers.
    /// At most as many commands run at once as the machine has cores (as when each held a pool thread), so that
    /// tests bounding a command's time do not find it sharing two cores with a dozen others.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await Self.slots.holding {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Swift.Result { try self.runBlocking(arguments, environment: environment) })
                }
            }
        }
    }

    /// The slots of ``run(_:environment:)``.
    static let slots = ProcessSlots(width: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `kiln ARGS` to the end on the calling thread (for synchronous contexts such as polling closures).
    func runBlocking(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let out = Pipe(), err = Pipe()
        let process = try start(arguments, stdout: out, stderr: err, environment: environment)
        // Read both pipes fully before waiting so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Polls `condition` every 20 ms for up to `seconds` (sleeping, never holding a thread of the pool).
    static func waitUntil(seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// A counting semaphore for tests that run processes: `holding` waits (suspended, not blocking a thread) for a free
/// slot, runs its body and frees the slot.
actor ProcessSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func holding<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
