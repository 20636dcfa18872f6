import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local S3-compatible server for tests of S3 artifact stores: moto's server mode
/// (`python3 -m moto.server`, from PyPI: `pip install 'moto[server]'`), started on a free loopback port and
/// stopped by ``stop()``.
///
/// When moto is not installed, ``start()`` returns `nil` and ``skipReason`` says how to install it — unless
/// `KILN_S3_TESTS=required` (as in CI), when it throws instead, so a missing emulator fails the tests.
public final class S3Emulator: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`.
    public let endpoint: String
    private let process: Process

    private init(endpoint: String, process: Process) {
        self.endpoint = endpoint
        self.process = process
    }

    /// Whether a missing emulator fails the tests (`KILN_S3_TESTS=required`).
    public static var required: Bool { ProcessInfo.processInfo.environment["KILN_S3_TESTS"] == "required" }

    /// Why S3 tests are skipped when moto is missing.
    public static let skipReason =
        "moto is not installed: `pip install 'moto[server]'` to test the S3 artifact store (KILN_S3_TESTS=required makes this a failure)"

    /// Whether `python3 -m moto.server` can run here.
    public static func isAvailable() async -> Bool {
        (try? await python(["-c", "import moto.server"])) == 0
    }

    /// The variables an S3 client needs for this server (fixed test credentials, region `us-east-1`).
    public var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        ]
    }

    /// Starts the server and waits until it answers.
    /// - Returns: The server, or `nil` when moto is not installed (see ``skipReason``).
    /// - Throws: ``S3EmulatorError`` when it cannot start, or is missing while required.
    public static func start() async throws -> S3Emulator? {
        guard await isAvailable() else {
            if required { throw S3EmulatorError("KILN_S3_TESTS=required but " + skipReason) }
            return nil
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let emulator = S3Emulator(endpoint: "http://127.0.0.1:\(port)", process: process)
        for _ in 0..<300 {
            if connects(port: port) { return emulator }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        emulator.stop()
        throw S3EmulatorError("moto did not start on port \(port) within 30 s (python3 -m moto.server)")
    }

    /// Creates bucket `name` (moto accepts unsigned requests).
    /// - Throws: ``S3EmulatorError`` when the request fails.
    public func createBucket(_ name: String) async throws {
        let script = "import urllib.request, sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='PUT'))"
        guard try await Self.python(["-c", script, "\(endpoint)/\(name)"]) == 0 else {
            throw S3EmulatorError("cannot create bucket \(name) at \(endpoint)")
        }
    }

    /// Stops the server (SIGKILL: it keeps nothing worth a clean shutdown, and after serving requests it can outlive
    /// SIGTERM, left running after the tests).
    public func stop() {
        let pid = process.processIdentifier
        if pid > 0 { kill(pid, SIGKILL) }
    }

    deinit { stop() }

    /// Runs `python3 ARGUMENTS` to its end, waiting without holding a thread of the concurrency pool.
    private static func python(_ arguments: [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    private static func freePort() throws -> Int {
        let socket = socket(AF_INET, streamSocket, 0)
        guard socket >= 0 else { throw S3EmulatorError("cannot open a socket to find a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw S3EmulatorError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func connects(port: Int) -> Bool {
        let socket = socket(AF_INET, streamSocket, 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

#if canImport(Glibc)
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
    private let streamSocket = SOCK_STREAM
#endif

/// The S3 emulator could not be started or used.
public struct S3EmulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
