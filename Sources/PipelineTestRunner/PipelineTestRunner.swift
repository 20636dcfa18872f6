import Foundation
import MLTasks
import PipelineEngine
public import PipelineModel
import Tabular

/// Runs the declared cases of a pipeline (unit and integration), each in its own ``Sandbox``.
///
/// ```swift
/// let cases = try PipelineTestFile.load(paths: PipelineTestFile.paths(for: path), plan: plan)
/// let runner = PipelineTestRunner(plan: plan, baseDirectory: folder, sandbox: configuration)
/// for testCase in cases { print(await runner.run(testCase).lines.joined(separator: "\n")) }
/// ```
public struct PipelineTestRunner: Sendable {
    /// The whole pipeline.
    public let plan: Plan
    /// The pipeline's folder: where tasks run and relative paths resolve.
    public let baseDirectory: String
    /// How each case's sandbox runs.
    public let sandbox: SandboxConfiguration

    /// Creates a runner.
    public init(plan: Plan, baseDirectory: String, sandbox: SandboxConfiguration) {
        self.plan = plan
        self.baseDirectory = baseDirectory
        self.sandbox = sandbox
    }

    /// Runs one case in a throwaway sandbox and checks its expectations. Never throws: a problem running the case
    /// (a sandbox that cannot be created, an input that cannot be staged) is reported as a failed check.
    public func run(_ testCase: PipelineTestCase) async -> CaseResult {
        let started = ContinuousClock.now
        var state: TaskState?
        let failures: [CaseResult.Failure]
        do {
            let sandbox = try Sandbox(configuration: self.sandbox)
            defer { sandbox.remove() }
            (failures, state) = try await run(testCase, in: sandbox)
        } catch {
            failures = [.init(check: "run", expected: "the case runs", actual: "\(error)")]
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return CaseResult(testCase: testCase, failures: failures, seconds: seconds, state: state)
    }

    private func run(_ testCase: PipelineTestCase, in sandbox: Sandbox) async throws -> ([CaseResult.Failure], TaskState?) {
        let selected = CasePipeline.selection(plan: plan, from: testCase.task, to: testCase.to)
        let commandInputs = CasePipeline.readByCommands(plan: plan, selected: selected)
        var upstream: [String: [String: JSONValue]] = [:]
        for (task, outputs) in testCase.upstream {
            for (key, value) in outputs {
                let file = commandInputs.contains(task) ? "\(task).\(key).csv" : nil
                upstream[task, default: [:]][key] = try await stage(value, in: sandbox, asFile: file)
            }
        }
        var with: [String: JSONValue] = [:]
        for (key, value) in testCase.with { with[key] = try await stage(value, in: sandbox) }
        let pipeline = CasePipeline.make(
            plan: plan, selected: selected, first: testCase.task, upstream: upstream, with: with)
        let isolated = sandbox.isolate(pipeline, extraEnvironment: ["KILN_TEST": testCase.layer]).pipeline
        let casePlan = try Plan(isolated)
        let result = try await sandbox.execute(casePlan, params: testCase.params, baseDirectory: baseDirectory)
        guard let record = result.task(testCase.checkedTask) else {
            return ([.init(check: "state", expected: "task '\(testCase.checkedTask)' runs", actual: "it is not in the run")], nil)
        }
        var checks = CaseChecks(expect: testCase.expect, record: record, sandbox: sandbox, baseDirectory: baseDirectory)
        let ranTasks = result.tasks.filter { selected.contains($0.taskID) }
        await checks.run(failedTasks: ranTasks.filter { $0.state == .failed })
        return (checks.failures, record.state)
    }

    /// A case's value as a task receives it: a table becomes a dataset artifact reference, a CSV fixture its path.
    ///
    /// With `asFile` (the value reaches a command task, which cannot read a dataset reference), a table is written
    /// as that CSV file under the sandbox's `inputs/` folder instead, and the task receives the file's path, as it
    /// would a `{ csv: file }` fixture's.
    func stage(_ value: TestValue, in sandbox: Sandbox, asFile: String? = nil) async throws -> JSONValue {
        switch value {
        case .literal(let json): return json
        case .csv(let path): return .string(path)
        case .table(let table) where asFile != nil:
            let path = sandbox.home + "/inputs/" + asFile!
            try FileManager.default.createDirectory(
                atPath: sandbox.home + "/inputs", withIntermediateDirectories: true)
            try CSVWriter().write(try TableFrames.frame(table), to: path)
            return .string(path)
        case .table(let table):
            return .string(try await Datasets.store(try TableFrames.frame(table), artifacts: sandbox.artifacts, what: "kiln test"))
        }
    }
}

/// The checks of one case on its finished task.
struct CaseChecks {
    let expect: TestExpectation
    let record: TaskRecord
    let sandbox: Sandbox
    let baseDirectory: String
    private(set) var failures: [CaseResult.Failure] = []

