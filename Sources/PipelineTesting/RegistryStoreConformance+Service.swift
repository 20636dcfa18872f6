import ModelRegistry
import PipelineModel

// Checks of promote, rollback and resolve (ModelRegistryService on the store).
extension RegistryStoreConformance {
    static func promoteChecksVersion(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 5)
        let registry = ModelRegistryService(store: store)
        let change = try await registry.promote("fraud", version: 4, reason: "f1 0.93", actor: "cli", at: at(10))
        try expectEqual(
            change,
            AliasChange(model: "fraud", alias: "production", from: nil, to: 4, at: at(10), reason: "f1 0.93", actor: "cli"),
            "promote with the default alias")
        try await registry.promote("fraud", version: 5, alias: "staging", actor: "cli", at: at(11))
        try expectEqual(try await model(store, "fraud").aliases, ["production": 4, "staging": 5], "aliases after promotions")
        try await expectError(.unknownVersion(model: "fraud", version: 7, latest: 5), "promote of an unknown version") {
            try await registry.promote("fraud", version: 7, actor: "cli", at: at(12))
        }
        try await expectError(.unknownModel("churn"), "promote of an unknown model") {
            try await registry.promote("churn", version: 1, actor: "cli", at: at(12))
        }
        try await expectError(.invalidAliasName("Prod"), "promote to an invalid alias") {
            try await registry.promote("fraud", version: 1, alias: "Prod", actor: "cli", at: at(12))
        }
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 2, "history after refused promotions")
    }

    static func rollbackRestoresPrevious(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 3)
        let registry = ModelRegistryService(store: store)
        try await registry.promote("fraud", version: 1, actor: "cli", at: at(10))
        try await registry.promote("fraud", version: 3, actor: "run r3/deploy", at: at(11))
        try await registry.promote("fraud", version: 2, alias: "staging", actor: "cli", at: at(12))
        let back = try await registry.rollback("fraud", reason: "alerts on 3", actor: "cli", at: at(13))
        try expectEqual(
            back,
            AliasChange(model: "fraud", alias: "production", from: 3, to: 1, at: at(13), reason: "alerts on 3", actor: "cli"),
            "rollback without a target")
        let undo = try await registry.rollback("fraud", actor: "cli", at: at(14))
        try expectEqual(
            undo,
            AliasChange(
                model: "fraud", alias: "production", from: 1, to: 3, at: at(14), reason: "rolled back from version 1",
                actor: "cli"),
            "a second rollback, with the default reason")
        try expectEqual(try await model(store, "fraud").aliases, ["production": 3, "staging": 2], "aliases after two rollbacks")
    }

    static func rollbackEdgeCases(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 4)
        let registry = ModelRegistryService(store: store)
        try await expectError(.neverMoved(model: "fraud", alias: "production"), "rollback of an alias never moved") {
            try await registry.rollback("fraud", actor: "cli", at: at(10))
        }
        try await registry.promote("fraud", version: 2, actor: "cli", at: at(10))
        try await expectError(
            .noPreviousVersion(model: "fraud", alias: "production", current: 2), "rollback of an alias its last move created"
        ) { try await registry.rollback("fraud", actor: "cli", at: at(11)) }
        let chosen = try await registry.rollback("fraud", to: 1, reason: "known good", actor: "cli", at: at(12))
        try expectEqual(chosen.from, 2, "from of a rollback to a chosen version")
        try expectEqual(chosen.to, 1, "to of a rollback to a chosen version")
        try await expectError(.unknownVersion(model: "fraud", version: 9, latest: 4), "rollback to an unknown version") {
            try await registry.rollback("fraud", to: 9, actor: "cli", at: at(13))
        }
        try await expectError(.unknownModel("churn"), "rollback of an unknown model") {
            try await registry.rollback("churn", actor: "cli", at: at(13))
        }
        try await registry.rollback("fraud", alias: "canary", to: 1, actor: "cli", at: at(14))
        try expectEqual(try await model(store, "fraud").aliases, ["production": 1, "canary": 1], "aliases after rollbacks")
    }

    static func resolveSyntax(_ store: any RegistryStore) async throws {
        let versions = try await seed(store, "recommendation", count: 3)
        try await seed(store, "fraud.eu-v2", count: 1)
        let registry = ModelRegistryService(store: store)
        try await registry.promote("recommendation", version: 2, actor: "cli", at: at(10))
        try await registry.promote("recommendation", version: 3, alias: "staging", actor: "cli", at: at(11))
        try await registry.promote("fraud.eu-v2", version: 1, alias: "canary-1", actor: "cli", at: at(11))
        try expectEqual(try await registry.resolve("recommendation"), versions[1], "resolve(recommendation)")
        try expectEqual(try await registry.resolve("recommendation@production"), versions[1], "resolve(@production)")
        try expectEqual(try await registry.resolve("recommendation@staging"), versions[2], "resolve(@staging)")
        try expectEqual(try await registry.resolve("recommendation@1"), versions[0], "resolve(@1)")
        try expectEqual(try await registry.resolve("fraud.eu-v2@canary-1").model, "fraud.eu-v2", "resolve(fraud.eu-v2@canary-1)")
        try expectEqual(
            try await registry.resolve(ModelReference(model: "recommendation", selector: .version(3))), versions[2],
            "resolve(ModelReference)")
    }

    static func resolveErrors(_ store: any RegistryStore) async throws {
        try await seed(store, "recommendation", count: 5)
        let registry = ModelRegistryService(store: store)
        for text in ["", "@production", "recommendation@", "recommendation@0", "a@b@c", "recommendation@Staging", "bad name"] {
            try await expectError(.invalidReference(text), "resolve('\(text)')") { try await registry.resolve(text) }
        }
        try await expectError(.unknownModel("ranking"), "resolve of an unknown model") {
            try await registry.resolve("ranking@production")
        }
        try await expectError(
            .unknownAlias(model: "recommendation", alias: "production", aliases: []), "resolve of a model never promoted"
        ) { try await registry.resolve("recommendation") }
        try await registry.promote("recommendation", version: 5, alias: "staging", actor: "cli", at: at(10))
        try await expectError(
            .unknownAlias(model: "recommendation", alias: "canary", aliases: ["staging"]), "resolve of an unknown alias"
        ) { try await registry.resolve("recommendation@canary") }
        try await expectError(.unknownVersion(model: "recommendation", version: 7, latest: 5), "resolve of an unknown version") {
            try await registry.resolve("recommendation@7")
        }
    }
}
