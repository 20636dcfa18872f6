import Foundation
import Testing

/// Hostile data and long work: devices and FIFOs as data, huge hyperparameters, SIGTERM during training, trigger
/// commands that never end. Every case runs the built binary with a deadline, so a regression fails instead of
/// hanging the suite.
@Suite("Resource limits: data files, hyperparameters, cancellation, trigger commands", .serialized)
struct ResourceLimitsTests {
    struct Bounded {
        var result: CLI.Result
        /// Whether the process had to be killed at the deadline.
        var hung: Bool
        var elapsed: Duration
    }

    /// Runs `kiln ARGS`, killing it (SIGKILL) after `seconds`.
    static func run(
        _ cli: CLI, _ arguments: [String], seconds: Double, environment: [String: String] = [:]
    ) async throws -> Bounded {
        try await CLI.slots.holding { try await bounded(cli, arguments, seconds: seconds, environment: environment) }
    }

    private static func bounded(
        _ cli: CLI, _ arguments: [String], seconds: Double, environment: [String: String]
    ) async throws -> Bounded {
        let out = Pipe(), err = Pipe()
        let started = ContinuousClock.now
        let process = try cli.start(arguments, stdout: out, stderr: err, environment: environment)
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let finished = await CLI.waitUntil(seconds: seconds) { !process.isRunning }
        if !finished { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return Bounded(
            result: CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                               stderr: String(decoding: errData, as: UTF8.self)),
            hung: !finished, elapsed: ContinuousClock.now - started)
    }

    static func extract(_ path: String) -> String {
        "name: hostile\ntasks:\n  extract:\n    uses: extract-csv\n    with: { path: \"\(path)\" }\n"
    }

    @Test("kiln run: extract-csv of /dev/zero fails at once with what, which path and how to fix")
    func devZero() async throws {
        let cli = try CLI()
        let path = try cli.write("zero.yaml", Self.extract("/dev/zero"))
        // The message comes from the check made before any byte is read, so it shows the run did not try to read
        // the endless file; the bound only stops a run that does (a loaded machine once took 41 s to run it).
        let run = try await Self.run(cli, ["run", path], seconds: 120)
        #expect(!run.hung, "kiln run of /dev/zero was still running after 120 s")
        #expect(run.result.status == 1)
        let output = run.result.stdout + run.result.stderr
        #expect(output.contains("/dev/zero: is a character device, not a regular file"), "\(output)")
    }

