internal import Foundation
internal import GRDB
import ModelRegistry
import PipelineModel

// How registry values become statement arguments and rows become values. Column orders match the SQL in
// SQLiteRegistryStore+Writes.swift and SQLiteRegistryStore+Reads.swift.
extension SQLiteRegistryStore {
    /// `model_versions` columns, in argument and select order.
    static let versionColumns = """
        model, version, idempotency_key, metrics, params, artifact, data_fingerprint, run_id, pipeline, task_id, \
        code_version, upstream, created_at
        """

    /// The `model_versions` columns an insert sets, in argument order: ``arguments(for:idempotencyKey:at:)``, then the
    /// version number, which is only known inside the transaction.
    static let insertVersionColumns = """
        model, idempotency_key, metrics, params, artifact, data_fingerprint, run_id, pipeline, task_id, \
        code_version, upstream, created_at, version
        """

    /// `alias_history` columns, in argument and select order (without `seq`).
    static let historyColumns = "model, alias, from_version, to_version, at, reason, actor"

    /// The arguments for the ``insertVersionColumns`` but the last (the version number).
    static func arguments(for new: NewVersion, idempotencyKey: String, at: Timestamp) -> StatementArguments {
        let upstream = JSONValue.array(new.upstream.map { ["name": .string($0.name), "version": .number(Double($0.version))] })
        return [
            new.model, idempotencyKey, JSONValue.object(new.metrics.mapValues(JSONValue.number)).compactJSON,
            JSONValue.object(new.params).compactJSON, new.artifact, new.dataFingerprint, new.runID, new.pipeline,
            new.task, new.codeVersion, upstream.compactJSON, at.nanosecondsSince1970,
        ]
    }

    /// The arguments for the ``historyColumns``.
    static func arguments(for change: AliasChange) -> StatementArguments {
        [
            change.model, change.alias, change.from, change.to, change.at.nanosecondsSince1970, change.reason,
            change.actor,
        ]
    }

    /// A version from a row of ``versionColumns``.
    static func modelVersion(from row: Row) throws -> ModelVersion {
        ModelVersion(
            model: try row.decode(atIndex: 0),
            version: try row.decode(atIndex: 1),
            metrics: try json([String: Double].self, try row.decode(atIndex: 3), "model_versions.metrics"),
            params: try json([String: JSONValue].self, try row.decode(atIndex: 4), "model_versions.params"),
            artifact: try row.decode(atIndex: 5),
            dataFingerprint: try row.decode(atIndex: 6),
            runID: try row.decode(atIndex: 7),
            pipeline: try row.decode(atIndex: 8),
            task: try row.decode(atIndex: 9),
            codeVersion: try row.decode(atIndex: 10),
            upstream: try json([StoredUpstream].self, try row.decode(atIndex: 11), "model_versions.upstream")
                .map { UpstreamVersion(name: $0.name, version: $0.version) },
            createdAt: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 12)))
    }

    /// An alias move from a row of ``historyColumns``.
    static func aliasChange(from row: Row) throws -> AliasChange {
        AliasChange(
            model: try row.decode(atIndex: 0),
            alias: try row.decode(atIndex: 1),
            from: try row.decode(atIndex: 2),
            to: try row.decode(atIndex: 3),
            at: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 4)),
            reason: try row.decode(atIndex: 5),
            actor: try row.decode(atIndex: 6))
    }

    /// One element of `model_versions.upstream`.
    private struct StoredUpstream: Decodable {
        var name: String
        var version: Int
    }

    private static func json<Value: Decodable>(_ type: Value.Type, _ text: String, _ column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(column: column, value: text, reason: "\(error)")
        }
    }
}
