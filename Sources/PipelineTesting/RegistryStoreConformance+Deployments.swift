import ModelRegistry
import PipelineModel

// Checks of deployment intents (write-ahead, serialized, committed with the alias move) and deployment records.
extension RegistryStoreConformance {
    static let ownerA = DeploymentOwner(pid: 4242, processStart: 1_234_567)
    static let ownerB = DeploymentOwner(pid: 5151, processStart: nil)

    /// A pending intent of `model`'s `alias`, from `from` to `to`, exporting to `export` (with staged and backup paths).
    static func intent(
        _ id: String, _ model: String = "fraud", _ alias: String = "production", from: Int?, to: Int,
        export: String? = "/srv/models/fraud.json", owner: DeploymentOwner = ownerA, at seconds: Int64
    ) -> DeploymentIntent {
        DeploymentIntent(
            id: id, model: model, alias: alias, from: from, to: to, exportPath: export,
            stagedPath: export.map { $0 + ".staged" }, backupPath: export.map { $0 + ".backup" },
            hadPreviousFile: export != nil && from != nil, owner: owner, actor: "run r-\(id)/deploy", startedAt: at(seconds))
    }

    static func deploymentIntentsAreSerialized(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 3)
        try await move(store, to: 1, at: 10)
        let first = intent("a", from: 1, to: 2, at: 20)
        try await store.beginDeployment(first)
        try expectEqual(try await store.deploymentIntents(), [first], "intents after beginning one")
        try await expectError(
            .deploymentInProgress(model: "fraud", alias: "production", holder: first), "a second deployment of the alias"
        ) { try await store.beginDeployment(intent("b", from: 1, to: 3, export: "/srv/other.json", owner: ownerB, at: 21)) }
        try await expectError(
            .deploymentInProgress(model: "fraud", alias: "staging", holder: first), "a deployment of another alias to the same file"
        ) { try await store.beginDeployment(intent("c", "fraud", "staging", from: nil, to: 3, at: 22)) }
        let staging = intent("d", "fraud", "staging", from: nil, to: 3, export: nil, owner: ownerB, at: 23)
        let canary = intent("e", "fraud", "canary", from: nil, to: 2, export: nil, at: 24)
        try await store.beginDeployment(staging)
        try await store.beginDeployment(canary)
        try expectEqual(try await store.deploymentIntents(), [first, staging, canary], "intents, oldest first")
        try await store.endDeployment(id: "a")
        try await store.endDeployment(id: "a")
        let next = intent("b", from: 1, to: 3, owner: ownerB, at: 25)
        try await store.beginDeployment(next)
        try expectEqual(try await store.deploymentIntents(), [staging, canary, next], "intents after ending one")
        try expectEqual(try await model(store, "fraud").aliases, ["production": 1], "aliases: intents move nothing")
    }

    static func beginningChecksNamesAndAlias(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 2)
        try await move(store, to: 1, at: 10)
        try await expectError(.invalidAliasName("Prod"), "an intent for an invalid alias") {
            try await store.beginDeployment(intent("a", "fraud", "Prod", from: 1, to: 2, at: 20))
        }
        try await expectError(.unknownModel("churn"), "an intent for an unknown model") {
            try await store.beginDeployment(intent("a", "churn", from: nil, to: 1, at: 20))
        }
        try await expectError(.unknownVersion(model: "fraud", version: 9, latest: 2), "an intent for an unknown version") {
            try await store.beginDeployment(intent("a", from: 1, to: 9, at: 20))
        }
        try await expectError(
            .aliasConflict(model: "fraud", alias: "production", expected: 2, actual: 1), "an intent from where the alias is not"
        ) { try await store.beginDeployment(intent("a", from: 2, to: 1, at: 20)) }
        try await expectError(
            .aliasConflict(model: "fraud", alias: "staging", expected: 1, actual: nil), "an intent from a version for a new alias"
        ) { try await store.beginDeployment(intent("a", "fraud", "staging", from: 1, to: 2, export: nil, at: 20)) }
        try expectEqual(try await store.deploymentIntents(), [], "intents after refused ones")
    }

    static func commitMovesRecordsAndMarks(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 2)
        try await move(store, to: 1, at: 10)
        let begun = intent("a", from: 1, to: 2, at: 20)
        try await store.beginDeployment(begun)
        let change = try await store.commitDeployment(begun, reason: "f1 0.93", at: at(21))
        let expected = AliasChange(
            model: "fraud", alias: "production", from: 1, to: 2, at: at(21), reason: "f1 0.93", actor: "run r-a/deploy")
        try expectEqual(change, expected, "the change a commit returns")
        try expectEqual(try await model(store, "fraud").aliases, ["production": 2], "aliases after a commit")
        try expectEqual(try await store.aliasHistory(model: "fraud").last, expected, "the history's last move")
        let record = DeploymentRecord(
            model: "fraud", alias: "production", exportPath: "/srv/models/fraud.json", version: 2, at: at(21),
            actor: "run r-a/deploy")
        try expectEqual(try await store.deployment(model: "fraud", alias: "production"), record, "the deployment record")
        var committed = begun
        committed.state = .committed
        try expectEqual(try await store.deploymentIntents(), [committed], "the intent after its commit")
        try await store.endDeployment(id: "a")
        try expectEqual(try await store.deploymentIntents(), [], "intents after ending the committed one")

        // Without an export path the alias moves and the record stays; to where the alias is, nothing is recorded.
        let aliasOnly = intent("b", from: 2, to: 1, export: nil, at: 30)
        try await store.beginDeployment(aliasOnly)
        try await store.commitDeployment(aliasOnly, reason: nil, at: at(31))
        try await store.endDeployment(id: "b")
        try expectEqual(try await store.deployment(model: "fraud", alias: "production"), record, "the record after an alias-only move")
        let again = intent("c", from: 1, to: 1, at: 40)
        try await store.beginDeployment(again)
        let same = try await store.commitDeployment(again, reason: "resumed", at: at(41))
        try expectEqual(same.from, same.to, "from and to of a commit to where the alias is")
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 3, "history after a commit that moves nothing")
        try expectEqual(
            try await store.deployment(model: "fraud", alias: "production")?.version, 1, "the record's version after it")
        try expectEqual(try await store.deployment(model: "fraud", alias: "staging"), nil, "the record of an undeployed alias")
    }

    static func commitConflictWritesNothing(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 3)
        try await move(store, to: 1, at: 10)
        let begun = intent("a", from: 1, to: 2, at: 20)
        try await store.beginDeployment(begun)
        // Someone moves production without the deployer (a plain promote) while the file is being swapped.
        try await move(store, to: 3, expecting: .some(1), at: 21)
        try await expectError(
            .aliasConflict(model: "fraud", alias: "production", expected: 1, actual: 3), "a commit after the alias moved"
        ) { try await store.commitDeployment(begun, reason: nil, at: at(22)) }
        try expectEqual(try await model(store, "fraud").aliases, ["production": 3], "aliases after the refused commit")
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 2, "history after the refused commit")
        try expectEqual(try await store.deployment(model: "fraud", alias: "production"), nil, "the record after the refused commit")
        try expectEqual(try await store.deploymentIntents(), [begun], "the intent stays pending")
    }

    static func lostIntentsCannotCommit(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 2)
        let begun = intent("a", from: nil, to: 1, at: 20)
        try await store.beginDeployment(begun)
        let taken = try await store.takeOverDeployment(id: "a", from: ownerA, to: ownerB)
        try expectEqual(taken?.owner, ownerB, "the owner after a take-over")
        try await expectError(.deploymentLost(model: "fraud", alias: "production"), "a commit after a take-over") {
            try await store.commitDeployment(begun, reason: nil, at: at(21))
        }
        try await store.endDeployment(id: "a")
        try await expectError(.deploymentLost(model: "fraud", alias: "production"), "a commit of an ended intent") {
            try await store.commitDeployment(begun, reason: nil, at: at(22))
        }
        let second = intent("b", from: nil, to: 1, at: 30)
        try await store.beginDeployment(second)
        try await store.commitDeployment(second, reason: nil, at: at(31))
        try await expectError(.deploymentLost(model: "fraud", alias: "production"), "a second commit of one intent") {
            try await store.commitDeployment(second, reason: nil, at: at(32))
        }
        try expectEqual(try await store.aliasHistory(model: "fraud").count, 1, "history: one commit moved the alias")
    }

    static func takeOverIsCompareAndSet(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 1)
        let begun = intent("a", from: nil, to: 1, at: 20)
        try await store.beginDeployment(begun)
        let third = DeploymentOwner(pid: 6, processStart: 7)
        try expectEqual(
            try await store.takeOverDeployment(id: "a", from: ownerB, to: third), nil, "a take-over expecting another owner")
        try expectEqual(
            try await store.takeOverDeployment(id: "zz", from: ownerA, to: third), nil, "a take-over of an unknown intent")
        var expected = begun
        expected.owner = third
        try expectEqual(try await store.takeOverDeployment(id: "a", from: ownerA, to: third), expected, "a take-over")
        try expectEqual(
            try await store.takeOverDeployment(id: "a", from: ownerA, to: ownerB), nil, "a second take-over from the old owner")
        try expectEqual(try await store.deploymentIntents(), [expected], "intents after take-overs")
    }

    static func importKeepsExistingRecords(_ store: any RegistryStore) async throws {
        try await seed(store, "fraud", count: 1)
        let begun = intent("a", from: nil, to: 1, at: 20)
        try await store.beginDeployment(begun)
        try await store.commitDeployment(begun, reason: nil, at: at(21))
        let existing = try await store.deployment(model: "fraud", alias: "production")
        let staging = DeploymentRecord(
            model: "fraud", alias: "staging", exportPath: "/srv/staging.json", version: nil, at: at(30), actor: "import")
        let added = try await store.importDeployments([
            DeploymentRecord(
                model: "fraud", alias: "production", exportPath: "/old/path.json", version: nil, at: at(30), actor: "import"),
            staging,
        ])
        try expectEqual(added, 1, "records added by an import")
        try expectEqual(try await store.deployment(model: "fraud", alias: "production"), existing, "a record already there")
        try expectEqual(try await store.deployment(model: "fraud", alias: "staging"), staging, "an imported record")
        try expectEqual(try await store.importDeployments([staging]), 0, "records added by the same import again")
    }
}
