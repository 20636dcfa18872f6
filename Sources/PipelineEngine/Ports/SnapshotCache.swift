public import PipelineModel
import Synchronization

/// The pipeline snapshots a store instance last saw stored, by run: lets a run update skip re-encoding and
/// re-sending an unchanged snapshot, and a read skip decoding a stored text it already decoded (milliseconds of JSON
/// for a large pipeline). For the implementations of ``StateStore``.
///
/// A snapshot never changes after its run is created, so the engine's run updates (start, finish,
/// resume) normally carry the very value that was stored; comparing it is usually an identity check.
public final class SnapshotCache: Sendable {
    private struct State {
        var snapshots: [RunID: Pipeline] = [:]
        /// Insertion order, for evicting the oldest run.
        var order: [RunID] = []
        /// The last snapshot encoded and its text: runs of one pipeline (a daemon's, a benchmark's) share it.
        var lastEncoded: (pipeline: Pipeline, text: String)?
        /// Snapshots decoded from stored text, by run, with that text (reads compare it before reusing the value).
        var decoded: [RunID: (text: String, pipeline: Pipeline)] = [:]
        /// Insertion order of `decoded`, for evicting the oldest run.
        var decodedOrder: [RunID] = []
        /// The last snapshot decoded: the runs of one pipeline usually store the same text.
        var lastDecoded: (text: String, pipeline: Pipeline)?
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// A cache that remembers the snapshots of at most `capacity` runs.
    public init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// The stored text of `snapshot` (what `encode` makes of it), reusing the last encoding when it is of an equal
    /// pipeline (usually the same value: comparing it is then an identity check of its arrays).
    public func encoded(_ snapshot: Pipeline, encode: (Pipeline) throws -> String) throws -> String {
        if let last = state.withLock({ $0.lastEncoded }), last.pipeline == snapshot { return last.text }
        let text = try encode(snapshot)
        state.withLock { $0.lastEncoded = (snapshot, text) }
        return text
    }

    /// The snapshot stored as `text` for run `id`: decoded once, then reused while the stored text stays the same.
    ///
    /// Readers of a run (the HTTP API's run document, the run list) would otherwise decode the whole pipeline on every
    /// request; comparing the text is a memory comparison, decoding it is milliseconds for a large pipeline.
    public func decoded(_ text: String, for id: RunID, decode: (String) throws -> Pipeline) rethrows -> Pipeline {
        let known = state.withLock { state -> Pipeline? in
            if let entry = state.decoded[id], entry.text == text { return entry.pipeline }
            if let last = state.lastDecoded, last.text == text { return last.pipeline }
            return nil
        }
        let pipeline = try known ?? decode(text)
        state.withLock { state in
            state.lastDecoded = (text, pipeline)
            if state.decoded.updateValue((text, pipeline), forKey: id) == nil {
                state.decodedOrder.append(id)
                if state.decodedOrder.count > capacity { state.decoded[state.decodedOrder.removeFirst()] = nil }
            }
        }
        return pipeline
    }

    /// Whether `snapshot` is known to be what run `id` has stored.
    public func holds(_ snapshot: Pipeline, for id: RunID) -> Bool {
        state.withLock { $0.snapshots[id] == snapshot }
    }

    /// Forgets run `id` (its last write may have rolled back).
    public func forget(_ id: RunID) {
        state.withLock { state in
            if state.snapshots.removeValue(forKey: id) != nil { state.order.removeAll { $0 == id } }
        }
    }

    /// Records that run `id` has `snapshot` stored, from inside the write transaction that stores it
    /// (writes of one store are serial, so the cache follows their order).
    public func remember(_ snapshot: Pipeline, for id: RunID) {
        state.withLock { state in
            if state.snapshots.updateValue(snapshot, forKey: id) == nil {
                state.order.append(id)
                if state.order.count > capacity {
                    state.snapshots[state.order.removeFirst()] = nil
                }
            }
        }
    }
}
