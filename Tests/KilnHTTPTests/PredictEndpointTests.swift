import Foundation
import Hummingbird
import HummingbirdTesting
@testable import KilnHTTP
import LinearModels
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization
import Tabular
import Testing

/// A prediction service over the fixture's registry whose versions are logistic models on `amount` (double) and
/// `hour` (int): version N has intercept `N * 2 - 3`, so at amount 0 version 1 scores σ(-1) and version 2 σ(1) — a
/// response's score tells which version really scored it. Loading a version can be held at a gate.
final class PredictionFixture: Sendable {
    let api: APIFixture
    let service: PredictionService
    let home: String
    /// Versions whose load waits until ``release(_:)``.
    let held = Mutex<[Int: [CheckedContinuation<Void, Never>]]>([:])
    let holding = Mutex<Set<Int>>([])
    let loads = Mutex<[Int]>([])

    init(log: PredictionLog.Configuration? = nil) throws {
        let api = try APIFixture()
        self.api = api
        home = api.folder + "/home"
        let gate = GateBox()
        let models = ServedModels(registry: api.registry) { version in
            await gate.fixture?.waitIfHeld(version.version)
            gate.fixture?.loads.withLock { $0.append(version.version) }
            return ServedModel(version: version, file: Self.model(intercept: Double(version.version * 2 - 3)))
        }
        let ids = IDCounter()
        service = PredictionService(
            models: models, log: PredictionLog(configuration: log ?? .init(home: home)), clock: api.clock,
            makeID: { ids.next() })
        gate.fixture = self
    }

    /// The score version `version` gives amount `amount`.
    static func expectedScore(version: Int, amount: Double = 0) -> Double {
        1 / (1 + exp(-(Double(version * 2 - 3) + amount)))
    }

    static func model(intercept: Double) -> ModelFile {
        ModelFile(
            label: "is_fraud", features: ["amount"], inputSchema: ["amount": .double, "hour": .int], transform: nil,
            estimator: .logistic(LogisticRegressionModel(
                featureNames: ["amount"], means: [0], scales: [1], intercept: intercept, coefficients: [1], l2: 0,
                iterations: 1, converged: true)),
            training: ModelTrainingInfo(rows: 10, dataFingerprint: "sha256:data", params: [:], trainedAt: "2026-12-01T00:00:00Z"))
    }

    func hold(_ version: Int) { holding.withLock { _ = $0.insert(version) } }

    func release(_ version: Int) {
        let waiting = holding.withLock { held -> [CheckedContinuation<Void, Never>] in
            held.remove(version)
            return self.held.withLock { $0.removeValue(forKey: version) ?? [] }
        }
        waiting.forEach { $0.resume() }
    }

    func waitIfHeld(_ version: Int) async {
        await withCheckedContinuation { continuation in
            let wait = holding.withLock { holding in
                guard holding.contains(version) else { return false }
                held.withLock { $0[version, default: []].append(continuation) }
                return true
            }
            if !wait { continuation.resume() }
        }
    }

    /// Whether a load of `version` is waiting at the gate.
    func isWaiting(_ version: Int) -> Bool { held.withLock { !($0[version] ?? []).isEmpty } }

    func application() -> some ApplicationProtocol {
        var backend = api.backend
        backend.predictions = service
        return Application(router: KilnAPI.router(backend: backend, token: APIFixture.token))
    }

    func promote(_ version: Int) async throws {
        try await api.registry.promote("fraud", version: version, actor: "test", at: api.clock.now)
    }
}

/// Lets the loader closure reach the fixture created after it.
final class GateBox: @unchecked Sendable {  // set once in PredictionFixture.init before any load can run
    weak var fixture: PredictionFixture?
}

/// Request ids `id-1`, `id-2`, … .
final class IDCounter: Sendable {
    let value = Atomic<Int>(0)
    func next() -> String { "id-\(value.add(1, ordering: .relaxed).newValue)" }
}