    @Test("kiln run: extract-csv of a FIFO fails at once instead of blocking; SIGTERM is not needed")
    func fifo() async throws {
        let cli = try CLI()
        let fifo = cli.scratch.appendingPathComponent("incoming.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let path = try cli.write("fifo.yaml", Self.extract(fifo))
        let run = try await Self.run(cli, ["run", path], seconds: 30)
        #expect(!run.hung, "kiln run of a FIFO was still running after 30 s")
        #expect(run.result.status == 1)
        let output = run.result.stdout + run.result.stderr
        #expect(output.contains("is a FIFO (named pipe), not a regular file"), "\(output)")
    }

    @Test("kiln data profile and kiln drift refuse a device, and KILN_MAX_DATA_FILE_BYTES bounds a file's bytes")
    func dataCommands() async throws {
        let cli = try CLI()
        let profile = try await Self.run(cli, ["data", "profile", "/dev/zero"], seconds: 30)
        #expect(!profile.hung)
        #expect(profile.result.status == 1)
        #expect(profile.result.stderr.contains("/dev/zero: is a character device, not a regular file"), "\(profile.result.stderr)")
        let csv = try cli.write("small.csv", "a,b\n1,2\n3,4\n")
        let drift = try await Self.run(cli, ["drift", csv, "/dev/zero"], seconds: 30)
        #expect(!drift.hung)
        #expect(drift.result.status != 0)
        #expect(drift.result.stderr.contains("not a regular file"), "\(drift.result.stderr)")
        let limited = try await Self.run(cli, ["data", "profile", csv], seconds: 30, environment: ["KILN_MAX_DATA_FILE_BYTES": "8"])
        #expect(limited.result.status == 1)
        #expect(limited.result.stderr.contains("more than the limit of 8 bytes per data file"), "\(limited.result.stderr)")
        let allowed = try await Self.run(cli, ["data", "profile", csv], seconds: 30, environment: ["KILN_MAX_DATA_FILE_BYTES": "1K"])
        #expect(allowed.result.status == 0, "\(allowed.result.stderr)")
    }

    /// A training set big enough that 100,000 rounds take minutes.
    static func trainingData(_ cli: CLI) throws -> String {
        var text = "a,b,c,label\n"
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<5_000 {
            let a = next(), b = next(), c = next()
            text += "\(a),\(b),\(c),\(a + 0.3 * next() > 0.6 ? 1 : 0)\n"
        }
        return try cli.write("train.csv", text)
    }

    static func train(_ data: String, nEstimators: Int) -> String {
        """
        name: long-train
        tasks:
          train:
            uses: train
            with: { data: "\(data)", label: label, params: { n_estimators: \(nEstimators), max_depth: 8 } }
        """
    }

    @Test("kiln run: a train with n_estimators 1,000,000,000 fails with the bound in the message")
    func hugeEstimators() async throws {
        let cli = try CLI()
        let data = try cli.write("tiny.csv", "x,label\n1,0\n2,1\n3,0\n4,1\n")
        let path = try cli.write("huge.yaml", Self.train(data, nEstimators: 1_000_000_000))
        let run = try await Self.run(cli, ["run", path], seconds: 60)
        #expect(!run.hung, "training 10⁹ rounds was still running after 60 s")
        #expect(run.result.status == 1)
        let output = run.result.stdout + run.result.stderr
        #expect(output.contains("n_estimators = 1000000000 is invalid; expected an integer in 1…100000"), "\(output)")
    }

    @Test("SIGTERM during a long train: kiln run exits within a couple of seconds and the run is cancelled")
    func sigtermDuringTrain() async throws {
        let cli = try CLI()
        let data = try Self.trainingData(cli)
        let path = try cli.write("long.yaml", Self.train(data, nEstimators: 100_000))
        let err = Pipe()
        let process = try cli.start(["run", path], stdout: Pipe(), stderr: err)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Let it load the data and start boosting.
        try await Task.sleep(for: .seconds(4))
        #expect(process.isRunning, "training finished too early to test cancellation")
        let signalled = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        let ended = await CLI.waitUntil(seconds: 20) { !process.isRunning }
        let elapsed = ContinuousClock.now - signalled
        #expect(ended, "kiln run still training 20 s after SIGTERM")
        #expect(elapsed < .seconds(3), "kiln run took \(elapsed) to stop after SIGTERM")
        let runs = try await cli.run(["runs", "--json"])
        let first = (try? runs.json() as? [[String: Any]])?.first
        #expect(first?["state"] as? String == "cancelled", "\(runs.stdout)")
    }

    static func commandTrigger(pidFile: String, timeout: String?) -> String {
        let limit = timeout.map { ", timeout: \($0)" } ?? ""
        return """
            name: slow-count
            triggers:
              data: { command: [sh, -c, "sleep 100 & echo $! > \(pidFile); wait"], new_rows: 1\(limit) }
            tasks:
              a: { uses: noop }
            """
    }

    static func childEnded(_ pidFile: String) -> Bool {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return false }
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let afterName = stat.range(of: ") ", options: .backwards) else { return true }
        return stat[afterName.upperBound...].hasPrefix("Z")
    }

    @Test("kiln triggers: a data command that sleeps returns after the rule's timeout with evidence, leaving no child")
    func triggerCommandTimeout() async throws {
        let cli = try CLI()
        let pidFile = cli.scratch.appendingPathComponent("child.pid").path
        let path = try cli.write("slow.yaml", Self.commandTrigger(pidFile: pidFile, timeout: "2s"))
        let run = try await Self.run(cli, ["triggers", path, "--json"], seconds: 40)
        #expect(!run.hung, "kiln triggers was still waiting for the command after 40 s")
        #expect(run.elapsed < .seconds(15), "took \(run.elapsed)")
        #expect(run.result.stdout.contains("did not finish within 2s (timeout), so its process group was killed"),
                "stdout: \(run.result.stdout) stderr: \(run.result.stderr)")
        #expect(await CLI.waitUntil(seconds: 3) { Self.childEnded(pidFile) }, "the command's child outlived kiln triggers")
    }

    @Test("kiln run: moving the data baseline runs the command under the same timeout")
    func runCommandTimeout() async throws {
        let cli = try CLI()
        let pidFile = cli.scratch.appendingPathComponent("child.pid").path
        let path = try cli.write("slow.yaml", Self.commandTrigger(pidFile: pidFile, timeout: "1s"))
        let run = try await Self.run(cli, ["run", path], seconds: 40)
        #expect(!run.hung, "kiln run was still waiting for the command after 40 s")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.elapsed < .seconds(15), "took \(run.elapsed)")
        #expect(await CLI.waitUntil(seconds: 3) { Self.childEnded(pidFile) }, "the command's child outlived kiln run")
    }
}
