import ModelRegistry
internal import PostgresNIO

// Reads of whole models: one REPEATABLE READ transaction, so versions, aliases and history come from one snapshot.
extension PostgresRegistryStore {
    /// The model `name` (or every model when `name` is `nil`), sorted by name, each with versions, aliases, history.
    func readModels(named name: String?) async throws -> [RegisteredModel] {
        func filtered(_ select: String, where column: String = "model", orderBy: String) -> PostgresQuery {
            var query = PostgresQuery(unsafeSQL: select)
            if let name {
                query.sql += " WHERE \(column) = $1"
                query.binds.append(name)
            }
            query.sql += " ORDER BY " + orderBy
            return query
        }
        let selectNames = filtered("SELECT name FROM models", where: "name", orderBy: "name")
        let selectVersions = filtered("SELECT \(Self.versionColumns) FROM model_versions", orderBy: "model, version")
        let selectAliases = filtered("SELECT model, alias, version FROM aliases", orderBy: "model, alias")
        let selectHistory = filtered("SELECT \(Self.historyColumns) FROM alias_history", orderBy: "seq")
        let logger = logger
        return try await database.transaction("read the model registry", snapshot: true) { connection in
            let names = try await connection.rows(selectNames, logger: logger).map { try $0.decode(String.self) }
            guard !names.isEmpty else { return [] }
            var versions: [String: [ModelVersion]] = [:]
            for row in try await connection.rows(selectVersions, logger: logger) {
                let version = try Self.modelVersion(from: row)
                versions[version.model, default: []].append(version)
            }
            var aliases: [String: [String: Int]] = [:]
            for row in try await connection.rows(selectAliases, logger: logger) {
                let (model, alias, version) = try row.decode((String, String, Int).self)
                aliases[model, default: [:]][alias] = version
            }
            var history: [String: [AliasChange]] = [:]
            for row in try await connection.rows(selectHistory, logger: logger) {
                let change = try Self.aliasChange(from: row)
                history[change.model, default: []].append(change)
            }
            return names.map { name in
                RegisteredModel(
                    name: name, versions: versions[name] ?? [], aliases: aliases[name] ?? [:], history: history[name] ?? [])
            }
        }
    }
}