    init(expect: TestExpectation, record: TaskRecord, sandbox: Sandbox, baseDirectory: String) {
        self.expect = expect
        self.record = record
        self.sandbox = sandbox
        self.baseDirectory = baseDirectory
    }

    mutating func run(failedTasks: [TaskRecord]) async {
        if let text = expect.fails {
            checkFailure(text, failedTasks: failedTasks)
            return
        }
        let wanted = expect.state ?? .succeeded
        let actual = record.state == .cached ? TaskState.succeeded : record.state
        guard actual == wanted else {
            var details: [String] = []
            for task in failedTasks { details.append("\(task.taskID) failed: \(firstLines(task.error ?? ""))") }
            if record.state == .skipped, let reason = record.error { details.append("\(record.taskID): \(reason)") }
            failures.append(.init(check: "state of \(record.taskID)", expected: wanted.rawValue,
                                  actual: record.state.rawValue, details: details))
            return
        }
        guard wanted == .succeeded else { return }
        checkOutputs()
        if expect.readsDataset { await checkDataset() }
        if let scores = expect.scores { await checkScores(scores) }
    }

    private mutating func checkFailure(_ text: String, failedTasks: [TaskRecord]) {
        let failed = failedTasks.first { $0.taskID == record.taskID } ?? failedTasks.first
        guard let failed else {
            failures.append(.init(check: "failure of \(record.taskID)",
                expected: "fails with a message containing \"\(text)\"", actual: "\(record.state.rawValue) (nothing failed)"))
            return
        }
        let message = failed.error ?? ""
        if !message.contains(text) {
            failures.append(.init(check: "failure message of \(failed.taskID)", expected: "contains \"\(text)\"",
                                  actual: firstLines(message)))
        }
    }

