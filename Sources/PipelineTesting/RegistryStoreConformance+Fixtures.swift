import ModelRegistry
import PipelineModel

// Sample versions and the assertions the registry checks use.
extension RegistryStoreConformance {
    /// A base time with nanosecond digits, so stores that round timestamps fail.
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)

    /// `start` moved by `seconds`.
    static func at(_ seconds: Int64) -> Timestamp { start.adding(.seconds(seconds)) }

    /// A version of `model` with only the required fields.
    static func new(_ model: String, run: String = "20261129-020000-aaaaaa", task: String = "register") -> NewVersion {
        NewVersion(
            model: model, artifact: "sha256:\(String(repeating: "0", count: 63))1", dataFingerprint: "sha256:data",
            runID: run, pipeline: "nightly", task: task)
    }

    /// A version with every field set, including nested params, lineage and fractional metrics.
    static func fullNew(_ model: String) -> NewVersion {
        NewVersion(
            model: model, metrics: ["f1": 0.9123, "auc": 0.97, "rows": 120_000, "loss": -0.125],
            params: ["depth": 6, "lr": 0.05, "features": ["a", "b"], "nested": ["flag": true, "none": nil]],
            artifact: "sha256:9f2c" + String(repeating: "ab", count: 30),
            dataFingerprint: "sha256:41d0" + String(repeating: "cd", count: 30),
            runID: "20261129-020000-3fa2c1", pipeline: "nightly", task: "train-and-register", codeVersion: "git:4e1f9a2",
            upstream: [UpstreamVersion(name: "embeddings", version: 3), UpstreamVersion(name: "tokenizer", version: 1)])
    }

    /// Registers `count` versions of `model` with distinct keys, at `start + 1 s`, `+ 2 s`, …
    @discardableResult
    static func seed(_ store: any RegistryStore, _ model: String, count: Int) async throws -> [ModelVersion] {
        var versions: [ModelVersion] = []
        for index in 1...count {
            versions.append(try await store.register(
                new(model, run: "run-\(model)-\(index)"), idempotencyKey: "run-\(model)-\(index)/register",
                at: at(Int64(index))))
        }
        return versions
    }

    /// Moves `alias` of `model` through `store`, at `start + seconds`.
    @discardableResult
    static func move(
        _ store: any RegistryStore, _ model: String = "fraud", _ alias: String = "production", to version: Int?,
        expecting expectedFrom: Int?? = nil, reason: String? = nil, actor: String = "cli", at seconds: Int64
    ) async throws -> AliasChange {
        try await store.moveAlias(
            model: model, alias: alias, to: version, expectedFrom: expectedFrom, reason: reason, actor: actor,
            at: at(seconds))
    }

    // MARK: Assertions

    /// Throws when `actual` differs from `expected`.
    static func expectEqual<Value: Equatable>(_ actual: Value, _ expected: Value, _ what: String) throws {
        guard actual == expected else {
            throw ConformanceFailure("\(what): expected \(expected), got \(actual)")
        }
    }

    /// Throws unless `body` throws exactly `expected`.
    static func expectError<Result>(
        _ expected: RegistryError, _ what: String, _ body: () async throws -> Result
    ) async throws {
        do {
            _ = try await body()
        } catch let error as RegistryError {
            try expectEqual(error, expected, what)
            return
        } catch {
            throw ConformanceFailure("\(what): expected RegistryError.\(expected), got \(error)")
        }
        throw ConformanceFailure("\(what): expected RegistryError.\(expected), nothing was thrown")
    }

    /// The model `name`, or a failure when the store has none.
    static func model(_ store: any RegistryStore, _ name: String) async throws -> RegisteredModel {
        guard let model = try await store.model(named: name) else {
            throw ConformanceFailure("model(named: \(name)): expected the model, got nil")
        }
        return model
    }
}
