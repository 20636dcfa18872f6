internal import Foundation
internal import Logging
public import PipelineEngine
public import PipelineModel
internal import PostgresNIO

// Run ownership (columns `lease_*` of `runs`). Every change is one conditional UPDATE whose WHERE clause is the
// compare-and-set: PostgreSQL re-checks it on the newest row once a concurrent writer commits, so two processes
// racing for a run cannot both win.
extension PostgresStateStore {
    /// The lease columns, in select order.
    static let leaseColumns = "lease_owner, lease_epoch, lease_acquired_at, lease_heartbeat_at, lease_expires_at"

    /// Takes the run's lease with a compare-and-set on its current holder and expiry.
    ///
    /// - Throws: ``StateStoreError/leased(_:)`` when another owner's lease is live; ``StateStoreError/unknownRun(_:)``;
    ///   ``PostgresStoreError``.
    public func acquireLease(
        run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) async throws -> RunLease {
        let acquire = try Self.acquireQuery(id, owner: owner, at: now, expiresAt: expiresAt, mode: mode)
        let logger = logger
        return try await database.transaction("take the lease of run \(id)") { connection in
            if let row = try await connection.rows(acquire, logger: logger).first, let lease = try Self.lease(id, from: row) {
                return lease
            }
            // Not taken: another owner's lease is live, or there is no such run.
            if let current = try await Self.readLease(id, connection, logger) { throw StateStoreError.leased(current) }
            throw StateStoreError.unknownRun(id)
        }
    }

    /// Extends a lease that is still the run's.
    /// - Throws: ``StateStoreError/leaseLost(_:holder:)`` when another owner took the run; ``PostgresStoreError``.
    public func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease {
        let renew: PostgresQuery = """
            UPDATE runs SET lease_heartbeat_at = \(now.nanosecondsSince1970), lease_expires_at = \(expiresAt.nanosecondsSince1970)
            WHERE id = \(lease.runID.rawValue) AND lease_epoch = \(lease.epoch) AND lease_owner = \(try lease.owner.storedText())
            RETURNING id
            """
        let logger = logger
        return try await database.transaction("renew the lease of run \(lease.runID)") { connection in
            guard try await connection.count(renew, logger: logger) > 0 else {
                throw StateStoreError.leaseLost(lease.runID, holder: try await Self.readLease(lease.runID, connection, logger))
            }
            var renewed = lease
            renewed.heartbeatAt = now
            renewed.expiresAt = expiresAt
            return renewed
        }
    }

    /// Gives a lease up; does nothing when it is no longer the run's.
    /// - Throws: ``PostgresStoreError``.
    public func releaseLease(_ lease: RunLease) async throws {
        let release = try Self.releaseQuery(lease)
        let logger = logger
        try await database.transaction("release the lease of run \(lease.runID)") { connection in
            try await connection.run(release, logger: logger)
        }
    }

    /// The run's current lease, live or expired; `nil` when released or never taken.
    /// - Throws: ``PostgresStoreError``.
    public func lease(of id: RunID) async throws -> RunLease? {
        let logger = logger
        return try await database.transaction("read the lease of run \(id)") { connection in
            try await Self.readLease(id, connection, logger)
        }
    }

    /// The held lease's epoch; `nil` when none is held or the run is unknown.
    /// - Throws: ``PostgresStoreError``.
    public func leaseEpoch(of id: RunID) async throws -> Int64? {
        try await database.rows(
            "read the lease of run \(id)", "SELECT lease_epoch FROM runs WHERE id = \(id.rawValue) AND lease_owner IS NOT NULL"
        ).first.map { try $0.decode(Int64.self) }
    }

