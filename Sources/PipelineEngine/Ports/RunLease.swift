import Foundation
public import PipelineModel
import Synchronization

/// A process that executes runs: `kiln run`, `kiln serve`, a worker. Stored with the lease it holds.
public struct RunOwner: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the process is (`kiln run`, `kiln serve`, …), for messages.
    public var label: String
    /// The host name.
    public var host: String
    /// The process id.
    public var pid: Int32
    /// When the process started, in the system's own units (Linux: clock ticks since boot), so a recycled pid is
    /// not taken for the same process; 0 when unknown.
    public var started: Int64

    /// Creates an owner identity.
    public init(label: String, host: String, pid: Int32, started: Int64) {
        self.label = label
        self.host = host
        self.pid = pid
        self.started = started
    }

    /// `kiln run (pid 4242 on build-1)`.
    public var description: String { "\(label) (pid \(pid) on \(host))" }
}

extension RunOwner {
    /// The text the stores keep for an owner (lease, trigger and claim columns): its JSON with sorted keys,
    /// `{"host":"build-1","label":"kiln run","pid":4242,"started":1234}`.
    ///
    /// The last owner written or read is remembered with its text: a process's leases and claims all name the same
    /// owner, so after the first call this is a comparison, not a round of JSON coding (3 % of a worker's time,
    /// which names itself in the claim it makes for every task).
    public func storedText() throws -> String {
        if let known = Self.last.withLock({ $0 }), known.owner == self { return known.text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(self), as: UTF8.self)
        Self.last.withLock { $0 = (self, text) }
        return text
    }

    /// Reads ``storedText()``.
    ///
    /// - Throws: `DecodingError` when `text` is not an owner's JSON.
    public init(storedText text: String) throws {
        if let known = Self.last.withLock({ $0 }), known.text == text {
            self = known.owner
            return
        }
        self = try JSONDecoder().decode(RunOwner.self, from: Data(text.utf8))
        Self.last.withLock { [self] in $0 = (self, text) }
    }

    /// The last owner written or read, with its text.
    private static let last = Mutex<(owner: RunOwner, text: String)?>(nil)
}

/// The right to execute one run, held by one owner until it expires: what keeps two processes from executing a
/// run at once.
///
/// Every acquisition gets a higher ``epoch``; the executor's writes carry its lease (``StateBatch/fence``) and the
/// store refuses them once another owner took the run (fencing), so a paused or partitioned old owner cannot
/// overwrite the new one's state.
public struct RunLease: Sendable, Hashable {
    /// The run.
    public var runID: RunID
    /// Who holds it.
    public var owner: RunOwner
    /// The fencing token: higher for every acquisition of the run.
    public var epoch: Int64
    /// When the owner took it.
    public var acquiredAt: Timestamp
    /// The owner's last heartbeat.
    public var heartbeatAt: Timestamp
    /// When the lease lapses without a heartbeat; another owner may take the run from then on.
    public var expiresAt: Timestamp

    /// Creates a lease value.
    public init(
        runID: RunID, owner: RunOwner, epoch: Int64, acquiredAt: Timestamp, heartbeatAt: Timestamp, expiresAt: Timestamp
    ) {
        self.runID = runID
        self.owner = owner
        self.epoch = epoch
        self.acquiredAt = acquiredAt
        self.heartbeatAt = heartbeatAt
        self.expiresAt = expiresAt
    }

    /// Whether the lease still holds at `now`.
    public func isLive(at now: Timestamp) -> Bool { now < expiresAt }
}

/// How a run's lease is taken.
public enum LeaseAcquisition: Sendable, Hashable {
    /// Only when nobody holds a live lease (the holder's lease expired, was released, or never existed).
    case whenFree
    /// Also from a live holder: `--takeover`.
    case takeover
    /// Also from this holder, if it still holds the run (one known to be dead: its process is gone). When several
    /// processes saw the same dead holder, only the first replaces it; the others find the winner's live lease.
    case replacing(RunLease)
}
