import Foundation
import LinearModels
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Synchronization
import Tabular
import Testing

/// The prediction log's bounds, and the online loop end to end: a registered model serves JSON rows, labels are fed
/// back, and the `drift:` and `performance:` rules read `predictions:NAME` and `feedback:NAME`.
@Suite("Online monitoring")
struct OnlineMonitoringTests {
    static let at = Timestamp(iso8601: "2026-12-06T10:00:00Z")!

    static func served(label: String = "y") -> ServedModel {
        let version = ModelVersion(
            NewVersion(model: "m", metrics: [:], artifact: "sha256:1", dataFingerprint: "sha256:d", runID: "r",
                       pipeline: "p", task: "t"),
            version: 1, createdAt: at)
        let file = ModelFile(
            label: label, features: [], inputSchema: [:], transform: nil,
            estimator: .logistic(LogisticRegressionModel(featureNames: [], means: [], scales: [], intercept: 0, coefficients: [], l2: 0,
                                       iterations: 0, converged: true)),
            training: ModelTrainingInfo(rows: 1, dataFingerprint: "sha256:d", params: [:], trainedAt: "2026-12-01T00:00:00Z"))
        return ServedModel(version: version, file: file)
    }

    func record(_ log: PredictionLog, ids: [String]) throws {
        let frame = try DataFrame(columns: [Column(name: "x", doubles: ids.indices.map(Double.init))])
        log.record(model: "m", served: Self.served(), frame: frame, ids: ids, scores: ids.map { _ in 0.25 }, at: Self.at)
    }

