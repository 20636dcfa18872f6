internal import Foundation
public import PipelineScheduler
public import PipelineModel
public import PipelineEngine
internal import PostgresNIO

// The trigger daemon's state (table `trigger_state`): one row per pipeline and rule, and the pipeline's own row
// (rule `*`), as in SQLite.
extension PostgresStateStore: TriggerStateStore {
    /// The rule name of the row that holds a pipeline's own state.
    static let pipelineRow = "*"

    /// The stored state of `pipeline`'s triggers, or `nil` when none was saved.
    /// - Throws: ``PostgresStoreError``.
    public func triggerState(pipeline: String) async throws -> TriggerState? {
        let rows = try await database.rows(
            "read the trigger state of \(pipeline)",
            "SELECT rule, last_fire_at, mark, queued FROM trigger_state WHERE pipeline = \(pipeline)")
        let cells = rows.map { $0.makeRandomAccess() }
        guard let own = try cells.first(where: { try $0[0].decode(String.self) == Self.pipelineRow }) else { return nil }
        var state = TriggerState(
            pipeline: pipeline, since: Timestamp(nanosecondsSince1970: try own[2].decode(Int64?.self) ?? 0),
            lastAutomaticRun: try Self.timestamp(own[1]))
        if let text = try own[3].decode(String?.self) {
            let value = try Self.json(JSONValue.self, text, "trigger_state.queued")
            guard case .object(let members) = value, let trigger = members["trigger"],
                let key = members["idempotency_key"]?.stringValue
            else {
                throw PostgresStoreError.unreadable(column: "trigger_state.queued", value: text, reason: "not a queued run")
            }
            state.queued = TriggerState.QueuedTrigger(trigger: trigger, idempotencyKey: key)
        }
        for row in cells where try row[0].decode(String.self) != Self.pipelineRow {
            state.rules[try row[0].decode(String.self)] = TriggerState.RuleState(
                lastFire: try Self.timestamp(row[1]), mark: try row[2].decode(Int64?.self))
        }
        return state
    }

    /// Replaces the stored state of `state.pipeline`'s triggers in one transaction.
    ///
    /// The pipeline's own row is written first: a concurrent save of the same pipeline waits on its lock, so saves
    /// apply one after the other and never mix their rules.
    /// - Throws: ``PostgresStoreError``.
    public func saveTriggerState(_ state: TriggerState) async throws {
        let queued = state.queued.map {
            JSONValue.object(["trigger": $0.trigger, "idempotency_key": .string($0.idempotencyKey)]).compactJSON
        }
        func upsert(_ rule: String, _ lastFire: Int64?, _ mark: Int64?, _ queued: String?) -> PostgresQuery {
            """
            INSERT INTO trigger_state (pipeline, rule, last_fire_at, mark, queued)
            VALUES (\(state.pipeline), \(rule), \(lastFire), \(mark), \(queued))
            ON CONFLICT (pipeline, rule) DO UPDATE SET last_fire_at = excluded.last_fire_at, mark = excluded.mark,
                queued = excluded.queued
            """
        }
        var writes = [
            upsert(Self.pipelineRow, state.lastAutomaticRun?.nanosecondsSince1970, state.since.nanosecondsSince1970, queued)
        ]
        let rules = state.rules.sorted { $0.key < $1.key }
        for (rule, ruleState) in rules {
            writes.append(upsert(rule, ruleState.lastFire?.nanosecondsSince1970, ruleState.mark, nil))
        }
        let kept = [Self.pipelineRow] + rules.map(\.key)
        writes.append("DELETE FROM trigger_state WHERE pipeline = \(state.pipeline) AND NOT (rule = ANY(\(kept)))")
        let statements = writes
        let logger = logger
        try await database.transaction("save the trigger state of \(state.pipeline)") { connection in
            for write in statements { try await connection.run(write, logger: logger) }
        }
    }

    // MARK: Who evaluates triggers (table `scheduler_leases`, migration 3)

    /// Takes or renews the right to evaluate triggers in one statement (the compare-and-set is its `WHERE`), and
    /// returns the lease as stored after it.
    /// - Throws: ``PostgresStoreError``.
    public func claimTriggerEvaluation(by owner: RunOwner, at now: Timestamp, until expiresAt: Timestamp) async throws
        -> TriggerEvaluationLease
    {
        let ownerJSON = try owner.storedText()
        let (at, until) = (now.nanosecondsSince1970, expiresAt.nanosecondsSince1970)
        let logger = logger
        let row = try await database.transaction("claim the right to evaluate triggers") { connection in
            try await connection.run(
                """
                INSERT INTO scheduler_leases (name, owner, acquired_at, expires_at) VALUES ('triggers', \(ownerJSON), \(at), \(until))
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
                    acquired_at = CASE WHEN scheduler_leases.owner = excluded.owner THEN scheduler_leases.acquired_at
                        ELSE excluded.acquired_at END
                WHERE scheduler_leases.owner = excluded.owner OR scheduler_leases.expires_at <= excluded.acquired_at
                """, logger: logger)
            return try await connection.rows(
                "SELECT owner, acquired_at, expires_at FROM scheduler_leases WHERE name = 'triggers'", logger: logger
            ).first
        }
        guard let cells = row?.makeRandomAccess() else {
            throw PostgresStoreError.unreadable(column: "scheduler_leases.owner", value: "", reason: "the claimed row is missing")
        }
        let text = try cells[0].decode(String.self)
        let holder: RunOwner
        do {
            holder = try RunOwner(storedText: text)
        } catch {
            throw PostgresStoreError.unreadable(column: "scheduler_leases.owner", value: text, reason: "\(error)")
        }
        return TriggerEvaluationLease(
            owner: holder, acquiredAt: Timestamp(nanosecondsSince1970: try cells[1].decode(Int64.self)),
            expiresAt: Timestamp(nanosecondsSince1970: try cells[2].decode(Int64.self)))
    }

    /// Gives the right up when `owner` holds it.
    /// - Throws: ``PostgresStoreError``.
    public func releaseTriggerEvaluation(by owner: RunOwner) async throws {
        let ownerJSON = try owner.storedText()
        _ = try await database.rows(
            "release the right to evaluate triggers",
            "DELETE FROM scheduler_leases WHERE name = 'triggers' AND owner = \(ownerJSON)")
    }
}
