import Foundation
import Testing

@Suite("kiln test", .serialized) struct TestCommandTests {
    static let pipeline = """
        name: ratios
        tasks:
          extract: { uses: extract-csv, with: { path: data.csv } }
          features:
            needs: [extract]
            uses: features
            with:
              data: "${{ tasks.extract.outputs.data }}"
              transforms: [ { ratio: { numerator: amount, denominator: count, as: amount_per_count } } ]
        """

    @Test("the fraud example's cases pass; --case picks one")
    func exampleCasesPass() async throws {
        let cli = try CLI()
        let example = CLI.root.appendingPathComponent("examples/fraud-detection/pipeline.yaml").path
        let result = try await cli.run(["test", example])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("PASS amount-ratio (unit: amount-features)"))
        #expect(result.stdout.contains("PASS split-train-evaluate (integration: split → evaluate)"))
        #expect(result.stdout.contains("7 passed, 0 failed"))
        #expect(!FileManager.default.fileExists(atPath: cli.home.path), "kiln test must not create the home")

        let one = try await cli.run(["test", example, "--case", "day-part-buckets"])
        #expect(one.status == 0)
        #expect(one.stdout.contains("1 passed, 0 failed"))
        let unknown = try await cli.run(["test", example, "--case", "amount-ration"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no case 'amount-ration' (did you mean 'amount-ratio'?)"))
    }

    @Test("a failing case prints its diff, exits 1 and is a <failure> in the JUnit file")
    func failingCase() async throws {
        let cli = try CLI()
        let path = try cli.write("ratios.yaml", Self.pipeline)
        try cli.write("ratios.test.yaml", """
            cases:
              good:
                task: features
                upstream: { extract: { data: { columns: [amount, count], rows: [[100, 5], [200, 10]] } } }
                expect: { values: { amount_per_count: [20.0, 20.0] } }
              bad:
                task: features
                upstream: { extract: { data: { columns: [amount, count], rows: [[100, 5], [200, 8]] } } }
                expect: { values: { amount_per_count: [20.0, 20.0] } }
            """)
        let junit = cli.scratch.appendingPathComponent("results.xml").path
        let result = try await cli.run(["test", path, "--junit", junit])
        #expect(result.status == 1)
        #expect(result.stdout.contains("PASS good (unit: features)"))
        #expect(result.stdout.contains("""
              values of amount_per_count:
                expected: [20.0, 20.0]
                actual:   [20.0, 25.0]
                row 1: expected 20.0, actual 25.0
            """))
        #expect(result.stdout.contains("1 passed, 1 failed"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<testsuite name="ratios" tests="2" failures="1""#))
        #expect(xml.contains(#"<testcase name="bad" classname="ratios.unit""#))
        #expect(xml.contains("row 1: expected 20.0, actual 25.0\n"))
        #expect(xml.contains("(numbers compare within tolerance 1e-09)</failure>"))
    }

    @Test("a broken test file is refused with located errors and exit 2; a missing one is named")
    func brokenTestFile() async throws {
        let cli = try CLI()
        let path = try cli.write("ratios.yaml", Self.pipeline)
        let missing = try await cli.run(["test", path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no test file for \(path): write \(cli.scratch.path)/ratios.test.yaml or tests/*.yaml"))
        let testPath = try cli.write("ratios.test.yaml", """
            cases:
              a:
                task: feature
                expect: { rows: 1 }
              b:
                task: features
                expect: { valeus: {} }
            """)
        let result = try await cli.run(["test", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(testPath):3:11: error: unknown task 'feature' (did you mean 'features'?)"))
        #expect(result.stderr.contains("\(testPath):7:15: error: unknown key 'valeus' in expect (did you mean 'values'?)"))
        #expect(result.stderr.contains("2 problems found; no case was run"))
        #expect(result.stdout.isEmpty)
    }

    @Test("--smoke runs on a sample and leaves production, the exported file and notification endpoints untouched")
    func smokeIsSandboxed() async throws {
        let cli = try CLI()
        let folder = cli.scratch.appendingPathComponent("fraud")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("examples/fraud-detection/config"), to: folder.appendingPathComponent("config"))
        let full = try String(contentsOf: CLI.root.appendingPathComponent("examples/fraud-detection/data/transactions.csv"), encoding: .utf8)
        let head = full.split(separator: "\n", omittingEmptySubsequences: false).prefix(2401).joined(separator: "\n") + "\n"
        try head.write(to: folder.appendingPathComponent("data/transactions.csv"), atomically: true, encoding: .utf8)

        let server = try await RecordingServer.start(in: cli)
        defer { server.stop() }
        let (requests, port) = (server.requests, server.port)

        var yaml = try String(contentsOf: CLI.root.appendingPathComponent("examples/fraud-detection/pipeline.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(
            of: "      export_to: build/serving/fraud-detection.json\n",
            with: "      export_to: build/serving/fraud-detection.json\n      on_deploy: [touch, hook-ran]\n")
        yaml += "notify:\n  - on: [success, deployed, failure]\n    webhook: { url: \"http://127.0.0.1:\(port)/hook\" }\n"
        let path = folder.appendingPathComponent("pipeline.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let gates = ["--param", "min_f1=0", "--param", "gate_f1=0"]

        // Production: a real run deploys version 1, exports the file, runs the hook and notifies.
        let real = try await cli.run(["run", path] + gates)
        #expect(real.status == 0, "\(real.stderr)")
        let exported = folder.appendingPathComponent("build/serving/fraud-detection.json").path
        let before = try Data(contentsOf: URL(fileURLWithPath: exported))
        let models = try await cli.run(["models", "show", "fraud-detection", "--json"]).stdout
        try FileManager.default.removeItem(at: folder.appendingPathComponent("hook-ran"))
        #expect(await CLI.waitUntil(seconds: 10) { ((try? String(contentsOfFile: requests, encoding: .utf8)) ?? "").split(separator: "\n").count >= 2 })
        let sent = try String(contentsOfFile: requests, encoding: .utf8)

        // The gate compares with production (v1, copied from the real registry); margin -1 lets the candidate deploy.
        let smoke = try await cli.run(["test", path, "--smoke", "--sample", "0.5", "--seed", "3", "--param", "margin=-1"] + gates)
        #expect(smoke.status == 0, "\(smoke.stdout)\(smoke.stderr)")
        #expect(smoke.stderr.contains("the sandbox registry starts as a copy of \(cli.home.path)'s (1 model version)"))
        #expect(smoke.stdout.contains("smoke: fraud-detection on a sample of every extracted dataset (--sample 0.5, seed 3)"))
        #expect(smoke.stdout.contains("smoke: run succeeded"))
        #expect(smoke.stdout.contains("deploy: export_to build/serving/fraud-detection.json → "))
        #expect(smoke.stdout.contains("deploy: on_deploy skipped (touch hook-ran)"))
        #expect(smoke.stdout.contains("notifications (captured, not sent):"))
        #expect(smoke.stdout.contains("deployed → webhook http://127.0.0.1"))
        #expect(smoke.stdout.contains("success → webhook http://127.0.0.1"))

        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("hook-ran").path))
        #expect(try await cli.run(["models", "show", "fraud-detection", "--json"]).stdout == models)
        #expect(try await cli.run(["runs", "--json"]).stdout.components(separatedBy: "\"id\"").count == 2)
        usleep(300_000)  // a delivery, had one been made, would have arrived by now
        #expect(try String(contentsOfFile: requests, encoding: .utf8) == sent)
    }

    @Test("--perf records a baseline, then flags an artificially slowed task naming both figures")
    func perfFlagsSlowTask() async throws {
        let cli = try CLI()
        let path = try cli.write("slow.yaml", """
            name: slow
            params: { delay: 0 }
            tasks:
              quick: { uses: noop }
              sleepy: { needs: [quick], run: [sleep, "${{ params.delay }}"] }
            """)
        let baseline = cli.scratch.appendingPathComponent("slow.perf.json").path
        let first = try await cli.run(["test", path, "--perf"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("perf: baseline recorded in \(path.dropLast(5)).perf.json"))
        let recorded = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: Any])
        let tasks = try #require(recorded["tasks"] as? [String: Any])
        #expect(Set(tasks.keys) == ["quick", "sleepy"])
        #expect((tasks["sleepy"] as? [String: Any])?["peak_rss_bytes"] != nil)

        let slowed = try await cli.run(["test", path, "--perf", "--param", "delay=1", "--tolerance", "20%"])
        #expect(slowed.status == 1, "\(slowed.stdout)\(slowed.stderr)")
        #expect(slowed.stdout.contains("perf: regression: sleepy: time 1."))
        #expect(slowed.stdout.contains("vs baseline 0.0"))
        #expect(!slowed.stdout.contains("regression: quick"))

        let updated = try await cli.run(["test", path, "--perf", "--param", "delay=1", "--update-baseline"])
        #expect(updated.status == 0)
        #expect(updated.stdout.contains("perf: baseline updated in"))
        let bad = try await cli.run(["test", path, "--perf", "--tolerance", "lots"])
        #expect(bad.status == 2)
    }

    @Test("SIGTERM during a slow case (SIGINT during a smoke run) stops its command, removes the sandbox folder and exits 130")
    func interruptRemovesSandbox() async throws {
        let cli = try CLI()
        let path = try cli.write("slow.yaml", """
            name: slow
            tasks:
              quick: { uses: noop }
              sleepy: { needs: [quick], shell: "echo $$ > slow.tmp && mv slow.tmp slow.pid; exec sleep 60" }
            """)
        try cli.write("slow.test.yaml", """
            cases:
              waits:
                task: sleepy
                expect: { state: succeeded }
            """)
        let temporary = cli.scratch.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let sandboxes = { try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0.hasPrefix("kiln-sandbox-") } }
        let process = try cli.start(["test", path], environment: ["TMPDIR": temporary.path])
        let pidFile = cli.scratch.appendingPathComponent("slow.pid").path
        #expect(await CLI.waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: pidFile) })
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(try sandboxes().count == 1, "the case runs in a sandbox under TMPDIR")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let left = try sandboxes()
        #expect(left.isEmpty, "the sandbox folder outlived the interrupt: \(left)")
        #expect(await CLI.waitUntil(seconds: 20) { kill(pid, 0) != 0 }, "the case's command still runs")

        // A smoke run stops the same way, on Ctrl-C.
        try FileManager.default.removeItem(atPath: pidFile)
        let errors = Pipe()
        let smoke = try cli.start(["test", path, "--smoke"], stderr: errors, environment: ["TMPDIR": temporary.path])
        #expect(await CLI.waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: pidFile) })
        #expect(try sandboxes().count == 1)
        kill(smoke.processIdentifier, SIGINT)
        smoke.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(smoke.terminationStatus == 130, "\(stderr)")
        #expect(!stderr.contains("error:"), "\(stderr)")
        #expect(try sandboxes().isEmpty)

        // A command that ignores SIGTERM holds the graceful stop for its grace period; a second signal quits at once
        // and still removes the sandbox.
        let stubborn = try cli.write("stubborn.yaml", """
            name: stubborn
            tasks:
              sleepy: { shell: "trap '' TERM; echo $$ > stubborn.tmp && mv stubborn.tmp stubborn.pid; while :; do sleep 0.05; done" }
            """)
        let stubbornPid = cli.scratch.appendingPathComponent("stubborn.pid").path
        let forced = try cli.start(["test", stubborn, "--smoke"], environment: ["TMPDIR": temporary.path])
        #expect(await CLI.waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: stubbornPid) })
        let group = try #require(Int32((try? String(contentsOfFile: stubbornPid, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        defer { kill(-group, SIGKILL) }  // the command, orphaned by the forced exit
        #expect(try sandboxes().count == 1)
        kill(forced.processIdentifier, SIGTERM)
        usleep(200_000)
        kill(forced.processIdentifier, SIGTERM)
        forced.waitUntilExit()
        #expect(forced.terminationStatus == 130)
        #expect(try sandboxes().isEmpty, "a second signal left the sandbox folder behind")
    }

    @Test("--smoke resolves NAME@production from a read-only copy of the real registry, which stays byte-for-byte unchanged")
    func smokeReadsRealRegistry() async throws {
        let cli = try CLI()
        var csv = "x,label\n"
        for row in 0..<60 { csv += "\(row % 10),\(row % 10 >= 5 ? 1 : 0)\n" }
        try cli.write("data.csv", csv)
        let deployer = try cli.write("deployer.yaml", """
            name: deployer
            tasks:
              extract: { uses: extract-csv, with: { path: data.csv } }
              train: { needs: [extract], uses: train, with: { data: "${{ tasks.extract.outputs.data }}", label: label } }
              register:
                needs: [train]
                uses: register-model
                with: { name: scorer, model: "${{ tasks.train.outputs.model }}", metrics: { f1: 1 } }
              deploy: { needs: [register], uses: deploy, with: { name: scorer, version: "${{ tasks.register.outputs.version }}" } }
            """)
        let checker = try cli.write("checker.yaml", """
            name: checker
            tasks:
              extract: { uses: extract-csv, with: { path: data.csv } }
              score:
                needs: [extract]
                uses: evaluate
                with: { model: scorer@production, data: "${{ tasks.extract.outputs.data }}", label: label }
            """)
        let real = try await cli.run(["run", deployer])
        #expect(real.status == 0, "\(real.stderr)")
        let database = cli.home.appendingPathComponent("kiln.db")
        let files = { try FileManager.default.contentsOfDirectory(atPath: cli.home.path).sorted() }
        let snapshot = { try files().filter { $0.hasPrefix("kiln.db") }.map { try Data(contentsOf: cli.home.appendingPathComponent($0)) } }
        let (namesBefore, bytesBefore) = (try files(), try snapshot())
        #expect(FileManager.default.fileExists(atPath: database.path))

        let smoke = try await cli.run(["test", checker, "--smoke", "--sample", "1000"])
        #expect(smoke.status == 0, "\(smoke.stdout)\(smoke.stderr)")
        #expect(smoke.stdout.contains("smoke: run succeeded"))
        #expect(smoke.stderr.contains("the sandbox registry starts as a copy of"))
        // A smoke run that deploys again promotes v2 in the sandbox only.
        let redeploy = try await cli.run(["test", deployer, "--smoke", "--sample", "1000"])
        #expect(redeploy.status == 0, "\(redeploy.stdout)\(redeploy.stderr)")
        #expect(try files() == namesBefore)
        #expect(try snapshot() == bytesBefore, "the real registry's database changed")
        let models = try await cli.run(["models", "show", "scorer", "--json"]).stdout
        #expect(models.contains("\"production\""))
        #expect(!models.contains("\"version\" : 2") && !models.contains("\"version\":2"), "\(models)")
    }
}
