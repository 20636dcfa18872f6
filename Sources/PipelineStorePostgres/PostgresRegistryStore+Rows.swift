internal import Foundation
import ModelRegistry
import PipelineModel
internal import PostgresNIO

// How registry values become bound values and rows become values. Column lists are those of the SQLite store.
extension PostgresRegistryStore {
    /// `model_versions` columns, in select order.
    static let versionColumns = """
        model, version, idempotency_key, metrics, params, artifact, data_fingerprint, run_id, pipeline, task_id, \
        code_version, upstream, created_at
        """

    /// `alias_history` columns, in insert and select order (without `seq`).
    static let historyColumns = "model, alias, from_version, to_version, at, reason, actor"

    /// The stored values of a new version, encoded before the transaction.
    struct VersionValues: Sendable {
        var model: String
        var idempotencyKey: String
        var metrics: String
        var params: String
        var artifact: String
        var dataFingerprint: String
        var runID: String
        var pipeline: String
        var task: String
        var codeVersion: String?
        var upstream: String
        var createdAt: Int64

        init(_ new: NewVersion, idempotencyKey: String, at: Timestamp) {
            model = new.model
            self.idempotencyKey = idempotencyKey
            metrics = JSONValue.object(new.metrics.mapValues(JSONValue.number)).compactJSON
            params = JSONValue.object(new.params).compactJSON
            artifact = new.artifact
            dataFingerprint = new.dataFingerprint
            runID = new.runID
            pipeline = new.pipeline
            task = new.task
            codeVersion = new.codeVersion
            upstream = JSONValue.array(
                new.upstream.map { ["name": .string($0.name), "version": .number(Double($0.version))] }
            ).compactJSON
            createdAt = at.nanosecondsSince1970
        }
    }

    /// Inserts a version unless its idempotency key is taken; returns one row when it inserted.
    static func insertVersion(_ v: VersionValues, version: Int) -> PostgresQuery {
        """
        INSERT INTO model_versions (\(unescaped: versionColumns)) VALUES (\(v.model), \(version), \(v.idempotencyKey),
            \(v.metrics), \(v.params), \(v.artifact), \(v.dataFingerprint), \(v.runID), \(v.pipeline), \(v.task),
            \(v.codeVersion), \(v.upstream), \(v.createdAt))
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING version
        """
    }

    /// A version from a row of ``versionColumns``.
    static func modelVersion(from row: PostgresRow) throws -> ModelVersion {
        let cells = row.makeRandomAccess()
        return ModelVersion(
            model: try cells[0].decode(String.self),
            version: try cells[1].decode(Int.self),
            metrics: try json([String: Double].self, cells[3].decode(String.self), "model_versions.metrics"),
            params: try json([String: JSONValue].self, cells[4].decode(String.self), "model_versions.params"),
            artifact: try cells[5].decode(String.self),
            dataFingerprint: try cells[6].decode(String.self),
            runID: try cells[7].decode(String.self),
            pipeline: try cells[8].decode(String.self),
            task: try cells[9].decode(String.self),
            codeVersion: try cells[10].decode(String?.self),
            upstream: try json([StoredUpstream].self, cells[11].decode(String.self), "model_versions.upstream")
                .map { UpstreamVersion(name: $0.name, version: $0.version) },
            createdAt: Timestamp(nanosecondsSince1970: try cells[12].decode(Int64.self)))
    }

    /// An alias move from a row of ``historyColumns``.
    static func aliasChange(from row: PostgresRow) throws -> AliasChange {
        let cells = row.makeRandomAccess()
        return AliasChange(
            model: try cells[0].decode(String.self),
            alias: try cells[1].decode(String.self),
            from: try cells[2].decode(Int?.self),
            to: try cells[3].decode(Int?.self),
            at: Timestamp(nanosecondsSince1970: try cells[4].decode(Int64.self)),
            reason: try cells[5].decode(String?.self),
            actor: try cells[6].decode(String.self))
    }

    /// One element of `model_versions.upstream`.
    private struct StoredUpstream: Decodable {
        var name: String
        var version: Int
    }

    static func json<Value: Decodable>(_ type: Value.Type, _ text: String, _ column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresStoreError.unreadable(column: column, value: text, reason: "\(error)")
        }
    }
}
