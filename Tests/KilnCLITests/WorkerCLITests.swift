import Foundation
import PipelineEngine
import PipelineTesting
import Testing

/// `kiln worker`, `kiln serve --no-local-workers` and `kiln run --remote`, as separate processes on one store.
@Suite("kiln worker processes", .serialized)
struct WorkerCLITests {
    /// A background `kiln` process whose stderr is collected in a file (a pipe could fill up and block it).
    final class Background: @unchecked Sendable {
        let process: Process
        let log: URL

        init(_ cli: CLI, _ arguments: [String], name: String, environment: [String: String] = [:]) throws {
            log = cli.scratch.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process = Process()
            process.executableURL = CLI.binary
            process.arguments = arguments
            process.currentDirectoryURL = cli.scratch
            var merged = ProcessInfo.processInfo.environment
            merged["KILN_HOME"] = cli.home.path
            merged.merge(environment) { _, new in new }
            process.environment = merged
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// SIGTERM, then wait for it to end; one that is still running after `grace` is a failure (and is killed, so
        /// a process that does not stop fails its test instead of hanging the suite).
        func stop(grace: Duration = .seconds(120)) {
            if process.isRunning { process.terminate() }
            let deadline = ContinuousClock.now + grace
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning {
                Issue.record("\(process.arguments?.first ?? "kiln") did not stop within \(grace) of SIGTERM: \(output.suffix(2000))")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// Short leases so that a lost worker is noticed within seconds.
    static let fast = ["--lease", "2s", "--heartbeat", "500ms"]

    func serve(_ cli: CLI, store: [String]) throws -> Background {
        try Background(cli, ["serve", "--no-local-workers", "--http", "off", "--tick", "200ms", cli.scratch.appendingPathComponent("none").path] + store, name: "serve")
    }

    func worker(
        _ cli: CLI, _ name: String, store: [String], extra: [String] = [], environment: [String: String] = [:]
    ) throws -> Background {
        try Background(
            cli, ["worker", "--name", name, "--log-level", "debug"] + Self.fast + store + extra, name: name,
            environment: environment)
    }

    @Test("the fraud example end to end: serve --no-local-workers and 2 workers on PostgreSQL, artifacts in S3",
          .enabled(if: PostgresStoreCLITests.serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set"))
    func fraudExampleOnWorkers() async throws {
        guard let emulator = try await S3Emulator.start() else {
            print("skipped: \(S3Emulator.skipReason)")
            return
        }
        defer { emulator.stop() }
        try await emulator.createBucket("kiln-workers")
        let cli = try CLI()
        var environment = emulator.environment
        environment["KILN_ARTIFACTS"] = "s3://kiln-workers/team"
        let store = ["--store", try PostgresStoreCLITests.storeURL()]
        let serve = try Background(
            cli, ["serve", "--no-local-workers", "--http", "off", "--tick", "200ms", "--log-level", "debug",
                  cli.scratch.appendingPathComponent("none").path] + store,
            name: "serve", environment: environment)
        // Each worker its own home (its own artifact cache, as on another machine).
        let workers = try (1...2).map { index in
            var own = environment
            own["KILN_HOME"] = cli.scratch.appendingPathComponent("worker-home-\(index)").path
            return try worker(cli, "w\(index)", store: store, extra: ["--concurrency", "2"], environment: own)
        }
        defer {
            for worker in workers { worker.stop() }
            serve.stop()
        }
        let pipeline = CLI.root.appendingPathComponent("examples/fraud-detection/pipeline.yaml").path
        let run = try await cli.run(["run", "--remote", pipeline, "--json"] + store, environment: environment)
        #expect(run.status == 0, "stderr: \(run.stderr)\nserve: \(serve.output.suffix(3000))")
        let document = try #require(try run.json() as? [String: Any])
        let tasks = try #require(document["tasks"] as? [String: [String: Any]])
        #expect((tasks["deploy"]?["outputs"] as? [String: Any])?["deployed"] as? Bool == true, "\(tasks["deploy"] ?? [:])")

        // Every task that ran was executed by a worker, exactly once; serve ran none itself.
        var executed: [String: Int] = [:]
        for worker in workers {
            for line in worker.output.split(separator: "\n") where line.contains("Attempt ended") {
                executed[String(line.firstMatch(of: /task\.id=(\S+)/)?.1 ?? ""), default: 0] += 1
            }
        }
        let ran = Set(tasks.filter { ($0.value["attempts"] as? Int ?? 0) > 0 }.keys)
        #expect(Set(executed.keys) == ran, "executed by workers: \(executed.keys.sorted()); ran: \(ran.sorted())")
        #expect(executed.values.allSatisfy { $0 == 1 }, "\(executed)")
        #expect(!serve.output.contains("Attempt ended"))

        // Datasets and the model are in the bucket, not in any home; the registry (on PostgreSQL) serves version 1.
        for home in [cli.home] + (1...2).map({ cli.scratch.appendingPathComponent("worker-home-\($0)") }) {
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("artifacts/sha256").path))
        }
        let model = try #require(
            try await cli.run(["models", "show", "fraud-detection", "--json"] + store, environment: environment).json()
                as? [String: Any])
        #expect((model["aliases"] as? [String: Any])?["production"] as? Int == 1)
        let input = CLI.root.appendingPathComponent("examples/fraud-detection/data/incoming-drifted.csv").path
        let predict = try await cli.run(
            ["predict", "fraud-detection@production", input, "--output", cli.scratch.appendingPathComponent("s.csv").path]
                + store, environment: environment)
        #expect(predict.status == 0, "stderr: \(predict.stderr)")
        #expect(predict.stdout.hasPrefix("scored 5000 rows with fraud-detection@1"), "\(predict.stdout)")
    }

    @Test("4 workers × 10,000 no-op tasks across 50 runs on PostgreSQL: every task executed exactly once, every run succeeds",
          .enabled(if: PostgresStoreCLITests.serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set"))
    func tenThousandTasks() async throws {
        let cli = try CLI()
        let store = ["--store", try PostgresStoreCLITests.storeURL()]
        let tasks = (0..<200).map { "  t\($0): { uses: noop }" }.joined(separator: "\n")
        let path = try cli.write("wide.yaml", "name: wide\ntasks:\n" + tasks + "\n")
        var ids: [String] = []
        for _ in 0..<50 {
            let queued = try await cli.run(["run", "--remote", "--detach", path] + store)
            #expect(queued.status == 0, "stderr: \(queued.stderr)")
            ids.append(queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let serve = try serve(cli, store: store)
        let workers = try (1...4).map { try worker(cli, "w\($0)", store: store, extra: ["--concurrency", "16"]) }
        defer {
            for worker in workers { worker.stop() }
            serve.stop()
        }
        let done = await CLI.waitUntil(seconds: 120) {
            let runs = try? await cli.run(["runs", "--json", "--limit", "60"] + store)
            let list = (try? runs?.json()) as? [[String: Any]] ?? []
            return list.count == 50 && list.allSatisfy { $0["state"] as? String == "succeeded" }
        }
        #expect(done, "not every run succeeded; serve: \(serve.output.suffix(2000))")
        // Every attempt a worker ran, from the workers' own logs: 10,000 distinct tasks, each once.
        var executed: [String: Int] = [:]
        for worker in workers {
            for line in worker.output.split(separator: "\n") where line.contains("Attempt ended") {
                let run = line.firstMatch(of: /run\.id=(\S+)/)?.1 ?? ""
                let task = line.firstMatch(of: /task\.id=(\S+)/)?.1 ?? ""
                executed["\(run)/\(task)", default: 0] += 1
            }
        }
        #expect(executed.count == 10_000, "\(executed.count) distinct tasks executed")
        #expect(executed.values.allSatisfy { $0 == 1 }, "tasks executed more than once: \(executed.filter { $0.value > 1 }.prefix(5))")
        #expect(workers.filter { $0.output.contains("Attempt ended") }.count >= 2, "the work was not shared")
        for id in ids.prefix(3) {
            let shown = try await cli.run(["show", id, "--json"] + store)
            let tasks = try #require((try shown.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
            #expect(tasks.count == 200 && tasks.values.allSatisfy { $0["attempts"] as? Int == 1 })
        }
    }

    @Test("a worker killed with SIGKILL mid-task: the task is retried after the claim lapses and completes once; the restarted worker stops the orphaned command",
          .enabled(if: PostgresStoreCLITests.serverTestsEnabled, "KILN_TEST_POSTGRES_URL is not set"))
    func killedWorker() async throws {
        let cli = try CLI()
        let store = ["--store", try PostgresStoreCLITests.storeURL()]
        let path = try cli.write("slow.yaml", """
            name: slow
            tasks:
              slow:
                retries: 1
                shell: if [ -f marker ]; then echo second >> runs.txt; else touch marker; echo first >> runs.txt; echo $$ > slow.tmp && mv slow.tmp slow.pid; exec sleep 300; fi
              after:
                needs: [slow]
                uses: noop
            """)
        let serve = try serve(cli, store: store)
        defer { serve.stop() }
        let doomed = try worker(cli, "w1", store: store)
        let follow = try Background(cli, ["run", "--remote", path] + store, name: "follow")
        let pidFile = cli.scratch.appendingPathComponent("slow.pid").path
        #expect(await CLI.waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: pidFile) })
        let sleeper = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(-sleeper, SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))  // the claim records the command's process group
        kill(doomed.process.processIdentifier, SIGKILL)
        doomed.process.waitUntilExit()
        #expect(kill(sleeper, 0) == 0, "the command outlives its killed worker")
        // The claim lapses after 2 s: the owner counts the attempt as failed and queues attempt 2.
        try await Task.sleep(for: .seconds(3))
        let restarted = try worker(cli, "w1", store: store)
        defer { restarted.stop() }
        #expect(await CLI.waitUntil(seconds: 20) { !follow.process.isRunning }, "the run did not finish")
        follow.process.waitUntilExit()
        #expect(follow.process.terminationStatus == 0, "\(follow.output)")
        #expect(follow.output.contains("stopped heartbeating"), "\(follow.output)")
        #expect(try String(contentsOfFile: cli.scratch.appendingPathComponent("runs.txt").path, encoding: .utf8) == "first\nsecond\n")
        #expect(await CLI.waitUntil(seconds: 5) { kill(sleeper, 0) != 0 }, "the orphaned command still runs: \(restarted.output)")
        #expect(restarted.output.contains("Stopped commands left by lapsed claims") || restarted.output.contains("dead worker"),
                "\(restarted.output)")
    }

    @Test("kiln serve stopped (SIGTERM) or killed (SIGKILL) mid-run: the task a worker runs goes on, the next serve adopts it, every task runs once",
          arguments: SchedulerSignalTests.stores, ["SIGTERM", "SIGKILL"])
    func serveRestartKeepsWorkersTasks(_ kind: String?, _ signal: String) async throws {
        let cli = try CLI()
        let store = kind == nil
            ? ["--store", "sqlite:" + cli.home.appendingPathComponent("kiln.db").path]
            : ["--store", try PostgresStoreCLITests.storeURL()]
        let path = try cli.write("long.yaml", """
            name: long
            tasks:
              train:
                shell: echo started >> runs.txt; while [ ! -f release ]; do sleep 0.05; done; echo finished >> runs.txt
              report:
                needs: [train]
                shell: echo report >> runs.txt
            """)
        let arguments = ["serve", "--no-local-workers", "--http", "off", "--tick", "200ms", "--grace", "100ms",
                         cli.scratch.appendingPathComponent("none").path] + store
        let first = try Background(cli, arguments, name: "serve-1")
        let worker = try worker(cli, "w1", store: store)
        defer { worker.stop() }
        let follow = try Background(cli, ["run", "--remote", path] + store, name: "follow")
        let runs = cli.scratch.appendingPathComponent("runs.txt")
        func lines() -> String { (try? String(contentsOf: runs, encoding: .utf8)) ?? "" }
        #expect(await CLI.waitUntil(seconds: 20) { lines() == "started\n" }, "\(follow.output)")
        // `kiln show` says where the running task runs (once serve has stored its start).
        let id = try #require(try (try await cli.run(["runs", "--json"] + store).json() as? [[String: Any]])?.first?["id"] as? String)
        var held: [String: Any]?
        _ = await CLI.waitUntil(seconds: 20) {
            let shown = try? await cli.run(["show", id, "--json"] + store).json() as? [String: Any]
            held = ((shown?["tasks"] as? [String: Any])?["train"] as? [String: Any])?["worker"] as? [String: Any]
            return held != nil
        }
        #expect(held?["name"] as? String == "w1" && held?["host"] as? String == RunOwner.thisHost,
                "\(String(describing: held))")
        #expect(try await cli.run(["show", id] + store).stdout.contains("on worker w1 (pid"))
        if signal == "SIGKILL" {
            // Its run stays `running` under a lease of a process that is gone: the next serve on this host takes it.
            kill(first.process.processIdentifier, SIGKILL)
            first.process.waitUntilExit()
        } else {
            first.stop()  // the task does not end within the grace: the run is handed over
            #expect(first.output.contains("handing runs over"), "\(first.output)")
        }
        #expect(lines() == "started\n")
        #expect(follow.process.isRunning, "the follower stopped with the first serve: \(follow.output)")
        let listed = try await cli.run(["runs", "--json"] + store)
        let run = try #require((try listed.json() as? [[String: Any]])?.first)
        // Killed, it may not have stored the run's start yet (it goes with a commit of task changes), nor the task's.
        let states: Set<String> = signal == "SIGKILL" ? ["running", "queued"] : ["queued"]
        #expect(states.contains(run["state"] as? String ?? ""), "\(run)")

        let second = try Background(cli, arguments, name: "serve-2")
        defer { second.stop() }
        try await Task.sleep(for: .milliseconds(500))  // the second serve resumes the run and adopts `train`
        _ = FileManager.default.createFile(atPath: cli.scratch.appendingPathComponent("release").path, contents: nil)
        let ended = await CLI.waitUntil(seconds: 30) { !follow.process.isRunning }
        #expect(ended, "\(follow.output)\n\(second.output)")
        if !ended { follow.stop() }
        follow.process.waitUntilExit()
        #expect(follow.process.terminationStatus == 0, "\(follow.output)")
        #expect(lines() == "started\nfinished\nreport\n", "the tasks ran: \(lines())")
        let shown = try await cli.run(["show", try #require(run["id"] as? String), "--json"] + store)
        let tasks = try #require((try shown.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(tasks.mapValues { $0["attempts"] as? Int } == ["train": 1, "report": 1], "\(tasks)")
    }

    @Test("a runs_on: [gpu] task waits until a worker with that label appears, and only that worker runs it")
    func labelledTaskWaits() async throws {
        let cli = try CLI()
        let store = ["--store", "sqlite:" + cli.home.appendingPathComponent("kiln.db").path]
        let path = try cli.write("gpu.yaml", """
            name: gpu
            tasks:
              prepare: { uses: noop }
              train:
                needs: [prepare]
                runs_on: [gpu]
                shell: echo trained
            """)
        let serve = try serve(cli, store: store)
        let plain = try worker(cli, "cpu-1", store: store)
        defer {
            plain.stop()
            serve.stop()
        }
        let follow = try Background(cli, ["run", "--remote", path] + store, name: "follow")
        #expect(await CLI.waitUntil(seconds: 20) { follow.output.contains("waits for a worker with labels gpu") }, "\(follow.output)")
        try await Task.sleep(for: .seconds(1))
        #expect(follow.process.isRunning, "the run ended without a gpu worker: \(follow.output)")
        let gpu = try worker(cli, "gpu-1", store: store, extra: ["--labels", "gpu"])
        defer { gpu.stop() }
        #expect(await CLI.waitUntil(seconds: 20) { !follow.process.isRunning }, "\(follow.output)")
        follow.process.waitUntilExit()
        #expect(follow.process.terminationStatus == 0, "\(follow.output)")
        #expect(follow.output.contains("trained"))
        #expect(gpu.output.contains("task.id=train"), "\(gpu.output)")
        #expect(!plain.output.contains("task.id=train"), "\(plain.output)")
    }

    @Test("bad worker options are usage errors")
    func badOptions() async throws {
        let cli = try CLI()
        let labels = try await cli.run(["worker", "--labels", "GPU!"])
        #expect(labels.status == 2 && labels.stderr.contains("'GPU!' is not a label"), "\(labels.stderr)")
        let detach = try await cli.run(["run", "x.yaml", "--detach"])
        #expect(detach.status == 2 && detach.stderr.contains("--detach needs --remote"), "\(detach.stderr)")
    }
}
