import ModelRegistry
import PipelineModel
import Testing

@Suite("Registry errors and documents")
struct RegistryErrorTests {
    @Test(
        "errors say what is wrong and how to fix it",
        arguments: [
            (RegistryError.unknownVersion(model: "fraud", version: 7, latest: 5), "model 'fraud' has no version 7; versions 1–5 exist"),
            (.unknownVersion(model: "fraud", version: 2, latest: 1), "model 'fraud' has no version 2; only version 1 exists"),
            (.unknownModel("frod"), "no model 'frod' in the registry; list the registered models with `kiln models`"),
            (
                .unknownAlias(model: "fraud", alias: "production", aliases: []),
                "model 'fraud' has no alias 'production' (it has no aliases yet); point it at a version with `kiln models promote fraud VERSION`"
            ),
            (
                .unknownAlias(model: "fraud", alias: "canary", aliases: ["staging", "production"]),
                "model 'fraud' has no alias 'canary' (its aliases are production, staging); point it at a version with `kiln models promote fraud VERSION --alias canary`"
            ),
            (
                .aliasConflict(model: "fraud", alias: "production", expected: 3, actual: 4),
                "alias 'production' of model 'fraud' points at version 4, not version 3 as expected: another process moved it; check `kiln models show fraud` and try again"
            ),
            (
                .neverMoved(model: "fraud", alias: "production"),
                "alias 'production' of model 'fraud' has never been moved, so there is nothing to roll back to; promote a version with `kiln models promote fraud VERSION`"
            ),
        ])
    func descriptions(error: RegistryError, expected: String) {
        #expect(error.description == expected)
    }

    @Test("the model document has versions with lineage, aliases and the alias history, times in ISO 8601")
    func modelDocument() throws {
        let at = Timestamp(millisecondsSince1970: 1_764_979_200_000)
        let version = ModelVersion(
            NewVersion(
                model: "fraud", metrics: ["f1": 0.91], params: ["depth": 6], artifact: "sha256:abc", dataFingerprint: "sha256:def",
                runID: "r1", pipeline: "nightly", task: "register", upstream: [UpstreamVersion(name: "emb", version: 2)]),
            version: 1, createdAt: at)
        let change = AliasChange(model: "fraud", alias: "production", from: nil, to: 1, at: at, reason: nil, actor: "cli")
        let document = RegistryDocument.model(
            RegisteredModel(name: "fraud", versions: [version], aliases: ["production": 1], history: [change]))
        let object = try #require(document.objectValue)
        #expect(object["name"] == "fraud")
        #expect(object["aliases"] == ["production": 1])
        #expect(object["alias_history"] == [["alias": "production", "from": nil, "to": 1, "at": "2025-12-06T00:00:00.000Z", "reason": nil, "actor": "cli"]])
        let first = try #require(object["versions"]?.arrayValue?.first?.objectValue)
        #expect(first["version"] == 1)
        #expect(first["metrics"] == ["f1": 0.91])
        #expect(first["run"] == "r1")
        #expect(first["data_fingerprint"] == "sha256:def")
        #expect(first["created_at"] == "2025-12-06T00:00:00.000Z")
        #expect(first["upstream"] == [["name": "emb", "version": 2]])
        #expect(first["aliases"] == ["production"])
        #expect(first["code_version"] == .null)
    }
}
