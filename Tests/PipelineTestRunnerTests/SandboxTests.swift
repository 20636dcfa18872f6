import Foundation
import PipelineFile
import PipelineEngine
import ModelRegistry
import PipelineModel
import PipelineStoreSQLite
import PipelineTesting
import PipelineTestRunner
import Testing

@Suite("sandbox") struct SandboxTests {
    @Test("retries with delays complete at once on manual time, and timeouts do not fire while a task runs")
    func manualTime() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", """
            name: flaky
            tasks:
              flaky: { uses: fail, with: { times: 2 }, retries: 2, retry_delay: 1h, timeout: 1s }
              after: { needs: [flaky], uses: noop, timeout: 5m }
            """)
        let plan = try PipelineFile.loadPlan(path: path, knownKinds: Fixture.kindNames)
        let sandbox = try Sandbox(configuration: Fixture.sandbox)
        defer { sandbox.remove() }
        let start = sandbox.clock.now
        let result = try await sandbox.execute(plan, baseDirectory: fixture.folder.path)
        #expect(result.run.state == .succeeded)
        #expect(result.task("flaky")?.attempts == 3)
        #expect(result.measurements["flaky"]?.attempts == 3)
        // Two retry delays of an hour passed on the manual clock; no timeout of a second fired.
        #expect(start.duration(to: sandbox.clock.now) >= .seconds(7200))
    }

    @Test("export_to points into the sandbox, on_deploy is skipped, commands get the sandbox's KILN_HOME")
    func isolation() throws {
        let sandbox = try Sandbox(configuration: Fixture.sandbox)
        defer { sandbox.remove() }
        let pipeline = Pipeline(name: "p", tasks: [
            TaskSpec(id: "deploy", action: .uses("deploy", with: [
                "name": "m", "version": 1, "export_to": "build/serving/m.json", "on_deploy": ["./reload.sh", "--now"],
            ])),
            TaskSpec(id: "report", action: .shell("echo hi")),
        ])
        let (isolated, redirections) = sandbox.isolate(pipeline, extraEnvironment: ["KILN_SAMPLE": "0.05"])
        guard case .uses(_, let inputs) = isolated.tasks[0].action else {
            Issue.record("deploy is no longer a uses: task")
            return
        }
        #expect(inputs["export_to"] == .string("\(sandbox.home)/exports/deploy/m.json"))
        #expect(inputs["on_deploy"] == nil)
        #expect(redirections.map(\.description) == [
            "deploy: export_to build/serving/m.json → \(sandbox.home)/exports/deploy/m.json",
            "deploy: on_deploy skipped (./reload.sh --now)",
        ])
        #expect(isolated.tasks[1].env == ["KILN_HOME": sandbox.home, "KILN_SAMPLE": "0.05"])
    }

    @Test("a copied registry resolves NAME@production with its model file; the real home's files stay as they were")
    func copiedRegistry() async throws {
        let real = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-realhome-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: real) }
        // The real home stays open while the copy is made: its latest commits are still in the write-ahead log.
        let store = try SQLiteStateStore(path: SQLiteStateStore.defaultPath(home: real))
        let registry = ModelRegistryService(store: SQLiteRegistryStore(sharingDatabaseOf: store))
        let modelFile = real + "/model.json"
        try Data("{\"model\": 1}".utf8).write(to: URL(fileURLWithPath: modelFile))
        let artifact = try await LocalArtifactStore(root: real + "/artifacts").put(file: modelFile)
        let at = Timestamp(millisecondsSince1970: 1_764_979_200_000)
        for index in 1...2 {
            _ = try await registry.register(NewVersion(
                model: "m", metrics: ["f1": Double(index) / 10], artifact: artifact, dataFingerprint: "d", runID: "r\(index)",
                pipeline: "p", task: "register"), idempotencyKey: "r\(index)/register", at: at)
        }
        try await registry.promote("m", version: 1, actor: "cli", at: at)
        try await registry.promote("m", version: 2, actor: "cli", at: at)
        let files = { try FileManager.default.contentsOfDirectory(atPath: real).sorted() }
        let snapshot = { try files().filter { $0.hasPrefix("kiln.db") }.map { try Data(contentsOf: URL(fileURLWithPath: real + "/" + $0)) } }
        let (names, bytes) = (try files(), try snapshot())

        let sandbox = try Sandbox(configuration: Fixture.sandbox)
        defer { sandbox.remove() }
        #expect(try await sandbox.copyRegistry(fromHome: real) == 2)
        let production = try await sandbox.registry.resolve("m@production")
        #expect(production.version == 2)
        #expect(try await sandbox.registry.model("m").history.count == 2)
        #expect(FileManager.default.fileExists(atPath: try sandbox.artifacts.file(for: production.artifact)))
        try await sandbox.registry.promote("m", version: 1, actor: "test", at: at)
        #expect(try files() == names)
        #expect(try snapshot() == bytes, "the real home's database files changed")
        #expect(try await registry.resolve("m@production").version == 2)
        let empty = try Sandbox(configuration: Fixture.sandbox)
        defer { empty.remove() }
        #expect(try await empty.copyRegistry(fromHome: real + "/missing") == 0)
        #expect(!FileManager.default.fileExists(atPath: real + "/missing"))
    }

    @Test("a smoke sample keeps the same rows for the same seed, in their order")
    func sampling() {
        let sample = DataSample(size: .fraction(0.05), seed: 7)
        let rows = sample.indices(of: 20_000)
        #expect(rows.count == 1000)
        #expect(rows == rows.sorted())
        #expect(Set(rows).count == 1000)
        #expect(rows == DataSample(size: .fraction(0.05), seed: 7).indices(of: 20_000))
        #expect(rows != DataSample(size: .fraction(0.05), seed: 8).indices(of: 20_000))
        #expect(DataSample(size: .rows(50)).indices(of: 10) == Array(0..<10))
        #expect(DataSample(size: .fraction(0.01)).count(of: 3) == 1)
        #expect(DataSample.size(parsing: "1000") == .rows(1000))
        #expect(DataSample.size(parsing: "0.05") == .fraction(0.05))
        #expect(DataSample.size(parsing: "0") == nil)
        #expect(DataSample.size(parsing: "1.5") == nil)
    }
}

@Suite("perf comparison") struct PerfComparisonTests {
    @Test("a task slower than its baseline beyond the tolerance is named with both figures")
    func flagsRegression() {
        let baseline = PerfBaseline(pipeline: "p", tasks: [
            "fast": .init(seconds: 0.010, peakBytes: 40 << 20),
            "train": .init(seconds: 1.0, peakBytes: 100 << 20),
            "noisy": .init(seconds: 0.001, peakBytes: 40 << 20),
        ])
        let measured: [String: TaskMeasurement] = [
            "fast": .init(seconds: 0.011, peakBytes: 41 << 20),
            "train": .init(seconds: 1.5, peakBytes: 200 << 20),
            "noisy": .init(seconds: 0.004, peakBytes: 40 << 20),  // 4× but within the 100 ms noise floor
            "new": .init(seconds: 3, peakBytes: nil),
        ]
        let result = PerfComparison.compare(measured, with: baseline, tolerance: 0.2, order: ["fast", "train", "noisy", "new"])
        #expect(result.map(\.task) == ["fast", "train", "noisy", "new"])
        #expect(result[0].regressions.isEmpty)
        #expect(result[1].regressions == [
            "train: time 1.500 s vs baseline 1.000 s (+50 %, tolerance 20 %)",
            "train: peak memory 200.0 MiB vs baseline 100.0 MiB (+100 %, tolerance 20 %)",
        ])
        #expect(result[2].regressions.isEmpty)
        #expect(result[3].baseline == nil && result[3].regressions.isEmpty)
        #expect(PerfComparison.tolerance(parsing: "20%") == 0.2)
        #expect(PerfComparison.tolerance(parsing: "0.5") == 0.5)
        #expect(PerfComparison.tolerance(parsing: "-1%") == nil)
    }

    @Test("a baseline survives a save and load; a file that is not one is refused")
    func baselineFile() throws {
        let fixture = try Fixture()
        let path = fixture.folder.appendingPathComponent("p.perf.json").path
        #expect(try PerfBaseline.load(path: path) == nil)
        let baseline = PerfBaseline(pipeline: "p", tasks: ["a": .init(seconds: 0.5, peakBytes: 1 << 20)])
        try baseline.save(path: path)
        #expect(try PerfBaseline.load(path: path) == baseline)
        try fixture.write("p.perf.json", "{\"format\": \"other\"}")
        #expect(throws: PerfBaselineError.self) { try PerfBaseline.load(path: path) }
    }
}

@Suite("JUnit report") struct JUnitReportTests {
    @Test("one testcase per case, a failure holding the diff, text escaped")
    func xml() {
        let passing = CaseResult(
            testCase: PipelineTestCase(name: "ok", file: "p.test.yaml", line: 2, task: "a", expect: TestExpectation()),
            failures: [], seconds: 0.002, state: .succeeded)
        let failing = CaseResult(
            testCase: PipelineTestCase(name: "a<b", file: "p.test.yaml", line: 9, task: "a", to: "b", expect: TestExpectation()),
            failures: [.init(check: "outputs.rows", expected: "3.0", actual: "\"x & y\"")], seconds: 0.5, state: .succeeded)
        let xml = JUnitReport.xml(pipeline: "p", results: [passing, failing])
        #expect(xml.contains(#"<testsuite name="p" tests="2" failures="1""#))
        #expect(xml.contains(#"<testcase name="ok" classname="p.unit" file="p.test.yaml" line="2" time="0.002"/>"#))
        #expect(xml.contains(#"<testcase name="a&lt;b" classname="p.integration""#))
        #expect(xml.contains(#"<failure message="outputs.rows" type="assertion">  outputs.rows:"#))
        #expect(xml.contains("actual:   &quot;x &amp; y&quot;"))
    }
}