    private mutating func checkOutputs() {
        let outputs = record.outputs ?? [:]
        for key in expect.outputs.keys.sorted() {
            let differences = ValueComparison.differences(
                expected: expect.outputs[key]!, actual: outputs[key], tolerance: expect.tolerance)
            guard !differences.isEmpty else { continue }
            let details = differences.count == 1 && differences[0].path.isEmpty ? [] : differences.prefix(10).map {
                "\(key)\($0.path.hasPrefix("[") || $0.path.isEmpty ? "" : ".")\($0.path): expected "
                    + "\(ValueComparison.show($0.expected)), actual \(ValueComparison.show($0.actual))"
            }
            var extra = details
            if outputs[key] == nil { extra.append("outputs are: \(outputs.keys.sorted().joined(separator: ", "))") }
            failures.append(.init(check: "outputs.\(key)", expected: ValueComparison.show(expect.outputs[key]),
                                  actual: ValueComparison.show(outputs[key]), details: extra + tolerance(differences)))
        }
    }

    private func tolerance(_ differences: [ValueComparison.Difference]) -> [String] {
        differences.contains { if case .number = $0.expected { return true } else { return false } }
            ? ["(numbers compare within tolerance \(expect.tolerance))"] : []
    }

    private mutating func checkDataset() async {
        let key = expect.dataset
        guard let reference = record.outputs?[key]?.stringValue else {
            failures.append(.init(check: "dataset output '\(key)'", expected: "a dataset reference",
                actual: ValueComparison.show(record.outputs?[key]),
                details: ["outputs are: \((record.outputs ?? [:]).keys.sorted().joined(separator: ", "))"]))
            return
        }
        let frame: DataFrame
        do {
            frame = try await Datasets.load(reference, artifacts: sandbox.artifacts, workingDirectory: baseDirectory,
                                            what: "kiln test: output '\(key)'")
        } catch {
            failures.append(.init(check: "dataset output '\(key)'", expected: "a readable dataset", actual: "\(error)"))
            return
        }
        if let rows = expect.rows, rows != frame.rowCount {
            failures.append(.init(check: "rows of \(key)", expected: "\(rows)", actual: "\(frame.rowCount)"))
        }
        let missing = expect.present.filter { !frame.contains(column: $0) }
        if !missing.isEmpty {
            failures.append(.init(check: "columns present in \(key)", expected: expect.present.joined(separator: ", "),
                actual: frame.columnNames.joined(separator: ", "), details: ["missing: \(missing.joined(separator: ", "))"]))
        }
        let unwanted = expect.absent.filter { frame.contains(column: $0) }
        if !unwanted.isEmpty {
            failures.append(.init(check: "columns absent from \(key)", expected: "none of \(expect.absent.joined(separator: ", "))",
                actual: frame.columnNames.joined(separator: ", "), details: ["present: \(unwanted.joined(separator: ", "))"]))
        }
        for check in expect.values {
            guard let column = frame[check.column] else {
                failures.append(.init(check: "values of \(check.column)", expected: ValueComparison.show(check.values),
                    actual: "no column '\(check.column)'", details: ["columns are: \(frame.columnNames.joined(separator: ", "))"]))
                continue
            }
            let actual = (0..<column.count).map { TableFrames.json(column[$0]) }
            var details: [String] = []
            if actual.count != check.values.count {
                details.append("expected \(check.values.count) rows, found \(actual.count)")
            }
            for (row, pair) in zip(check.values, actual).enumerated() {
                if !ValueComparison.differences(expected: pair.0, actual: pair.1, tolerance: expect.tolerance).isEmpty {
                    details.append("row \(row): expected \(ValueComparison.show(pair.0)), actual \(ValueComparison.show(pair.1))")
                }
            }
            guard !details.isEmpty else { continue }
            if details.count > 11 { details = Array(details.prefix(10)) + ["… \(details.count - 10) more rows differ"] }
            failures.append(.init(check: "values of \(check.column)", expected: ValueComparison.show(check.values),
                actual: ValueComparison.show(actual), details: details + ["(numbers compare within tolerance \(expect.tolerance))"]))
        }
    }

    private mutating func checkScores(_ scores: TestExpectation.Scores) async {
        let check = "scores of \(record.taskID).outputs.\(scores.model)"
        guard let reference = record.outputs?[scores.model]?.stringValue else {
            failures.append(.init(check: check, expected: "a model output '\(scores.model)'",
                actual: ValueComparison.show(record.outputs?[scores.model])))
            return
        }
        do {
            let path = reference.hasPrefix("sha256:") ? try await sandbox.artifacts.localPath(for: reference)
                : URL(fileURLWithPath: reference, relativeTo: URL(fileURLWithPath: baseDirectory + "/")).path
            let model = try ModelFile.load(path: path)
            let data: DataFrame
            switch scores.data {
            case .table(let table): data = try TableFrames.frame(table)
            case .csv(let file): data = try Datasets.read(path: file)
            case .literal(let value):
                guard let text = value.stringValue else {
                    failures.append(.init(check: check, expected: "data: a table or { csv: file }", actual: value.compactJSON))
                    return
                }
                data = try await Datasets.load(text, artifacts: sandbox.artifacts, workingDirectory: baseDirectory, what: check)
            }
            let values = try model.score(data)
            if values.count != data.rowCount {
                failures.append(.init(check: check, expected: "one score per input row (\(data.rowCount))", actual: "\(values.count) scores"))
            }
            let outside = values.enumerated().filter { !($0.element >= scores.min && $0.element <= scores.max) }
            if !outside.isEmpty {
                failures.append(.init(check: check, expected: "every score in [\(scores.min), \(scores.max)]",
                    actual: "\(outside.count) outside", details: outside.prefix(10).map { "row \($0.offset): \($0.element)" }))
            }
        } catch {
            failures.append(.init(check: check, expected: "the model scores the data", actual: "\(error)"))
        }
    }

    private func firstLines(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.prefix(6).joined(separator: "\n      ") + (lines.count > 6 ? " …" : "")
    }
}
