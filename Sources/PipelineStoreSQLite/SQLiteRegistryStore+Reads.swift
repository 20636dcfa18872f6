internal import GRDB
import ModelRegistry

// Reads. On a file store they run on reader connections (WAL snapshots): one read sees one committed state.
extension SQLiteRegistryStore {
    /// The model `name` (or every model when `name` is `nil`), sorted by name, each with versions, aliases, history.
    func readModels(named name: String?) async throws -> [RegisteredModel] {
        try await writer.read { db in
            let filter = name == nil ? "" : " WHERE model = ?1"
            let arguments: StatementArguments = name.map { [$0] } ?? []
            let names = try String.fetchAll(
                db.cachedStatement(sql: "SELECT name FROM models\(name == nil ? "" : " WHERE name = ?1") ORDER BY name"),
                arguments: arguments)
            guard !names.isEmpty else { return [] }

            var versions: [String: [ModelVersion]] = [:]
            let selectVersions = try db.cachedStatement(
                sql: "SELECT \(Self.versionColumns) FROM model_versions\(filter) ORDER BY model, version")
            for row in try Row.fetchAll(selectVersions, arguments: arguments) {
                let version = try Self.modelVersion(from: row)
                versions[version.model, default: []].append(version)
            }
            var aliases: [String: [String: Int]] = [:]
            let selectAliases = try db.cachedStatement(sql: "SELECT model, alias, version FROM aliases\(filter)")
            for row in try Row.fetchAll(selectAliases, arguments: arguments) {
                let model: String = row[0]
                let alias: String = row[1]
                let version: Int = row[2]
                aliases[model, default: [:]][alias] = version
            }
            var history: [String: [AliasChange]] = [:]
            let selectHistory = try db.cachedStatement(
                sql: "SELECT \(Self.historyColumns) FROM alias_history\(filter) ORDER BY seq")
            for row in try Row.fetchAll(selectHistory, arguments: arguments) {
                let change = try Self.aliasChange(from: row)
                history[change.model, default: []].append(change)
            }
            return names.map { name in
                RegisteredModel(
                    name: name, versions: versions[name] ?? [], aliases: aliases[name] ?? [:], history: history[name] ?? [])
            }
        }
    }

    /// Version `number` of `model`.
    func readVersion(model: String, number: Int) async throws -> ModelVersion? {
        try await writer.read { db in
            let select = try db.cachedStatement(
                sql: "SELECT \(Self.versionColumns) FROM model_versions WHERE model = ? AND version = ?")
            return try Row.fetchOne(select, arguments: [model, number]).map(Self.modelVersion(from:))
        }
    }

    /// Every alias move of `model`, oldest first.
    func readHistory(model: String) async throws -> [AliasChange] {
        try await writer.read { db in
            let select = try db.cachedStatement(
                sql: "SELECT \(Self.historyColumns) FROM alias_history WHERE model = ? ORDER BY seq")
            return try Row.fetchAll(select, arguments: [model]).map(Self.aliasChange(from:))
        }
    }
}
