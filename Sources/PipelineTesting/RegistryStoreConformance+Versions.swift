import ModelRegistry
import PipelineModel

// Checks of registering and reading versions.
extension RegistryStoreConformance {
    static func versionsNumberPerModel(_ store: any RegistryStore) async throws {
        let full = try await store.register(fullNew("fraud"), idempotencyKey: "r1/register", at: start)
        try expectEqual(full, ModelVersion(fullNew("fraud"), version: 1, createdAt: start), "the first version of fraud")
        let churn = try await store.register(new("churn"), idempotencyKey: "r2/register", at: at(1))
        try expectEqual(churn.version, 1, "the first version of a second model")
        let second = try await store.register(new("fraud"), idempotencyKey: "r3/register", at: at(2))
        try expectEqual(second.version, 2, "the second version of fraud")
        try expectEqual(try await store.version(model: "fraud", number: 1), full, "version(model: fraud, number: 1)")
        try expectEqual(try await store.version(model: "fraud", number: 2), second, "version(model: fraud, number: 2)")
        try expectEqual(
            try await model(store, "fraud"),
            RegisteredModel(name: "fraud", versions: [full, second], aliases: [:], history: []), "model(named: fraud)")
        try expectEqual(try await store.register(new("churn"), idempotencyKey: "r4/register", at: at(3)).version, 2,
                        "the second version of churn")
    }

    static func idempotentRegister(_ store: any RegistryStore) async throws {
        let first = try await store.register(fullNew("fraud"), idempotencyKey: "run-1/register", at: start)
        var changed = new("fraud")
        changed.metrics = ["f1": 0.1]
        let again = try await store.register(changed, idempotencyKey: "run-1/register", at: at(60))
        try expectEqual(again, first, "register with a used idempotency key")
        try expectEqual(try await model(store, "fraud").versions, [first], "versions after registering a key twice")
        let next = try await store.register(changed, idempotencyKey: "run-2/register", at: at(61))
        try expectEqual(next.version, 2, "the version after a repeated key")
    }

    static func idempotencyKeyOfOtherModel(_ store: any RegistryStore) async throws {
        try await store.register(new("fraud"), idempotencyKey: "run-1/register", at: start)
        try await expectError(
            .idempotencyKeyReused(key: "run-1/register", existing: "fraud", requested: "churn"),
            "register of another model with a used key"
        ) { try await store.register(new("churn"), idempotencyKey: "run-1/register", at: at(1)) }
        try expectEqual(try await store.model(named: "churn"), nil, "model churn after a refused register")
    }

    static func invalidVersionIsRefused(_ store: any RegistryStore) async throws {
        try await expectError(.invalidModelName("fraud model"), "register with a space in the name") {
            try await store.register(new("fraud model"), idempotencyKey: "k1", at: start)
        }
        try await expectError(.invalidModelName("fraud@2"), "register with '@' in the name") {
            try await store.register(new("fraud@2"), idempotencyKey: "k2", at: start)
        }
        var badArtifact = new("fraud")
        badArtifact.artifact = "/models/fraud.pkl"
        var badMetric = new("fraud")
        badMetric.metrics = ["f1": .nan]
        var badUpstream = new("fraud")
        badUpstream.upstream = [UpstreamVersion(name: "embeddings", version: 0)]
        var noFingerprint = new("fraud")
        noFingerprint.dataFingerprint = ""
        for (index, version) in [badArtifact, badMetric, badUpstream, noFingerprint].enumerated() {
            do {
                _ = try await store.register(version, idempotencyKey: "bad-\(index)", at: start)
                throw ConformanceFailure("register of invalid version #\(index): expected invalidVersion, nothing was thrown")
            } catch RegistryError.invalidVersion(let model, _) {
                try expectEqual(model, "fraud", "the model named by invalidVersion")
            }
        }
        try expectEqual(try await store.models(), [], "models() after refused registrations")
        try expectEqual(
            try await store.register(new("fraud"), idempotencyKey: "bad-0", at: start).version, 1,
            "a valid version with the key of a refused one")
    }

    static func unknownReadsAsNothing(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 2)
        try expectEqual(try await store.model(named: "churn"), nil, "model(named:) of an unknown model")
        try expectEqual(try await store.version(model: "churn", number: 1), nil, "version(model:number:) of an unknown model")
        try expectEqual(try await store.version(model: "fraud", number: 3), nil, "version(model:number:) past the latest")
        try expectEqual(try await store.version(model: "fraud", number: 0), nil, "version(model:number:) 0")
        try expectEqual(try await store.aliasHistory(model: "churn"), [], "aliasHistory(model:) of an unknown model")
        try expectEqual(try await store.aliasHistory(model: "fraud"), [], "aliasHistory(model:) of a model never promoted")
    }

    static func modelsAreListed(_ store: any RegistryStore) async throws {
        try expectEqual(try await store.models(), [], "models() of an empty registry")
        let zeta = try await seed(store, "zeta", count: 1)
        let alpha = try await seed(store, "alpha", count: 3)
        let change = try await store.moveAlias(
            model: "alpha", alias: "production", to: 2, expectedFrom: nil, reason: "best f1", actor: "cli", at: at(10))
        try expectEqual(
            try await store.models(),
            [
                RegisteredModel(name: "alpha", versions: alpha, aliases: ["production": 2], history: [change]),
                RegisteredModel(name: "zeta", versions: zeta, aliases: [:], history: []),
            ],
            "models()")
    }
}