    /// The conditional UPDATE that takes the lease, returning the new ``leaseColumns`` when it did.
    static func acquireQuery(
        _ id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) throws -> PostgresQuery {
        let ownerText = try owner.storedText()
        let replaced: Int64? = if case .replacing(let dead) = mode { dead.epoch } else { nil }
        let takeover = mode == .takeover
        let at = now.nanosecondsSince1970
        return """
            UPDATE runs SET lease_owner = \(ownerText), lease_epoch = lease_epoch + 1, lease_acquired_at = \(at),
                lease_heartbeat_at = \(at), lease_expires_at = \(expiresAt.nanosecondsSince1970)
            WHERE id = \(id.rawValue) AND (\(takeover) OR lease_owner IS NULL OR lease_expires_at <= \(at)
                OR lease_owner = \(ownerText) OR lease_epoch = \(replaced))
            RETURNING \(unescaped: leaseColumns)
            """
    }

    /// The conditional UPDATE that gives `lease` up when it is still the run's.
    static func releaseQuery(_ lease: RunLease) throws -> PostgresQuery {
        """
        UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL
        WHERE id = \(lease.runID.rawValue) AND lease_epoch = \(lease.epoch) AND lease_owner = \(try lease.owner.storedText())
        """
    }

    /// Locks the run's row and throws ``StateStoreError/leaseLost(_:holder:)`` unless `fence` is its current lease.
    /// The epoch alone identifies an acquisition (every acquisition raises it), so no owner text is compared. The
    /// lock holds until the transaction ends: a takeover of the run waits for the batch, or the batch sees it.
    /// With `batch`: records it as the run's last applied batch in the same statement (and raises the run's
    /// revision when the batch `writesTasks`), and returns `true`, checking nothing more, when it already was (a
    /// retried commit whose first try was applied). A refused fence throws, and the transaction's rollback undoes
    /// the record.
    static func checkFence(
        _ fence: RunLease, batch: String? = nil, writesTasks: Bool = false, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Bool {
        let query: PostgresQuery =
            if let batch {
                """
                UPDATE runs r SET last_batch = \(batch), revision = r.revision + \(writesTasks ? 1 : 0)
                FROM (SELECT id, last_batch FROM runs WHERE id = \(fence.runID.rawValue) FOR UPDATE) p
                WHERE r.id = p.id
                RETURNING CASE WHEN r.lease_owner IS NULL THEN -1 ELSE r.lease_epoch END, p.last_batch
                """
            } else {
                """
                SELECT CASE WHEN lease_owner IS NULL THEN -1 ELSE lease_epoch END, last_batch FROM runs
                WHERE id = \(fence.runID.rawValue) FOR UPDATE
                """
            }
        let rows = try await connection.rows(query, logger: logger)
        guard let (epoch, last) = try rows.first?.decode((Int64, String?).self) else {
            throw StateStoreError.unknownRun(fence.runID)
        }
        if let batch, last == batch { return true }
        guard epoch == fence.epoch else {
            throw StateStoreError.leaseLost(fence.runID, holder: try await readLease(fence.runID, connection, logger))
        }
        return false
    }

    /// The run's lease inside the caller's transaction.
    static func readLease(_ id: RunID, _ connection: PostgresConnection, _ logger: Logger) async throws -> RunLease? {
        let rows = try await connection.rows(
            "SELECT \(unescaped: leaseColumns) FROM runs WHERE id = \(id.rawValue)", logger: logger)
        guard let row = rows.first else { return nil }
        return try lease(id, from: row)
    }

    /// A lease from a row of ``leaseColumns``; `nil` when the owner is NULL (released or never taken).
    static func lease(_ id: RunID, from row: PostgresRow) throws -> RunLease? {
        let cells = row.makeRandomAccess()
        guard let ownerText = try cells[0].decode(String?.self) else { return nil }
        let owner: RunOwner
        do {
            owner = try RunOwner(storedText: ownerText)
        } catch {
            throw PostgresStoreError.unreadable(column: "runs.lease_owner", value: ownerText, reason: "\(error)")
        }
        return RunLease(
            runID: id, owner: owner, epoch: try cells[1].decode(Int64.self),
            acquiredAt: Timestamp(nanosecondsSince1970: try cells[2].decode(Int64?.self) ?? 0),
            heartbeatAt: Timestamp(nanosecondsSince1970: try cells[3].decode(Int64?.self) ?? 0),
            expiresAt: Timestamp(nanosecondsSince1970: try cells[4].decode(Int64?.self) ?? 0))
    }
}