@Suite("Prediction endpoint")
struct PredictEndpointTests {
    @Test("scores a single row object and a batch, naming the version and a request id per row")
    func scores() async throws {
        let fixture = try PredictionFixture()
        try await fixture.api.registerVersions(2)
        try await fixture.promote(1)
        try await fixture.application().test(.router) { client in
            let one = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": 0, "hour": 3, "request_id": "tx-1"}"#)
            #expect(one.status == .ok)
            #expect(one.body["model_version"] == "fraud@1")
            #expect(one.body["request_id"] == "tx-1")
            let row = try #require(one.body["predictions"]?.arrayValue?.first)
            #expect(row["request_id"] == "tx-1")
            #expect(abs((row["score"]?.numberValue ?? -1) - PredictionFixture.expectedScore(version: 1)) < 1e-12)
            #expect(row["prediction"] == 0)

            let batch = try await client.json(
                .post, "/v1/models/fraud/predict?alias=production",
                body: #"{"rows": [{"amount": 0, "hour": 1}, {"amount": 5, "hour": null, "merchant": "fuel"}]}"#)
            #expect(batch.status == .ok)
            let rows = try #require(batch.body["predictions"]?.arrayValue)
            #expect(rows.map { $0["request_id"] } == ["id-1-0", "id-1-1"])
            #expect(rows[1]["prediction"] == 1)
        }
    }

    @Test("request ids the server makes are distinct lowercase version-4 UUIDs")
    func requestIDs() throws {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = PredictionService.randomID()
            let uuid = try #require(UUID(uuidString: id), "\(id)")
            #expect(uuid.uuidString.lowercased() == id)
            let parts = id.split(separator: "-")
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
            #expect(parts[2].first == "4", "version 4: \(id)")
            #expect("89ab".contains(parts[3].first!), "variant 10: \(id)")
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test("the response text is the sorted-key compact JSON of the response document, escapes included")
    func responseText() throws {
        let version = ModelVersion(
            model: "fraud \"x\"", version: 12, metrics: [:], params: [:], artifact: "sha256:0", dataFingerprint: "",
            runID: "r", pipeline: "p", task: "t", codeVersion: nil, upstream: [], createdAt: Timestamp(nanosecondsSince1970: 0))
        for count in [0, 1, 3] {
            let result = PredictionService.Result(
                version: version, requestID: "req\\1", ids: (0..<count).map { "id-\($0)\n" },
                scores: (0..<count).map { [0.00027169408959653717, 1, 0.5][$0] }, predictions: (0..<count).map { $0 % 2 },
                threshold: 0.4638823319109989)
            let document: JSONValue = [
                "model": .string(version.model), "alias": "prod\tuction", "model_version": .string(version.reference),
                "version": .number(12), "request_id": .string(result.requestID), "threshold": .number(result.threshold),
                "predictions": .array(result.ids.indices.map { index in
                    ["request_id": .string(result.ids[index]), "score": .number(result.scores[index]),
                     "prediction": .number(Double(result.predictions[index]))]
                }),
            ]
            #expect(KilnAPI.predictText(model: version.model, alias: "prod\tuction", result: result) == JSONBody.encode(document))
        }
    }

    @Test("bad rows are 400 problems naming the column; unknown model 404; no production version 409")
    func refusals() async throws {
        let fixture = try PredictionFixture()
        try await fixture.application().test(.router) { client in
            let unknown = try await client.json(.post, "/v1/models/nope/predict", body: #"{"amount": 1, "hour": 1}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.contentType == "application/problem+json")
            #expect(unknown.body["detail"] == .string(RegistryError.unknownModel("nope").description))

            try await fixture.api.registerVersions(1)
            let unpromoted = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": 1, "hour": 1}"#)
            #expect(unpromoted.status == .conflict)
            #expect(unpromoted.body["detail"]?.stringValue?.contains("has no production version to serve") == true)

            try await fixture.promote(1)
            await fixture.service.models.refresh()
            let missing = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"rows": [{"amount": 1}]}"#)
            #expect(missing.status == .badRequest)
            #expect(missing.body["detail"]?.stringValue?.contains("column 'hour' is missing") == true)

            let partial = try await client.json(
                .post, "/v1/models/fraud/predict", body: #"{"rows": [{"amount": 1, "hour": 2}, {"amount": 1}]}"#)
            #expect(partial.status == .badRequest)
            #expect(partial.body["detail"]?.stringValue?.contains("row 2 lacks column 'hour'") == true)

            let wrongType = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": "high", "hour": 1}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.body["detail"] == #"column 'amount' must be a number (the model was trained on double): row 1 has "high""#)

            let fraction = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": 1, "hour": 1.5}"#)
            #expect(fraction.body["detail"]?.stringValue?.hasPrefix("column 'hour' must be a whole number") == true)

            let notRows = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"rows": {"amount": 1}}"#)
            #expect(notRows.status == .badRequest)
            let empty = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"rows": []}"#)
            #expect(empty.status == .badRequest)
            #expect(empty.body["detail"]?.stringValue?.hasPrefix("no rows to score") == true)
            let noToken = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": 1, "hour": 1}"#, token: nil)
            #expect(noToken.status == .unauthorized)
        }
    }

    @Test("hot swap: a promotion loads off the request path; no request fails; after the swap every response names the new version; a rollback swaps back")
    func hotSwap() async throws {
        let fixture = try PredictionFixture()
        try await fixture.api.registerVersions(2)
        try await fixture.promote(1)
        try await fixture.application().test(.router) { client in
            @Sendable func predict(_ index: Int) async throws -> Int {
                let answer = try await client.json(.post, "/v1/models/fraud/predict", body: #"{"amount": 0, "hour": 1}"#)
                #expect(answer.status == .ok, "request \(index) failed: \(answer.body)")
                let version = Int(answer.body["version"]?.numberValue ?? 0)
                let score = answer.body["predictions"]?.arrayValue?.first?["score"]?.numberValue ?? -1
                #expect(abs(score - PredictionFixture.expectedScore(version: version)) < 1e-12, "request \(index): score is not version \(version)'s")
                return version
            }
            #expect(try await predict(0) == 1)

            // Promote v2, and hold its load: requests go on with v1 meanwhile, and none waits for the load.
            fixture.hold(2)
            try await fixture.promote(2)
            let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask {
                    await fixture.service.models.refresh()
                    return []
                }
                group.addTask {
                    var seen: [Int] = []
                    while !fixture.isWaiting(2) { await Task.yield() }
                    try await withThrowingTaskGroup(of: Int.self) { requests in
                        for index in 1...40 { requests.addTask { try await predict(index) } }
                        for try await version in requests { seen.append(version) }
                    }
                    #expect(seen.allSatisfy { $0 == 1 }, "the new version was served before it was loaded")
                    // Release the load while 40 more requests are in flight: each ends on v1 or v2, none fails.
                    try await withThrowingTaskGroup(of: Int.self) { requests in
                        for index in 41...80 { requests.addTask { try await predict(index) } }
                        fixture.release(2)
                        for try await version in requests { seen.append(version) }
                    }
                    return seen
                }
                var all: [Int] = []
                for try await part in group { all += part }
                return all
            }
            #expect(versions.count == 80)
            #expect(Set(versions).isSubset(of: [1, 2]))
            // After the swap, every request is scored by v2.
            try await withThrowingTaskGroup(of: Int.self) { requests in
                for index in 81...120 { requests.addTask { try await predict(index) } }
                for try await version in requests { #expect(version == 2) }
            }
            #expect(fixture.loads.withLock { $0 } == [1, 2])

            // A rollback (as `kiln models rollback` in another process) moves it back at the next refresh.
            try await fixture.api.registry.rollback("fraud", actor: "test", at: fixture.api.clock.now)
            #expect(await fixture.service.models.refresh() == ["fraud@production: v2 → v1"])
            #expect(try await predict(121) == 1)
        }
    }

    @Test("feedback joins labels to logged predictions by request id; an unknown id is a 404 naming it")
    func feedback() async throws {
        let fixture = try PredictionFixture()
        try await fixture.api.registerVersions(1)
        try await fixture.promote(1)
        try await fixture.application().test(.router) { client in
            _ = try await client.json(
                .post, "/v1/models/fraud/predict", body: #"{"rows": [{"amount": 0, "hour": 1}, {"amount": 3, "hour": 2}], "ids": ["a", "b"]}"#)
            let unknown = try await client.json(.post, "/v1/models/fraud/feedback", body: #"{"request_id": "zzz", "label": 1}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.body["detail"]?.stringValue?.contains("request_id 'zzz'") == true)

            let one = try await client.json(.post, "/v1/models/fraud/feedback", body: #"{"request_id": "a", "label": 0}"#)
            #expect(one.status == .ok)
            #expect(one.body["labelled"] == 1)
            let batch = try await client.json(.post, "/v1/models/fraud/feedback", body: #"{"labels": [{"request_id": "b", "label": true}]}"#)
            #expect(batch.body["labelled"] == 1)
            let noLabel = try await client.json(.post, "/v1/models/fraud/feedback", body: #"{"request_id": "a"}"#)
            #expect(noLabel.status == .badRequest)
        }
        try await fixture.service.maintain()
        let labelled = try readFolder(PredictionLog.feedbackFolder(home: fixture.home, model: "fraud"))
        #expect(labelled.rowCount == 2)
        #expect(labelled["is_fraud"]?.numericValues == [0, 1])
        #expect(labelled["request_id"]?.stringValues == ["a", "b"])
        #expect(labelled["labelled_at"] != nil && labelled["score"] != nil)
        let logged = try readFolder(PredictionLog.predictionsFolder(home: fixture.home, model: "fraud"))
        #expect(logged.rowCount == 2)
        #expect(logged["model_version"]?.stringValues == ["fraud@1", "fraud@1"])
    }

    @Test("the OpenAPI description has the predict route with an open body")
    func described() async throws {
        let document = KilnAPI.openAPIDocument(version: "test")
        let operation = try #require(document["paths"]?["/v1/models/{name}/predict"]?["post"])
        #expect(operation["requestBody"]?["content"]?["application/json"]?["schema"]?["additionalProperties"] == true)
    }
}

/// Every CSV file of `folder`, in name order, as one frame.
func readFolder(_ folder: String) throws -> DataFrame {
    try DataFrame.concatRows(try CSVReader.files(matching: folder).map { try CSVReader().read(contentsOf: $0) })
}
