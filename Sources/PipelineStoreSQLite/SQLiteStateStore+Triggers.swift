internal import Foundation
internal import GRDB
public import PipelineEngine
public import PipelineScheduler
public import PipelineModel

// The trigger daemon's state (table `trigger_state`, migration `v3-scheduler`).
extension SQLiteStateStore: TriggerStateStore {
    /// The rule name of the row that holds a pipeline's own state.
    static let pipelineRow = "*"

    /// The stored state of `pipeline`'s triggers.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline's name.
    /// - Returns: The state, or `nil` when none was saved.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func triggerState(pipeline: String) async throws -> TriggerState? {
        try await readTriggerState(pipeline: pipeline)
    }

    private func readTriggerState(pipeline: String) async throws -> TriggerState? {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT rule, last_fire_at, mark, queued FROM trigger_state WHERE pipeline = ?",
                arguments: [pipeline])
            guard let own = rows.first(where: { $0["rule"] as String == Self.pipelineRow }) else { return nil }
            var state = TriggerState(
                pipeline: pipeline, since: Timestamp(nanosecondsSince1970: (own["mark"] as Int64?) ?? 0),
                lastAutomaticRun: (own["last_fire_at"] as Int64?).map(Timestamp.init(nanosecondsSince1970:)))
            if let text = own["queued"] as String? {
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                guard case .object(let members) = value, let trigger = members["trigger"],
                    let key = members["idempotency_key"]?.stringValue
                else { throw StoredValueError(column: "trigger_state.queued", value: text, reason: "not a queued run") }
                state.queued = TriggerState.QueuedTrigger(trigger: trigger, idempotencyKey: key)
            }
            for row in rows where row["rule"] as String != Self.pipelineRow {
                state.rules[row["rule"]] = TriggerState.RuleState(
                    lastFire: (row["last_fire_at"] as Int64?).map(Timestamp.init(nanosecondsSince1970:)),
                    mark: row["mark"])
            }
            return state
        }
    }

    /// Replaces the stored state of `state.pipeline`'s triggers in one transaction.
    ///
    /// - Parameters:
    ///   - state: The new state.
    /// - Throws: A database error.
    public func saveTriggerState(_ state: TriggerState) async throws {
        try await writeTriggerState(state)
    }

    private func writeTriggerState(_ state: TriggerState) async throws {
        let queued = state.queued.map {
            JSONValue.object(["trigger": $0.trigger, "idempotency_key": .string($0.idempotencyKey)]).compactJSON
        }
        try await writer.writeRetryingWhileBusy { db in
            try db.execute(sql: "DELETE FROM trigger_state WHERE pipeline = ?", arguments: [state.pipeline])
            let insert = "INSERT INTO trigger_state (pipeline, rule, last_fire_at, mark, queued) VALUES (?, ?, ?, ?, ?)"
            try db.execute(sql: insert, arguments: [
                state.pipeline, Self.pipelineRow, state.lastAutomaticRun?.nanosecondsSince1970,
                state.since.nanosecondsSince1970, queued,
            ])
            for (rule, ruleState) in state.rules.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: insert, arguments: [
                    state.pipeline, rule, ruleState.lastFire?.nanosecondsSince1970, ruleState.mark, nil,
                ])
            }
        }
    }

    // MARK: Who evaluates triggers (table `scheduler_leases`, migration `v6-scheduler-leases`)

    /// The compare-and-set claim: a new row, or the holder's own renewal, or a lapsed holder's replacement.
    static let claimEvaluationSQL = """
        INSERT INTO scheduler_leases (name, owner, acquired_at, expires_at) VALUES ('triggers', ?1, ?2, ?3)
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
            acquired_at = CASE WHEN scheduler_leases.owner = excluded.owner THEN scheduler_leases.acquired_at
                ELSE excluded.acquired_at END
        WHERE scheduler_leases.owner = excluded.owner OR scheduler_leases.expires_at <= excluded.acquired_at
        """

    /// Takes or renews the right to evaluate triggers; returns the lease as stored after the claim.
    /// - Throws: ``StoredValueError`` when the stored holder cannot be read; a database error.
    public func claimTriggerEvaluation(by owner: RunOwner, at now: Timestamp, until expiresAt: Timestamp) async throws
        -> TriggerEvaluationLease
    {
        let ownerJSON = try owner.storedText()
        return try await writer.writeRetryingWhileBusy { db in
            try db.execute(
                sql: Self.claimEvaluationSQL,
                arguments: [ownerJSON, now.nanosecondsSince1970, expiresAt.nanosecondsSince1970])
            let row = try Row.fetchOne(
                db, sql: "SELECT owner, acquired_at, expires_at FROM scheduler_leases WHERE name = 'triggers'")
            guard let row, let text = row[0] as String? else {
                throw StoredValueError(column: "scheduler_leases.owner", value: "", reason: "the claimed row is missing")
            }
            let holder: RunOwner
            do {
                holder = try RunOwner(storedText: text)
            } catch {
                throw StoredValueError(column: "scheduler_leases.owner", value: text, reason: "\(error)")
            }
            return TriggerEvaluationLease(
                owner: holder, acquiredAt: Timestamp(nanosecondsSince1970: row[1]),
                expiresAt: Timestamp(nanosecondsSince1970: row[2]))
        }
    }

    /// Gives the right up when `owner` holds it.
    /// - Throws: A database error.
    public func releaseTriggerEvaluation(by owner: RunOwner) async throws {
        let ownerJSON = try owner.storedText()
        try await writer.writeRetryingWhileBusy { db in
            try db.execute(sql: "DELETE FROM scheduler_leases WHERE name = 'triggers' AND owner = ?", arguments: [ownerJSON])
        }
    }
}
