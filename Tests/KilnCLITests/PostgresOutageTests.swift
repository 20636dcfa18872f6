import Foundation
import Testing

/// A PostgreSQL outage mid-run: the run waits for the server, reconnects and completes, with nothing re-executed.
/// The test stops and restarts a server of its own (`scripts/postgres halt` / `start`), never the shared test server.
@Suite("kiln on a PostgreSQL server that goes away", .serialized)
struct PostgresOutageTests {
    /// Runs `scripts/postgres ACTION` on the cluster in `folder`; returns its output.
    @discardableResult
    static func postgres(_ action: String, folder: URL) async throws -> String {
        // On a thread of its own, as `CLI.run`: waiting for a process must not hold a thread of the pool.
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try postgresBlocking(action, folder: folder) })
            }
        }
    }

    static func postgresBlocking(_ action: String, folder: URL) throws -> String {
        let process = Process()
        process.executableURL = CLI.root.appendingPathComponent("scripts/postgres")
        process.arguments = [action]
        process.environment = ProcessInfo.processInfo.environment.merging(["KILN_PG_DIR": folder.path]) { _, new in new }
        // A file, not a pipe: the server it starts would keep a pipe open, and reading to its end would never return.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-pg-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("scripts/postgres \(action) exited \(process.terminationStatus)") }
        return try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A server of the test's own, and a folder where each task of the test's pipeline appends a line to a file
    /// named after it (a task run twice shows up as two lines). The caller stops the server.
    static func ownServer(_ cli: CLI) async throws -> (folder: URL, url: String, marks: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-pg-outage-\(UUID().uuidString.prefix(8))")
        let url = try await postgres("start", folder: folder)
        let marks = cli.scratch.appendingPathComponent("marks")
        try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
        return (folder, url, marks)
    }

    /// Expects the run document on `output` to say the run succeeded with each of `tasks` run once, in one attempt.
    static func expectEachRanOnce(_ tasks: [String], marks: URL, output: Pipe) throws {
        let document = try JSONSerialization.jsonObject(with: output.fileHandleForReading.readDataToEndOfFile()) as? [String: Any]
        #expect(document?["state"] as? String == "succeeded")
        for task in tasks {
            let lines = (try? String(contentsOf: marks.appendingPathComponent(task), encoding: .utf8)) ?? ""
            #expect(lines == "\(task)\n", "task \(task) ran \(lines.split(separator: "\n").count) times")
            let attempts = ((document?["tasks"] as? [String: Any])?[task] as? [String: Any])?["attempts"] as? Int
            #expect(attempts == 1, "task \(task)")
        }
    }

    @Test(
        "PostgreSQL stopped for 10 s mid-run on workers: serve, two workers and the follower wait, reconnect, and every task runs once",
        .enabled(if: PostgresStoreCLITests.serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set: run `export KILN_TEST_POSTGRES_URL=$(scripts/postgres start)`"))
    func outageOnWorkers() async throws {
        let cli = try CLI()
        let (folder, url, marks) = try await Self.ownServer(cli)
        defer { _ = try? Self.postgresBlocking("stop", folder: folder) }
        let store = ["--store", url]
        // Two tasks at once (one per worker) that are still running when the server goes, then two after it. They
        // last long enough that a server slow to stop on a busy machine still stops before the run could end.
        let path = try cli.write("slow.yaml", """
            name: slow
            tasks:
              a: { shell: "echo a >> \(marks.path)/a && sleep 6" }
              b: { shell: "echo b >> \(marks.path)/b && sleep 6" }
              c: { needs: [a, b], shell: "echo c >> \(marks.path)/c && sleep 1" }
              d: { needs: [c], shell: "echo d >> \(marks.path)/d" }
            """)
        let serve = try WorkerCLITests.Background(
            cli, ["serve", "--no-local-workers", "--http", "off", "--tick", "200ms", "--log-level", "debug",
                  cli.scratch.appendingPathComponent("none").path] + store, name: "serve")
        let workers = try (1...2).map { index in
            try WorkerCLITests.Background(
                cli, ["worker", "--name", "w\(index)", "--log-level", "debug"] + store, name: "w\(index)")
        }
        defer {
            for worker in workers { worker.stop() }
            serve.stop()
        }
        let output = Pipe(), errors = Pipe()
        let run = try cli.start(["run", "--remote", path, "--json"] + store, stdout: output, stderr: errors)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        let started = await CLI.waitUntil(seconds: 30) {
            ["a", "b"].allSatisfy { FileManager.default.fileExists(atPath: marks.appendingPathComponent($0).path) }
        }
        #expect(started, "serve: \(serve.output.suffix(2000))")
        try await Self.postgres("halt", folder: folder)
        try await Task.sleep(for: .seconds(10))
        // Read only when it failed: the follower has exited, so what it wrote is all there.
        #expect(
            run.isRunning,
            """
            kiln run --remote gave up while the server was down (status \(run.isRunning ? 0 : run.terminationStatus)): \
            \(String(decoding: errors.fileHandleForReading.availableData.suffix(3000), as: UTF8.self))
            """)
        #expect(serve.process.isRunning, "serve gave up while the server was down: \(serve.output.suffix(2000))")
        for worker in workers {
            #expect(worker.process.isRunning, "a worker gave up while the server was down: \(worker.output.suffix(2000))")
        }
        try await Self.postgres("start", folder: folder)
        #expect(await CLI.waitUntil(seconds: 60) { !run.isRunning })
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "serve: \(serve.output.suffix(3000))")
        try Self.expectEachRanOnce(["a", "b", "c", "d"], marks: marks, output: output)
    }

    struct CLIError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test(
        "PostgreSQL stopped for 10 s mid-run: kiln run waits, reconnects, and every task runs once",
        .enabled(if: PostgresStoreCLITests.serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set: run `export KILN_TEST_POSTGRES_URL=$(scripts/postgres start)`"))
    func outageMidRun() async throws {
        let cli = try CLI()
        let (folder, url, marks) = try await Self.ownServer(cli)
        defer { _ = try? Self.postgresBlocking("stop", folder: folder) }
        // `a` lasts long enough that a server slow to stop on a busy machine still stops before the run could end.
        let path = try cli.write("slow.yaml", """
            name: slow
            tasks:
              a: { shell: "echo a >> \(marks.path)/a && sleep 6" }
              b: { needs: [a], shell: "echo b >> \(marks.path)/b && sleep 2" }
              c: { needs: [b], shell: "echo c >> \(marks.path)/c" }
            """)
        let output = Pipe()
        let run = try cli.start(["run", path, "--store", url, "--json"], stdout: output)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        let started = await CLI.waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: marks.appendingPathComponent("a").path) }
        #expect(started)
        try await Self.postgres("halt", folder: folder)
        try await Task.sleep(for: .seconds(10))
        #expect(
            run.isRunning, "kiln run gave up while the server was down (status \(run.isRunning ? 0 : run.terminationStatus))")
        try await Self.postgres("start", folder: folder)
        #expect(await CLI.waitUntil(seconds: 60) { !run.isRunning })
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
        try Self.expectEachRanOnce(["a", "b", "c"], marks: marks, output: output)
    }
}