    func csvFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
    }

    @Test("files hold at most rowsPerFile rows, only the newest filesKept stay, and each is whole")
    func rotation() async throws {
        try await withTemporaryDirectory { home in
            let log = PredictionLog(configuration: .init(home: home, rowsPerFile: 3, filesKept: 2))
            try record(log, ids: (0..<10).map { "r\($0)" })
            let written = try log.flush(at: Self.at)
            #expect(written.count == 4)
            let folder = PredictionLog.predictionsFolder(home: home, model: "m")
            let kept = csvFiles(folder)
            #expect(kept.count == 2)
            #expect(kept == written.suffix(2).map { ($0 as NSString).lastPathComponent })
            let last = try CSVReader().read(contentsOf: folder + "/" + kept[1])
            #expect(last["request_id"]?.stringValues == ["r9"])
            #expect(last.columnNames == ["x", "request_id", "model_version", "score", "prediction", "predicted_at"])
            #expect(try CSVReader().read(contentsOf: folder + "/" + kept[0]).rowCount == 3)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).allSatisfy { $0.hasSuffix(".csv") },
                    "no temporary file is left")
            #expect(try log.flush(at: Self.at).isEmpty, "nothing is written twice")
        }
    }

    @Test("the server's flush, made in slices between yields, writes the same files as a flush at once")
    func slicedFlush() async throws {
        try await withTemporaryDirectory { home in
            let rows = PredictionLog.renderSlice * 2 + 7
            let ids = (0..<rows).map { "r\($0)" }
            let atOnce = PredictionLog(configuration: .init(home: home + "/a", rowsPerFile: PredictionLog.renderSlice + 3))
            let sliced = PredictionLog(configuration: .init(home: home + "/b", rowsPerFile: PredictionLog.renderSlice + 3))
            for log in [atOnce, sliced] {
                try record(log, ids: ids)
                #expect(try log.feedback(model: "m", labels: ids.map { ($0, 1) }, at: Self.at) == rows)
            }
            let expected = try atOnce.flush(at: Self.at)
            let writes = Mutex(0)
            let written = try await sliced.flush(at: Self.at) { write in
                writes.withLock { $0 += 1 }
                return try write()
            }
            #expect(writes.withLock { $0 } == 1)
            #expect(written.count == 6 && written.count == expected.count)
            for (a, b) in zip(expected, written) {
                #expect((a as NSString).lastPathComponent == (b as NSString).lastPathComponent)
                #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b), "\(b)")
            }
        }
    }

    @Test("rows beyond maxPendingRows are dropped and counted; feedback reaches only the last feedbackWindow rows")
    func bounds() async throws {
        try await withTemporaryDirectory { home in
            let log = PredictionLog(configuration: .init(home: home, maxPendingRows: 5, feedbackWindow: 3))
            try record(log, ids: ["a", "b", "c", "d"])
            try record(log, ids: ["e", "f"])
            #expect(log.droppedRows == 2)
            #expect(throws: PredictionError.self) { try log.feedback(model: "m", labels: [("a", 1)], at: Self.at) }
            #expect(try log.feedback(model: "m", labels: [("f", 1), ("e", 0)], at: Self.at) == 2)
            do {
                try log.feedback(model: "m", labels: [("d", 1), ("nope", 1)], at: Self.at)
                Issue.record("an unknown id must refuse the whole batch")
            } catch let error as PredictionError {
                #expect(error.kind == .notFound)
                #expect(error.message.hasPrefix("no logged prediction of model 'm' has request_id 'nope'"))
            }
            try log.flush(at: Self.at)
            let labelled = try DataFrame.concatRows(
                try CSVReader.files(matching: PredictionLog.feedbackFolder(home: home, model: "m")).map { try CSVReader().read(contentsOf: $0) })
            #expect(labelled["request_id"]?.stringValues == ["f", "e"], "the refused batch labelled nothing")
            #expect(labelled["y"]?.numericValues == [1, 0])
        }
    }

    @Test("sampling keeps about the rate's share, and the same ids every time")
    func sampling() async throws {
        try await withTemporaryDirectory { home in
            let log = PredictionLog(configuration: .init(home: home, sampleRate: 0.25))
            let ids = (0..<4000).map { "request-\($0)" }
            let kept = ids.filter(log.isSampled)
            #expect((800...1200).contains(kept.count), "\(kept.count) of 4000 at 0.25")
            #expect(kept == ids.filter(log.isSampled))
            #expect(ids.allSatisfy(PredictionLog(configuration: .init(home: home)).isSampled))
        }
    }

    @Test("predictions:NAME and feedback:NAME name the log folders under the home; other text is a path")
    func names() {
        #expect(MonitoringData.resolve("predictions:fraud", home: "/h") == "/h/predictions/fraud")
        #expect(MonitoringData.resolve("feedback:fraud", home: "/h") == "/h/feedback/fraud")
        #expect(MonitoringData.resolve("predictions:../x", home: "/h") == "predictions:../x")
        #expect(MonitoringData.resolve("data/in.csv", home: "/h") == "data/in.csv")
        #expect(MonitoringData.resolve("predictions:fraud", home: nil) == "predictions:fraud")
    }

    @Test("twenty concurrent first requests for a model load its version once")
    func firstRequestsShareOneLoad() async throws {
        let harness = MonitoringTriggerTests()
        try await withTemporaryDirectory { folder in
            _ = try await harness.trainAndRegister(in: folder)
            let artifacts = LocalArtifactStore(root: folder + "/artifacts")
            let runs = harness.store
            final class Count: Sendable { let value = Mutex(0) }
            let loads = Count()
            let models = ServedModels(registry: harness.registry) { version in
                loads.value.withLock { $0 += 1 }
                try await Task.sleep(for: .milliseconds(50))  // a slow load: the other requests arrive meanwhile
                return ServedModel(
                    version: version, file: try ModelFile.load(path: try await artifacts.localPath(for: version.artifact)),
                    transforms: try await LineageFeatures.transforms(for: version, runs: runs, artifacts: artifacts))
            }
            let versions = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await models.current("churn", alias: "production").version.reference } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(versions == Array(repeating: "churn@1", count: 20))
            #expect(loads.value.withLock { $0 } == 1)
            await #expect(throws: PredictionError.self) { try await models.current("nope", alias: "production") }
        }
    }

    @Test("served JSON rows are logged; feedback labels them; drift on predictions:NAME and performance on feedback:NAME fire")
    func loop() async throws {
        let harness = MonitoringTriggerTests()
        try await withTemporaryDirectory { folder in
            _ = try await harness.trainAndRegister(in: folder)
            let artifacts = LocalArtifactStore(root: folder + "/artifacts")
            let runs = harness.store
            let models = ServedModels(registry: harness.registry) { version in
                ServedModel(version: version, file: try ModelFile.load(path: try await artifacts.localPath(for: version.artifact)),
                            transforms: try await LineageFeatures.transforms(for: version, runs: runs, artifacts: artifacts))
            }
            let service = PredictionService(
                models: models, log: PredictionLog(configuration: .init(home: folder, rowsPerFile: 150)), clock: harness.clock)
            // Shifted raw rows (without the engineered column) sent as JSON, 50 per request.
            let shifted = try Datasets.read(path: try harness.shiftedCustomers(in: folder))
            var labels: [(id: String, label: JSONValue)] = []
            for start in stride(from: 0, to: shifted.rowCount, by: 50) {
                let indices = Array(start..<min(shifted.rowCount, start + 50))
                let rows = indices.map { row in
                    Dictionary(uniqueKeysWithValues: shifted.columns.filter { $0.name != "churned" }.map { ($0.name, Self.json($0[row])) })
                }
                let result = try await service.predict(model: "churn", rows: rows, ids: indices.map { "c\($0)" })
                #expect(result.version.reference == "churn@1")
                for index in indices.indices {
                    // The delayed label contradicts the model: performance must fall.
                    labels.append((result.ids[index], .number(Double(1 - result.predictions[index]))))
                }
            }
            #expect(try service.feedback(model: "churn", labels: labels) == shifted.rowCount)
            try await service.maintain()
            #expect(csvFiles(folder + "/predictions/churn").count == 3)

            let inputs = StoreTriggerInputs(
                registry: harness.registryStore, metrics: harness.registryStore,
                drift: ModelDriftEvaluator(registry: harness.registry, artifacts: artifacts, runs: runs, home: folder),
                performance: LabelledPerformance(registry: harness.registry, artifacts: artifacts, runs: runs, home: folder))
            let drift = try await harness.evaluate(
                TriggerSpec(drift: DriftRule(model: "churn", current: "predictions:churn", on: .predictions)), folder: folder,
                inputs: inputs)
            let driftVerdict = try #require(drift.verdicts.first { $0.type == "drift" })
            #expect(driftVerdict.fires, "\(driftVerdict.evidence)")
            #expect(driftVerdict.evidence.contains("400 rows vs 100 reference scores"), "\(driftVerdict.evidence)")

            let rule = PerformanceRule(model: "churn", metric: "accuracy", below: 0.5, window: "7d", minSamples: 100,
                                       data: "feedback:churn", timeColumn: "labelled_at")
            let performance = try await harness.evaluate(TriggerSpec(performance: rule), folder: folder, inputs: inputs)
            let verdict = try #require(performance.verdicts.first { $0.type == "performance" })
            #expect(verdict.fires, "\(verdict.evidence)")
            #expect(verdict.evidence.contains("400 labelled rows"), "\(verdict.evidence)")
        }
    }

    static func json(_ cell: CellValue) -> JSONValue {
        switch cell {
        case .null: return .null
        case .double(let value): return .number(value)
        case .int(let value): return .number(Double(value))
        case .string(let value): return .string(value)
        case .bool(let value): return .bool(value)
        }
    }
}
