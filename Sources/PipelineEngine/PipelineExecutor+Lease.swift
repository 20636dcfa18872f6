import Logging
import PipelineModel

extension PipelineExecutor {
    /// Takes run `id`'s lease: when free; from a holder on this host whose process is gone; or, with `takeover`, from
    /// any holder.
    /// - Throws: ``StartError/leased(_:)`` when another live process holds it.
    func takeLease(_ id: RunID, takeover: Bool) async throws -> RunLease {
        let now = clock.now
        let owner = configuration.owner
        let expiry = now.adding(configuration.leaseDuration)
        do {
            return try await store.acquireLease(
                run: id, owner: owner, at: now, expiresAt: expiry, mode: takeover ? .takeover : .whenFree)
        } catch StateStoreError.leased(let holder) {
            guard holder.owner.isGoneFromThisHost else { throw StartError.leased(holder) }
            logger.info("Taking over a run whose owner is gone", metadata: ["run.id": "\(id)", "run.owner": "\(holder.owner)"])
            do {
                return try await store.acquireLease(
                    run: id, owner: owner, at: now, expiresAt: expiry, mode: .replacing(holder))
            } catch StateStoreError.leased(let winner) {
                throw StartError.leased(winner)  // another process replaced the dead holder first
            }
        }
    }

    /// Executes under `lease` and gives the lease up at the end, whatever the end is: with the last commit when the
    /// execution returns (see ``execute(_:plan:records:lease:)``), on its own when it throws.
    func executeReleasing(_ run: RunRecord, plan: Plan, records: [TaskRecord], lease: RunLease) async throws -> RunRecord {
        do {
            return try await execute(run, plan: plan, records: records, lease: lease)
        } catch {
            try? await store.releaseLease(lease)
            throw error
        }
    }

    /// Stops the commands that a previous owner of the run left behind, before their tasks run again.
    func reapOrphans(of records: [TaskRecord]) async {
        guard let reaper = kinds.reaper else { return }
        for record in records where record.state == .running {
            guard let process = record.process else { continue }
            await reaper.reap(process)
        }
    }
}

/// Why an execution stopped without finishing its run.
public enum ExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process took the run over; this one stopped without writing anything more.
    case leaseLost(RunID, holder: RunLease?)

    /// What happened and what it means.
    public var description: String {
        switch self {
        case .leaseLost(let id, let holder):
            return "run \(id) was taken over"
                + (holder.map { " by \($0.owner) at \($0.acquiredAt.iso8601)" } ?? "")
                + "; this process stopped executing it and wrote nothing more"
        }
    }
}
