import ArgumentParser
import DeploymentTasks
import Foundation
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineTestRunner
import ServiceLifecycle

/// `kiln test FILE`: the pipeline's declared unit and integration cases, or a smoke run on sampled data
/// (`--smoke`), or a perf run on full data against a baseline (`--perf`) — each in a throwaway home.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", _superCommandName: "kiln",
        abstract: "Test a pipeline: its declared cases, a smoke run on a sample, or a perf run against a baseline.",
        discussion: """
            Cases come from PIPELINE.test.yaml and tests/*.yaml beside the pipeline (format: docs/testing.md). Every \
            case and run happens in a throwaway home with manual time: nothing reaches the real home, registry, \
            exported files or notification endpoints.
            Exit 0 all passed, 1 a case failed (or the smoke run failed, or perf regressed), 2 invalid pipeline or test \
            file, or usage, 130 interrupted (SIGINT/SIGTERM: running tasks are stopped and the sandbox removed).
            """)

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
    var file: String

    @OptionGroup(title: "Home (--smoke and --perf copy its model registry into the sandbox; it is only read)")
    var home: HomeOptions

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

    @Option(help: ArgumentHelp("Also write the case results as JUnit XML to FILE.", valueName: "file"))
    var junit: String?

    @Flag(help: "Run the whole pipeline on a sample of every dataset it extracts.")
    var smoke = false

    @Option(help: ArgumentHelp(
        "With --smoke: rows to keep of each extracted dataset, a count (1000) or a fraction (0.05). Default 0.1.",
        valueName: "n|fraction"))
    var sample: String?

    @Option(help: ArgumentHelp("With --smoke: the seed of the sample (default 0).", valueName: "s"))
    var seed: UInt64?

    @Flag(help: "Run the whole pipeline on full data and compare each task's time and peak memory with a baseline.")
    var perf = false

    @Option(help: ArgumentHelp(
        "With --perf: the baseline file (default PIPELINE.perf.json beside the pipeline); created on first use.",
        valueName: "file"))
    var baseline: String?

    @Option(help: ArgumentHelp("With --perf: the allowed increase over the baseline, e.g. 20% (default) or 0.2.",
                               valueName: "percent"))
    var tolerance: String?

    @Flag(help: "With --perf: write this run's figures to the baseline file.")
    var updateBaseline = false

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "With --smoke or --perf: override a param (repeatable), as for kiln run.", valueName: "name=value"))
    var params: [String] = []

    func validate() throws {
        if smoke && perf { throw ValidationError("--smoke and --perf are separate runs; pass one of them") }
        if !smoke && (sample != nil || seed != nil) { throw ValidationError("--sample and --seed go with --smoke") }
        if !perf && (baseline != nil || tolerance != nil || updateBaseline) {
            throw ValidationError("--baseline, --tolerance and --update-baseline go with --perf")
        }
        if (smoke || perf) && (!cases.isEmpty || junit != nil) {
            throw ValidationError("--case and --junit select and report declared cases; they do not go with --smoke or --perf")
        }
        if !smoke && !perf && !params.isEmpty {
            throw ValidationError("--param goes with --smoke or --perf; a case sets its params in the test file")
        }
        if let sample, DataSample.size(parsing: sample) == nil {
            throw ValidationError("--sample must be a row count ≥ 1 (1000) or a fraction between 0 and 1 (0.05), not '\(sample)'")
        }
        if let tolerance, PerfComparison.tolerance(parsing: tolerance) == nil {
            throw ValidationError("--tolerance must be a percentage such as 20% (or a fraction such as 0.2), not '\(tolerance)'")
        }
    }

    func run() async throws {
        let plan = try Execution.loadPlan(file)
        let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        var sandbox = SandboxConfiguration(
            kinds: { registry, artifacts in
                KindCatalog.kinds(registry: registry, artifacts: artifacts, legacyLedgerPath: nil)
            },
            milestone: DeploymentMilestones.event, environment: Execution.environment, start: SystemClock().now)
        let overrides = try Execution.parseParams(params)
        if smoke {
            sandbox.sample = DataSample(size: DataSample.size(parsing: sample ?? "0.1")!, seed: seed ?? 0)
        } else if perf {
            sandbox.parallelism = 1
            sandbox.measureMemory = true
        }
        // The work runs under the CLI's signal handling: the first SIGINT/SIGTERM cancels it, which stops the
        // running tasks (and their commands), removes every sandbox on the way out, and exits 130.
        let command = self, configuration = sandbox
        let work = WorkService { () async throws -> Bool in
            do {
                if command.smoke {
                    try await command.runSmoke(plan, base: base, params: overrides, sandbox: configuration)
                } else if command.perf {
                    try await command.runPerf(plan, base: base, params: overrides, sandbox: configuration)
                } else {
                    try await command.runCases(plan, base: base, sandbox: configuration)
                }
            } catch where Task.isCancelled {
                return true
            }
            return Task.isCancelled
        }
        try await Lifecycle.run(
            [.init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "test")],
            interruptMessage: "\ninterrupted: stopping kiln test and removing its sandbox (Ctrl-C again to quit at once)",
            logger: Lifecycle.logger, beforeForcedExit: { Sandbox.removeAll() })
        if try work.value() {
            Terminal.err("kiln test: interrupted; nothing was reported")
            throw ExitCode(130)
        }
    }

    // MARK: Cases

    private func runCases(_ plan: Plan, base: String, sandbox: SandboxConfiguration) async throws {
        let paths = PipelineTestFile.paths(for: file)
        guard !paths.isEmpty else {
            Terminal.error("no test file for \(file): write \(Self.testFileName(file)) or tests/*.yaml beside it "
                + "(see docs/testing.md), or run kiln test --smoke")
            throw ExitCode(2)
        }
        var selected: [PipelineTestCase]
        do {
            selected = try PipelineTestFile.load(paths: paths, plan: plan)
        } catch {
            Terminal.err("\(error)")
            let count = error.diagnostics.count
            Terminal.err("\(paths.joined(separator: ", ")): \(count) problem\(count == 1 ? "" : "s") found; no case was run")
            throw ExitCode(2)
        }
        if !cases.isEmpty {
            let names = Set(selected.map(\.name))
            for name in cases where !names.contains(name) {
                Terminal.error("no case '\(name)'\(Suggestion.hint(for: name, in: names)); the cases are: "
                    + selected.map(\.name).joined(separator: ", "))
                throw ExitCode(2)
            }
            selected = selected.filter { cases.contains($0.name) }
        }
        let runner = PipelineTestRunner(plan: plan, baseDirectory: base, sandbox: sandbox)
        var results: [CaseResult] = []
        for testCase in selected {
            let result = await runner.run(testCase)
            if Task.isCancelled { return }
            Terminal.out(result.lines.joined(separator: "\n"))
            results.append(result)
        }
        let failed = results.filter { !$0.passed }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        Terminal.out("\(results.count - failed) passed, \(failed) failed (\(results.count) case\(results.count == 1 ? "" : "s") in "
            + "\(CaseResult.format(total)))")
        if let junit {
            do {
                try JUnitReport.write(JUnitReport.xml(pipeline: plan.pipeline.name, results: results), to: junit)
            } catch {
                Terminal.error("cannot write the JUnit report to \(junit): \(error); check that its folder exists")
                throw ExitCode(1)
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    // MARK: Smoke

    private func runSmoke(_ plan: Plan, base: String, params: [String: JSONValue], sandbox configuration: SandboxConfiguration) async throws {
        let sample = configuration.sample!
        try await reportingErrors { try await quietOnceInterrupted {
            let sandbox = try Sandbox(configuration: configuration)
            defer { sandbox.remove() }
            try await copyRegistry(into: sandbox)
            let (pipeline, redirections) = sandbox.isolate(plan.pipeline, extraEnvironment: [
                "KILN_SAMPLE": "\(sample)", "KILN_SAMPLE_SEED": "\(sample.seed)", "KILN_TEST": "smoke",
            ])
            let result = try await sandbox.execute(
                try Plan(pipeline), params: params, baseDirectory: base,
                events: ProgressPrinter(live: Terminal.stderrIsTTY, showLogs: false))
            if Task.isCancelled { return }
            let report = SmokeReport(result: result, pipeline: plan.pipeline, redirections: redirections, sample: sample)
            Terminal.out(report.lines.joined(separator: "\n"))
            if !report.passed { throw ExitCode(1) }
        } }
    }

    // MARK: Perf

    private func runPerf(_ plan: Plan, base: String, params: [String: JSONValue], sandbox configuration: SandboxConfiguration) async throws {
        let path = baseline ?? Self.baselineName(file)
        let allowed = tolerance.flatMap(PerfComparison.tolerance(parsing:)) ?? 0.2
        try await reportingErrors { try await quietOnceInterrupted {
            let reference: PerfBaseline?
            do {
                reference = try PerfBaseline.load(path: path)
            } catch {
                throw CLIError("\(error)", exitCode: 2)
            }
            let sandbox = try Sandbox(configuration: configuration)
            defer { sandbox.remove() }
            try await copyRegistry(into: sandbox)
            let (pipeline, redirections) = sandbox.isolate(plan.pipeline, extraEnvironment: ["KILN_TEST": "perf"])
            let result = try await sandbox.execute(
                try Plan(pipeline), params: params, baseDirectory: base,
                events: ProgressPrinter(live: Terminal.stderrIsTTY, showLogs: false))
            if Task.isCancelled { return }
            for redirection in redirections { Terminal.err("kiln test: redirected \(redirection)") }
            guard result.run.state == .succeeded || result.run.state == .waiting else {
                let failed = result.tasks.filter { $0.state == .failed }
                for task in failed { Terminal.err("\(task.taskID) failed: \(task.error ?? "")") }
                throw CLIError("perf: the run \(result.run.state.rawValue); no figures were compared or recorded", exitCode: 1)
            }
            let comparisons = PerfComparison.compare(
                result.measurements, with: reference, tolerance: allowed, order: plan.pipeline.tasks.map(\.id))
            let rows = comparisons.map { comparison -> [String] in
                [
                    comparison.task, PerfComparison.seconds(comparison.current.seconds),
                    comparison.baseline.map { PerfComparison.seconds($0.seconds) } ?? "-",
                    comparison.current.peakBytes.map(PerfComparison.bytes) ?? "-",
                    comparison.baseline?.peakBytes.map(PerfComparison.bytes) ?? "-",
                    comparison.regressions.isEmpty ? (comparison.baseline == nil ? "new" : "ok") : "REGRESSED",
                ]
            }
            Terminal.out(Terminal.table(["task", "time", "baseline", "peak memory", "baseline", ""], rows))
            let regressions = comparisons.flatMap(\.regressions)
            if reference == nil || updateBaseline {
                var recorded = PerfBaseline(pipeline: plan.pipeline.name, measurements: result.measurements)
                if let reference, updateBaseline {
                    recorded.tasks = reference.tasks.merging(recorded.tasks) { _, new in new }
                }
                do {
                    try recorded.save(path: path)
                } catch {
                    throw CLIError("cannot write the baseline \(path): \(error)", exitCode: 1)
                }
                Terminal.out(reference == nil ? "perf: baseline recorded in \(path)" : "perf: baseline updated in \(path)")
                return
            }
            guard regressions.isEmpty else {
                for line in regressions { Terminal.out("perf: regression: \(line)") }
                Terminal.out("perf: \(regressions.count) regression\(regressions.count == 1 ? "" : "s") beyond "
                    + "\(Int((allowed * 100).rounded())) %; if expected, record the new figures with --update-baseline")
                throw ExitCode(1)
            }
            Terminal.out("perf: every task within \(Int((allowed * 100).rounded())) % of \(path)")
        } }
    }

    /// Starts the sandbox's registry as a copy of the real home's (read-only), so that `NAME@production` resolves in a
    /// smoke or perf run as in a real one.
    private func copyRegistry(into sandbox: Sandbox) async throws {
        if case .postgres = try home.storeLocation() {
            Terminal.err("kiln test: the sandbox registry is copied from the SQLite database in \(home.directory); "
                + "a PostgreSQL --store (or KILN_STORE) is not read by kiln test")
        }
        let versions: Int
        do {
            versions = try await sandbox.copyRegistry(fromHome: home.directory, artifacts: try home.artifactStore)
        } catch {
            throw CLIError("cannot copy the model registry of \(home.directory) into the sandbox: \(error); "
                + "point --home (or KILN_HOME) at a readable home", exitCode: 1)
        }
        if versions > 0 {
            Terminal.err("kiln test: the sandbox registry starts as a copy of \(home.directory)'s "
                + "(\(versions) model version\(versions == 1 ? "" : "s")); the real registry is not written")
        }
    }

    /// Runs `body`; once the command is interrupted, the errors of its cancelled run are not reported (the command
    /// says it was interrupted and exits 130).
    private func quietOnceInterrupted(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch where Task.isCancelled {
            return
        }
    }

    /// `pipeline.test.yaml` for `pipeline.yaml`.
    static func testFileName(_ file: String) -> String { stem(file) + ".test.yaml" }

    /// `pipeline.perf.json` beside `pipeline.yaml`.
    static func baselineName(_ file: String) -> String { stem(file) + ".perf.json" }

    private static func stem(_ file: String) -> String {
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
        return file
    }
}
