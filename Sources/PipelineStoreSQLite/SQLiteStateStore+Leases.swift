internal import Foundation
internal import GRDB
public import PipelineEngine
public import PipelineModel
import Synchronization

// Run ownership (columns `lease_*` of `runs`, migration `v4-run-leases`). Every change is one statement whose
// WHERE clause is the compare-and-set, so two processes racing for a run cannot both win.
extension SQLiteStateStore {
    static let acquireSQL = """
        UPDATE runs SET lease_owner = ?2, lease_epoch = lease_epoch + 1, lease_acquired_at = ?3,
            lease_heartbeat_at = ?3, lease_expires_at = ?4
        WHERE id = ?1 AND (?5 OR lease_owner IS NULL OR lease_expires_at <= ?3 OR lease_owner = ?2 OR lease_epoch = ?6)
        """

    private static let renewSQL = """
        UPDATE runs SET lease_heartbeat_at = ?4, lease_expires_at = ?5
        WHERE id = ?1 AND lease_epoch = ?2 AND lease_owner = ?3
        """

    private static let releaseSQL = """
        UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL
        WHERE id = ?1 AND lease_epoch = ?2 AND lease_owner = ?3
        """

    static let leaseSQL = """
        SELECT lease_owner, lease_epoch, lease_acquired_at, lease_heartbeat_at, lease_expires_at FROM runs WHERE id = ?
        """

    /// Takes the run's lease with a compare-and-set on its current holder and expiry.
    ///
    /// - Throws: ``StateStoreError/leased(_:)`` when another owner's lease is live; ``StateStoreError/unknownRun(_:)``.
    public func acquireLease(
        run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) async throws -> RunLease {
        let ownerJSON = try owner.storedText()
        return try await writer.writeRetryingWhileBusy { db in
            let update = try db.cachedStatement(sql: Self.acquireSQL)
            let replaced: Int64? = if case .replacing(let dead) = mode { dead.epoch } else { nil }
            try update.execute(arguments: [
                id.rawValue, ownerJSON, now.nanosecondsSince1970, expiresAt.nanosecondsSince1970, mode == .takeover,
                replaced,
            ])
            let taken = db.changesCount > 0
            let current = try Self.readLease(id, db)
            if taken, let current { return current }
            // Not taken: another owner's lease is live, or there is no such run.
            if let current { throw StateStoreError.leased(current) }
            throw StateStoreError.unknownRun(id)
        }
    }

    /// Extends a lease that is still the run's.
    /// - Throws: ``StateStoreError/leaseLost(_:holder:)`` when another owner took the run.
    public func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease {
        let ownerJSON = try lease.owner.storedText()
        return try await writer.writeRetryingWhileBusy { db in
            try db.cachedStatement(sql: Self.renewSQL).execute(arguments: [
                lease.runID.rawValue, lease.epoch, ownerJSON, now.nanosecondsSince1970, expiresAt.nanosecondsSince1970,
            ])
            guard db.changesCount > 0 else {
                throw StateStoreError.leaseLost(lease.runID, holder: try Self.readLease(lease.runID, db))
            }
            var renewed = lease
            renewed.heartbeatAt = now
            renewed.expiresAt = expiresAt
            return renewed
        }
    }

    /// Gives a lease up; does nothing when it is no longer the run's.
    public func releaseLease(_ lease: RunLease) async throws {
        try await writer.writeRetryingWhileBusy { db in try Self.release(lease, db) }
    }

    /// Gives `lease` up inside the current transaction; does nothing when it is no longer the run's.
    static func release(_ lease: RunLease, _ db: Database) throws {
        try db.cachedStatement(sql: releaseSQL).execute(arguments: [lease.runID.rawValue, lease.epoch, try lease.owner.storedText()])
    }

    /// The run's current lease, live or expired; `nil` when released or never taken.
    public func lease(of id: RunID) async throws -> RunLease? {
        try await writer.read { db in try Self.readLease(id, db) }
    }

    /// The held lease's epoch without decoding its owner; `nil` when none is held or the run is unknown.
    ///
    /// A synchronous read on the calling thread (one primary-key lookup): the executor confirms its lease this way
    /// before starting attempts whose `running` state is not stored yet, so it is on the path of every wide step.
    public func leaseEpoch(of id: RunID) async throws -> Int64? {
        try leaseEpochNow(of: id)
    }

    /// ``leaseEpoch(of:)`` outside an async context, so that the synchronous read is the one called. One statement,
    /// consistent on its own: no transaction around it (see ``pointRead(_:)``).
    private func leaseEpochNow(of id: RunID) throws -> Int64? {
        try pointRead { db in
            try db.cachedStatement(sql: Self.fenceSQL).firstInteger(forKey: id.rawValue).flatMap { $0 < 0 ? nil : $0 }
        }
    }

    /// The held lease's epoch, or -1 when the lease was released.
    private static let fenceSQL = "SELECT CASE WHEN lease_owner IS NULL THEN -1 ELSE lease_epoch END FROM runs WHERE id = ?"

    /// Throws ``StateStoreError/leaseLost(_:holder:)`` unless `fence` is the run's current lease. The epoch alone
    /// identifies an acquisition (every acquisition raises it), so no owner text is compared.
    static func checkFence(_ fence: RunLease, _ db: Database) throws {
        let epoch = try Int64.fetchOne(db.cachedStatement(sql: fenceSQL), arguments: [fence.runID.rawValue])
        guard let epoch else { throw StateStoreError.unknownRun(fence.runID) }
        guard epoch == fence.epoch else {
            throw StateStoreError.leaseLost(fence.runID, holder: try readLease(fence.runID, db))
        }
    }

    /// Throws ``StateStoreError/leaseLost(_:holder:)`` when the file holds run `run` and its lease is no longer
    /// the one of `epoch` (taken over, or released): an owner that lost its run queues nothing more for it.
    static func checkQueueFence(run: RunID, epoch: Int64, _ db: Database) throws {
        guard let held = try Int64.fetchOne(db.cachedStatement(sql: fenceSQL), arguments: [run.rawValue]),
            held != epoch
        else { return }
        throw StateStoreError.leaseLost(run, holder: try readLease(run, db))
    }

    static func readLease(_ id: RunID, _ db: Database) throws -> RunLease? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: leaseSQL), arguments: [id.rawValue]),
            let ownerText: String = row[0]
        else { return nil }
        let owner: RunOwner
        do {
            owner = try RunOwner(storedText: ownerText)
        } catch {
            throw StoredValueError(column: "runs.lease_owner", value: ownerText, reason: "\(error)")
        }
        return RunLease(
            runID: id, owner: owner, epoch: row[1],
            acquiredAt: Timestamp(nanosecondsSince1970: row[2] ?? 0),
            heartbeatAt: Timestamp(nanosecondsSince1970: row[3] ?? 0),
            expiresAt: Timestamp(nanosecondsSince1970: row[4] ?? 0))
    }
}
