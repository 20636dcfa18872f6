public import PipelineEngine
public import PipelineModel
import Synchronization

/// A ``TaskQueue`` in memory: for tests of the engine's remote execution and of workers in one process.
///
/// It passes `TaskQueueConformance`, like the SQLite and PostgreSQL queues.
public final class InMemoryTaskQueue: TaskQueue {
    private enum RowState { case queued, claimed, done }

    private struct Row {
        var attempt: QueuedAttempt
        var state: RowState = .queued
        var token: Int64 = 0
        var worker: RunOwner?
        var expiresAt: Timestamp?
        var process: TaskProcess?
        var result: AttemptResult?
    }

    private struct State {
        var rows: [Int64: Row] = [:]
        var nextID: Int64 = 1
        var nextToken: Int64 = 1
        var orphans: [TaskProcess] = []
    }

    private let state = Mutex(State())
    let leases: InMemoryStateStore?

    /// An empty queue.
    /// - Parameter leases: The store whose run leases fence ``enqueue(_:)``, as the runs' own database fences it in
    ///   the durable queues; `nil`: not fenced.
    public init(fencedBy leases: InMemoryStateStore? = nil) { self.leases = leases }

    /// How many rows the queue holds, in any state.
    public var count: Int { state.withLock { $0.rows.count } }

    public func enqueue(_ attempts: [QueuedAttempt]) async throws {
        if let leases {
            for attempt in attempts { try leases.checkQueueFence(run: attempt.runID, epoch: attempt.epoch) }
        }
        state.withLock { state in
            for attempt in attempts {
                let queued = state.rows.values.contains {
                    $0.attempt.runID == attempt.runID && $0.attempt.taskID == attempt.taskID
                        && $0.attempt.attempt == attempt.attempt
                }
                if queued { continue }  // one row per attempt: a replayed enqueue adds nothing
                state.rows[state.nextID] = Row(attempt: attempt)
                state.nextID += 1
            }
        }
    }

    public func claim(
        worker: RunOwner, labels: Set<String>, limit: Int, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> [ClaimedAttempt] {
        state.withLock { state in
            var claimed: [ClaimedAttempt] = []
            for id in state.rows.keys.sorted() where claimed.count < limit {
                guard var row = state.rows[id], row.state == .queued,
                    row.attempt.labels.allSatisfy(labels.contains)
                else { continue }
                row.state = .claimed
                row.token = state.nextToken
                state.nextToken += 1
                row.worker = worker
                row.expiresAt = expiresAt
                state.rows[id] = row
                claimed.append(ClaimedAttempt(claim: QueueClaim(id: id, token: row.token), attempt: row.attempt))
            }
            return claimed
        }
    }

    public func renewClaims(
        _ claims: [QueueClaim], at now: Timestamp, expiresAt: Timestamp
    ) async throws -> Set<QueueClaim> {
        state.withLock { state in
            var held = Set<QueueClaim>()
            for claim in claims {
                guard let row = state.rows[claim.id], row.state == .claimed, row.token == claim.token else { continue }
                state.rows[claim.id]!.expiresAt = expiresAt
                held.insert(claim)
            }
            return held
        }
    }

    public func recordProcess(_ process: TaskProcess?, of claim: QueueClaim) async throws {
        state.withLock { state in
            guard let row = state.rows[claim.id], row.state == .claimed, row.token == claim.token else { return }
            state.rows[claim.id]!.process = process
        }
    }

    public func finish(_ results: [(QueueClaim, AttemptResult)], at now: Timestamp) async throws -> Set<QueueClaim> {
        state.withLock { state in
            var stored = Set<QueueClaim>()
            for (claim, result) in results {
                guard let row = state.rows[claim.id], row.state == .claimed, row.token == claim.token else { continue }
                state.rows[claim.id]!.state = .done
                state.rows[claim.id]!.result = result
                state.rows[claim.id]!.process = nil
                stored.insert(claim)
            }
            return stored
        }
    }

    public func handBack(_ claims: [QueueClaim]) async throws {
        state.withLock { state in
            for claim in claims {
                guard let row = state.rows[claim.id], row.state == .claimed, row.token == claim.token else { continue }
                state.rows[claim.id] = Row(attempt: row.attempt)
            }
        }
    }

    public func collect(runs: [RunID: Int64], at now: Timestamp) async throws -> [FinishedAttempt] {
        state.withLock { state in
            var finished: [FinishedAttempt] = []
            for id in state.rows.keys.sorted() {
                guard let row = state.rows[id], runs[row.attempt.runID] == row.attempt.epoch else { continue }
                var result: AttemptResult
                var storedBy = row.worker
                switch row.state {
                case .queued: continue
                case .claimed:
                    guard let expiry = row.expiresAt, expiry <= now, let worker = row.worker else { continue }
                    result = .lost(worker: worker, expiredAt: expiry)
                    storedBy = nil
                    if let process = row.process { state.orphans.append(process) }
                case .done:
                    result = row.result ?? .cancelled
                }
                state.rows[id] = nil
                finished.append(FinishedAttempt(
                    runID: row.attempt.runID, taskID: row.attempt.taskID, attempt: row.attempt.attempt,
                    result: result, worker: storedBy))
            }
            return finished
        }
    }

    public func withdraw(run id: RunID) async throws {
        state.withLock { state in
            state.rows = state.rows.filter { $0.value.attempt.runID != id }
        }
    }

    public func adopt(run id: RunID, running: [String: Int], epoch: Int64) async throws -> [String: Int] {
        state.withLock { state in
            var kept: [String: Int] = [:]
            for (key, row) in state.rows where row.attempt.runID == id {
                if running[row.attempt.taskID] == row.attempt.attempt {
                    state.rows[key]!.attempt.epoch = epoch
                    kept[row.attempt.taskID] = row.attempt.attempt
                } else {
                    state.rows[key] = nil
                }
            }
            return kept
        }
    }

    public func workers(of id: RunID) async throws -> [String: RunOwner] {
        state.withLock { state in
            var workers: [String: RunOwner] = [:]
            for row in state.rows.values where row.attempt.runID == id && row.state == .claimed {
                workers[row.attempt.taskID] = row.worker
            }
            return workers
        }
    }

    public func claims(on host: String) async throws -> [HeldClaim] {
        state.withLock { state in
            state.rows.keys.sorted().compactMap { id in
                let row = state.rows[id]!
                guard row.state == .claimed, let worker = row.worker, worker.host == host else { return nil }
                return HeldClaim(claim: QueueClaim(id: id, token: row.token), worker: worker, process: row.process)
            }
        }
    }

    public func orphans(on host: String) async throws -> [TaskProcess] {
        state.withLock { state in
            let mine = state.orphans.filter { $0.host == host }
            state.orphans.removeAll { $0.host == host }
            return mine
        }
    }
}
