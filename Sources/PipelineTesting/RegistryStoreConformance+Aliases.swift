import ModelRegistry
import PipelineModel

// Checks of alias moves, their compare-and-set and their history.
extension RegistryStoreConformance {
    static func aliasMovesAreRecorded(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 3)
        let first = try await move(store, to: 1, expecting: .some(nil), reason: "first model", at: 10)
        try expectEqual(
            first,
            AliasChange(model: "fraud", alias: "production", from: nil, to: 1, at: at(10), reason: "first model", actor: "cli"),
            "the change that creates production")
        let staging = try await move(store, "fraud", "staging", to: 3, actor: "run r9/stage", at: 11)
        let second = try await move(
            store, to: 2, expecting: .some(1), reason: "f1 0.93 > 0.91", actor: "run 20261129-020000-3fa2c1/deploy", at: 12)
        try expectEqual(second.from, 1, "from of the second production move")
        try expectEqual(try await store.aliasHistory(model: "fraud"), [first, staging, second], "aliasHistory(model:)")
        let fraud = try await model(store, "fraud")
        try expectEqual(fraud.aliases, ["production": 2, "staging": 3], "aliases after three moves")
        try expectEqual(fraud.history, [first, staging, second], "history of model(named:)")
    }

    static func noOpMoveRecordsNothing(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 2)
        let first = try await move(store, to: 2, at: 10)
        let again = try await move(store, to: 2, expecting: .some(2), reason: "again", at: 11)
        try expectEqual(
            again,
            AliasChange(model: "fraud", alias: "production", from: 2, to: 2, at: at(11), reason: "again", actor: "cli"),
            "the change returned for a move to the current version")
        try expectEqual(try await store.aliasHistory(model: "fraud"), [first], "history after a move to the current version")
    }

    static func removingAlias(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 1)
        try await move(store, "fraud", "canary", to: 1, at: 10)
        let removal = try await move(store, "fraud", "canary", to: nil, expecting: .some(1), reason: "canary over", at: 11)
        try expectEqual(
            removal,
            AliasChange(model: "fraud", alias: "canary", from: 1, to: nil, at: at(11), reason: "canary over", actor: "cli"),
            "the change that removes an alias")
        try expectEqual(try await model(store, "fraud").aliases, [:], "aliases after removing the only one")
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 2, "history entries after create and remove")
        try await expectError(.unknownAlias(model: "fraud", alias: "canary", aliases: []), "removing a missing alias") {
            try await move(store, "fraud", "canary", to: nil, at: 12)
        }
    }

    static func compareAndSetConflict(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 3)
        try await move(store, to: 1, at: 10)
        // Another process moves production to 2 after this one read 1.
        try await move(store, to: 2, expecting: .some(1), actor: "run a/deploy", at: 11)
        let before = try await store.aliasHistory(model: "fraud")
        try await expectError(
            .aliasConflict(model: "fraud", alias: "production", expected: 1, actual: 2), "a move expecting a stale version"
        ) { try await move(store, to: 3, expecting: .some(1), actor: "run b/deploy", at: 12) }
        try await expectError(
            .aliasConflict(model: "fraud", alias: "staging", expected: 2, actual: nil), "a move expecting an absent alias"
        ) { try await move(store, "fraud", "staging", to: 3, expecting: .some(2), at: 13) }
        try await expectError(
            .aliasConflict(model: "fraud", alias: "production", expected: nil, actual: 2), "a move expecting no alias"
        ) { try await move(store, to: 3, expecting: .some(nil), at: 14) }
        try expectEqual(try await store.aliasHistory(model: "fraud"), before, "history after refused moves")
        try expectEqual(try await model(store, "fraud").aliases, ["production": 2], "aliases after refused moves")
    }

    static func invalidMovesFail(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 5)
        try await expectError(.unknownModel("churn"), "moving an alias of an unknown model") {
            try await move(store, "churn", to: 1, at: 10)
        }
        try await expectError(.unknownVersion(model: "fraud", version: 7, latest: 5), "moving an alias to an unknown version") {
            try await move(store, to: 7, at: 10)
        }
        for alias in ["Production", "3", "-canary", "", "prod eu", "staging@2"] {
            try await expectError(.invalidAliasName(alias), "moving the alias '\(alias)'") {
                try await move(store, "fraud", alias, to: 1, at: 10)
            }
        }
        for alias in ["production", "canary-eu", "v2_rc", "2024-q4"] {
            try await move(store, "fraud", alias, to: 1, at: 11)
        }
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 4, "history after refused and accepted moves")
    }
}
