import ArtifactStores
import BoostedTrees
import ClassificationMetrics
import DataValidation
import DeploymentTasks
import DriftStatistics
import KilnHTTP
import KilnOperations
import PipelineTestRunner
import Reproduction
import Features
import Foundation
import Hummingbird
import LinearModels
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite
import PipelineStorePostgres
import PipelineTesting
import SQLiteData
import Tabular
import Testing

/// One error value and the lines a user reads.
struct Sample {
    var typeName: String
    var caseName: String?
    var messages: [String]

    init(_ error: any Error, case caseName: String? = nil) {
        typeName = String(reflecting: type(of: error))
        let mirror = Mirror(reflecting: error)
        self.caseName = caseName ?? (mirror.displayStyle == .enum ? mirror.children.first?.label : nil)
        // Errors that list several problems print one per line; each line is checked on its own.
        switch error {
        case let error as PipelineFileError: messages = error.diagnostics.map(\.description)
        case let error as PipelineValidationError: messages = error.issues.map(\.description)
        default: messages = ["\(error)"]
        }
    }
}

/// Samples of every error type: real failing calls where a user's input gets there, else values as the code makes them.
enum Catalogue {
    static func samples() throws -> [Sample] {
        var samples: [Sample] = []
        func add(_ error: (any Error)?, case caseName: String? = nil) {
            if let error { samples.append(Sample(error, case: caseName)) }
        }
        func caught(line: Int = #line, _ body: () throws -> Void) -> (any Error)? {
            do { try body() } catch { return error }
            Issue.record("Catalogue.swift:\(line): the call was expected to fail")
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-error-messages-\(getpid())-\(UUID().uuidString)").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let garbage = directory + "/garbage.bin"
        try Data("{\"not\": [1, 2".utf8).write(to: URL(fileURLWithPath: garbage))
        let frame = try DataFrame(columns: [Column(name: "x", doubles: [1, 2]), Column(name: "y", ints: [0, 1])])

        // PipelineModel: the texts of a pipeline file.
        add(caught { _ = try ExpressionParser.parse("tasks.a.outputs.f1 >> 0.9") })
        add(caught { _ = try Template("${{ params.x") })
        add(caught { _ = try Schedule.parse(cron: "61 * * * *", timeZone: nil) })
        add(caught { _ = try Schedule.parse(cron: "0 2 * * *", timeZone: "Mars/Olympus") })
        add(caught { _ = try Schedule.every("1.5h") })
        add(caught { _ = try DurationText.parse("10 minutes") })
        add(caught { _ = try DurationText.parse("40000d") })
        add(caught { _ = try Timestamp.parse("yesterday") })
        add(PipelineIssue("unknown task 'trian' in needs (did you mean 'train'?)", at: [.key("tasks"), .index(1)]))
        add(caught {
            _ = try Plan(Pipeline(name: "p", tasks: [TaskSpec(id: "a", needs: ["b"], action: .uses("noop", with: [:]))]), knownKinds: nil)
        })

        // PipelineFile.
        for text in ["tasks: [", "pipeline: p\ntasks:\n  - id: a\n    uses: noop\n    retires: 2\n", "a: &x [*x]\n", "\u{0}"] {
            add(caught { _ = try PipelineFile.planFrom(text: text, path: "pipeline.yaml", knownKinds: ["noop"]) })
        }
        add(caught { _ = try PipelineFile.loadPlan(path: directory + "/missing.yaml", knownKinds: nil) })
        add(caught { _ = try PipelineFile.loadPlan(path: garbage, knownKinds: nil) })
        add(caught { _ = try YAMLValues.parse("key: [unclosed") })
        add(caught { _ = try YAMLValues.parse("a: 1\n  b: 2\n") })

        // Tabular.
        add(caught { _ = try CSVReader().read(bytes: []) })
        add(caught { _ = try CSVReader().read(bytes: Array("a\n".utf8) + [0xFF, 0x0A]) })
        add(caught { _ = try CSVReader().read(contentsOf: directory + "/missing.csv") })
        add(caught { _ = try CSVReader().read(contentsOf: "/dev/null") })
        add(caught { _ = try CSVReader(options: CSVReadOptions(limits: DataLimits(maxFileBytes: 4))).read(contentsOf: garbage) })
        add(TabularError.cancelled(path: "big.csv"))
        add(caught { try CSVWriter().write(frame, to: directory + "/no/such/folder/out.csv") })
        add(caught { try CSVWriter().write(frame, to: "/proc/version") })
        add(caught { _ = try CSVReader().read(contentsOf: directory + "/*.nothing") })
        add(caught { _ = try CSVReader().read(text: "a,b\n1\n") })
        add(caught { _ = try CSVReader().read(text: "a\n\"x\n") })
        add(caught { _ = try CSVReader().read(text: "a\n\"x\"y\n") })
        add(caught { _ = try CSVReader().read(text: "a,a\n1,2\n") })
        add(caught { _ = try CSVReader(options: CSVReadOptions(typeOverrides: ["a": .int])).read(text: "a\nx\n") })
        add(caught { _ = try CSVReader(options: CSVReadOptions(typeOverrides: ["z": .int])).read(text: "a\n1\n") })
        add(TabularError.headerMismatch(path: "part-2.csv", expected: ["a", "b"], found: ["a", "c"]))
        add(caught { _ = try frame.column("z") })
        add(caught { _ = try DataFrame(columns: [Column(name: "x", ints: [1]), Column(name: "x", ints: [2])]) })
        add(caught { _ = try DataFrame(columns: [Column(name: "x", ints: [1]), Column(name: "y", ints: [1, 2])]) })
        add(TabularError.rowIndexOutOfRange(index: 7, rowCount: 2))
        add(TabularError.typeMismatch(column: "x", expected: .int, actual: .string))
        add(TabularError.schemaMismatch(detail: "column 'x' is int in one frame and string in the other"))
        add(caught { _ = try DataFrame(binaryEncoded: Array("not a frame".utf8), path: "a.kdf") })
        var encoded = frame.binaryEncoded()
        add(caught { _ = try DataFrame(binaryEncoded: Array(encoded.prefix(20)), path: "a.kdf") })
        encoded[8] = 99
        add(caught { _ = try DataFrame(binaryEncoded: encoded, path: "a.kdf") })
        add(TabularError.binaryCorrupt(path: "a.kdf", detail: "trailer KILNEND1 missing at offset 120"))

        // Model files and numeric libraries.
        add(caught { _ = try ModelFile.load(path: directory + "/missing.json") })
        add(caught { _ = try ModelFile.load(path: garbage) })
        add(caught { _ = try ModelFile(jsonData: Data("{\"kind\": 3}".utf8)) })
        add(caught { _ = try BoostedTreesModel.load(from: Data("[1, 2".utf8)) })
        add(caught { _ = try BoostedTreesModel.load(from: Data("{\"format_version\": \"one\"}".utf8)) })
        add(caught { _ = try ValidationRules(json: Data("{\"columns\": 3}".utf8)) })
        add(caught { _ = try ValidationRules(json: Data("{".utf8)) })
        add(caught { _ = try FeaturePipeline(json: Data("{\"steps\": [{\"nope\": {}}]}".utf8)) })
        add(caught { _ = try FeaturePipeline(json: Data("[".utf8)) })
        for error: MetricsError in [
            .lengthMismatch(labels: 3, scores: 2), .invalidLabel(index: 1, value: 2),
            .nonFiniteScore(index: 0, value: .nan), .probabilityOutOfRange(index: 0, value: 1.5), .singleClass(presentClass: 1),
        ] { add(error, case: Self.caseName(error)) }
        for error: BoostingError in [
            .invalidFeatureMatrix("rows have different lengths"),
            .countMismatch(what: "labels", expected: 3, found: 2), .nonFiniteLabel(index: 0, value: .infinity),
            .invalidClassLabel(index: 2, value: 3), .singleClassLabels(presentClass: 0), .invalidWeight(index: 1, value: -1),
            .invalidParameter(name: "learning_rate", value: "0", expected: "in (0, 1]"), .unknownParameter(name: "depth"),
            .featureCountMismatch(expected: 3, found: 2), .featureNamesMismatch(index: 1, expected: "age", found: "agee"),
            .featureKindMismatch(name: "plan", modelIsCategorical: true), .unsupportedFormatVersion(found: 9, supported: 1),
            .malformedModel("trees[0] has no nodes"), .cancelled(round: 12),
        ] { add(error, case: Self.caseName(error)) }
        for error: LinearModelError in [
            .countMismatch(what: "labels", expected: 3, found: 2), .nonFiniteFeature(column: 1, row: 4),
            .invalidLabel(index: 0, value: 2), .singleClassLabels(presentClass: 1), .invalidWeight(index: 0, value: .nan),
            .invalidParameter(name: "l2", value: -1, expected: ">= 0"),
            .featureCountMismatch(expected: 2, found: 3), .malformedModel("format_version 9 is not supported (expected 1)"),
            .cancelled(iteration: 3),
        ] { add(error, case: Self.caseName(error)) }
        for error: DriftError in [
            .emptySample(column: "age", which: "reference"), .columnMismatch("column 'age' is missing from the current data"),
            .nonFiniteValue(column: "age", value: .infinity), .invalidOption("bins must be at least 2"),
        ] { add(error, case: Self.caseName(error)) }
        for error: FeatureError in [
            .notNumeric(transform: "standardize", column: "plan", type: .string),
            .notText(transform: "one_hot", column: "age", type: .double), .nothingToFit(transform: "standardize", column: "age"),
            .invalidBoundaries(column: "age", boundaries: [3, 1]), .outputExists(transform: "one_hot", column: "plan_basic"),
            .invalidFillValue(column: "age", type: .double, value: .string("x")),
            .missingState(transform: "standardize", column: "age", field: "mean"),
        ] { add(error, case: Self.caseName(error)) }
        // Cases without a payload: Mirror cannot name them.
        add(MetricsError.emptyInput, case: "emptyInput")
        add(BoostingError.emptyTrainingSet, case: "emptyTrainingSet")
        add(LinearModelError.emptyInput, case: "emptyInput")
        add(LinearModelError.singularHessian, case: "singularHessian")
        add(DriftError.cancelled, case: "cancelled")
        add(caught { _ = try SQLiteCount.count(file: directory + "/missing.db", query: "SELECT 1") })
        for error: SQLiteDataError in [.duplicateColumn("id"), .binaryColumn("blob"), .queryFailed("no such table: events")] {
            add(error, case: Self.caseName(error))
        }
        add(DriftComparisonError("the reference and current data share no numeric column; drift compares numeric columns"))
        add(ModelFileError("feature column 'age' is missing; columns are: income, plan"))

        // Engine, stores, registry, deployment.
        let run = RunID(rawValue: "20261206-101500-ab12")
        let owner = RunOwner(label: "kiln run", host: "build-1", pid: 4242, started: 1)
        let lease = RunLease(
            runID: run, owner: owner, epoch: 2, acquiredAt: Timestamp(millisecondsSince1970: 0),
            heartbeatAt: Timestamp(millisecondsSince1970: 1000), expiresAt: Timestamp(millisecondsSince1970: 61_000))
        for error: StateStoreError in [
            .duplicateRun(run), .duplicateIdempotencyKey("nightly-2026-12-06"),
            .conflict(run: run, task: "train", expected: .running, actual: .succeeded), .unknownRun(run), .leased(lease),
            .leaseLost(run, holder: lease), .leaseLost(run, holder: nil),
        ] { add(error, case: Self.caseName(error)) }
        add(ExecutionError.leaseLost(run, holder: lease))
        for error: PipelineExecutor.StartError in [
            .unknownParam("lr", known: ["learning_rate"]), .unknownRun(run), .alreadySucceeded(run),
            .notWaiting(run, task: "approve", waiting: []), .leased(lease),
        ] { add(error, case: Self.caseName(error)) }
        add(TaskFailure("train: params: learning_rate must be in (0, 1]"))
        add(caught { _ = try PredictionRows.frame([["amount": "high"]], schema: ["amount": .double]) })
        add(caught { _ = try PredictionLog(configuration: .init(home: "/nowhere")).feedback(model: "fraud", labels: [("t1", 1)], at: .earliest) })
        add(TaskSuspension(reason: "waiting for approval of 'deploy'"))
        add(ArtifactStoreError("artifact 'sha256:00ff' is missing from the artifact store"))
        add(caught { _ = try S3Configuration(location: "s3://team-artifacts/kiln", environment: [:]) })
        add(S3EmulatorError("moto did not start on port 5000 within 30 s (python3 -m moto.server)"))
        add(StoredValueError(column: "runs.params", value: "{", reason: "not valid JSON"))
        add(caught { _ = try PostgresStoreConfiguration(url: "postgres://kiln:secret@db.example/kiln?sslmode=maybe") })
        for error: PostgresStoreError in [
            .unreachable(host: "db.example", port: 5432, reason: "connection refused"),
            .refused(host: "db.example", port: 5432, database: "kiln", message: "password authentication failed for user \"kiln\""),
            .newerSchema(found: 3, known: 1),
            .statementFailed(operation: "commit a batch of run 20261206-1", sqlState: "53100", message: "could not extend file: No space left on device"),
            .connectionLost(operation: "store run 20261206-1", reason: "serverClosedConnection"),
            .unreadableValue(column: "runs.state", value: "paused", reason: "not a known RunState"),
        ] { add(error, case: Self.caseName(error)) }
        add(ConformanceFailure("createRun: expected RegistryError.unknownModel, got nothing"))
        let intent = DeploymentIntent(
            id: "d1", model: "churn", alias: "production", from: 1, to: 2, exportPath: "/srv/model.json", stagedPath: nil,
            backupPath: nil, hadPreviousFile: true, owner: DeploymentOwner(pid: 4242, processStart: nil), actor: "ci",
            startedAt: Timestamp(millisecondsSince1970: 0))
        for error: RegistryError in [
            .invalidModelName("Churn Model"), .invalidAliasName("prod!"), .invalidVersion(model: "churn", problem: "0 is not a version"),
            .unknownModel("churm"), .unknownVersion(model: "churn", version: 9, latest: 3),
            .unknownAlias(model: "churn", alias: "prod", aliases: ["production"]),
            .aliasConflict(model: "churn", alias: "production", expected: 1, actual: 2),
            .neverMoved(model: "churn", alias: "production"), .noPreviousVersion(model: "churn", alias: "production", current: 1),
            .idempotencyKeyReused(key: "k", existing: "churn v2", requested: "churn v3"), .invalidReference("churn@"),
            .deploymentInProgress(model: "churn", alias: "production", holder: intent),
            .deploymentLost(model: "churn", alias: "production"),
        ] { add(error, case: Self.caseName(error)) }
        add(DeploymentError("cannot create the folder /srv/models: Permission denied"))
        add(StateStoreError.alreadyDecided(run: run, task: "approve"), case: "alreadyDecided")
        add(OperationError(.conflict, "task 'deploy' of run 20261206-1 is not waiting for a decision; waiting: none"))
        add(Problem(.unauthorized, "the API token is wrong; send 'Authorization: Bearer TOKEN' with the token kiln serve was started with"))
        add(caught { _ = try KilnHTTPServer(address: try .parse("0.0.0.0:8080"), token: nil) })
        add(caught { _ = try KilnHTTPServer.Address.parse("localhost") })
        let baseline = directory + "/baseline.json"
        for text in ["{", "{\"format\": 3}", "{\"format\": \"other\", \"format_version\": 1, \"tasks\": {}}"] {
            try text.write(toFile: baseline, atomically: true, encoding: .utf8)
            add(caught { _ = try PerfBaseline.load(path: baseline) })
        }
        add(ReproductionError.badReference("fraud"), case: "badReference")
        add(ReproductionError.invalidSnapshot(run: "20261206-131502-a1b2c3", reason: "task 'train' needs 'split', which is not in the pipeline"),
            case: "invalidSnapshot")
        add(RowCountError("events.csv: cannot read (No such file or directory); check the path"))
        add(caught { _ = try RowCounter.timeout(of: DataRule(source: .path("x.csv"), newRows: 10, timeout: "soon")) })
        add(caught {
            _ = try RowCounter().count(.path("/dev/zero"), baseDirectory: directory, asOf: nil)
        })
        return samples
    }

    /// The case name of an enum value with a payload.
    static func caseName(_ error: some Error) -> String? { Mirror(reflecting: error).children.first?.label }
}
