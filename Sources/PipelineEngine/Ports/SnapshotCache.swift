public import PipelineModel
import Synchronization

/// The pipeline snapshots a store instance last saw stored, by run: lets a run update skip re-encoding and
/// re-sending an unchanged snapshot, and a read skip decoding a stored text it already decoded (milliseconds of JSON
/// for a large pipeline). For the implementations of ``StateStore``.
///
/// A snapshot never changes after its run is created, so the engine's run updates (start, finish,
/// resume) normally carry the very value that was stored; comparing it is usually an identity check.
public final class SnapshotCache: Sendable {
    /// Values by run, for at most `capacity` runs: the oldest run inserted goes first.
    private struct Recent<Value> {
        let capacity: Int
        private var values: [RunID: Value] = [:]
        /// Insertion order, for evicting the oldest run.
        private var order: [RunID] = []

        init(capacity: Int) { self.capacity = capacity }

        subscript(id: RunID) -> Value? { values[id] }

        mutating func set(_ value: Value, for id: RunID) {
            if values.updateValue(value, forKey: id) == nil {
                order.append(id)
                if order.count > capacity { values[order.removeFirst()] = nil }
            }
        }

        mutating func remove(_ id: RunID) {
            if values.removeValue(forKey: id) != nil { order.removeAll { $0 == id } }
        }
    }

    private struct State {
        /// The snapshots known to be stored, by run.
        var stored: Recent<Pipeline>
        /// The last snapshot encoded and its text: runs of one pipeline (a daemon's, a benchmark's) share it.
        var lastEncoded: (pipeline: Pipeline, text: String)?
        /// Snapshots decoded from stored text, by run, with that text (reads compare it before reusing the value).
        var decoded: Recent<(text: String, pipeline: Pipeline)>
        /// The last snapshot decoded: the runs of one pipeline usually store the same text.
        var lastDecoded: (text: String, pipeline: Pipeline)?
    }

    private let state: Mutex<State>

    /// A cache that remembers the snapshots of at most `capacity` runs.
    public init(capacity: Int = 32) {
        state = Mutex(State(stored: Recent(capacity: capacity), decoded: Recent(capacity: capacity)))
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
            state.decoded.set((text, pipeline), for: id)
        }
        return pipeline
    }

    /// Whether `snapshot` is known to be what run `id` has stored.
    public func holds(_ snapshot: Pipeline, for id: RunID) -> Bool {
        state.withLock { $0.stored[id] == snapshot }
    }

    /// Forgets run `id` (its last write may have rolled back).
    public func forget(_ id: RunID) {
        state.withLock { $0.stored.remove(id) }
    }

    /// Records that run `id` has `snapshot` stored, from inside the write transaction that stores it
    /// (writes of one store are serial, so the cache follows their order).
    public func remember(_ snapshot: Pipeline, for id: RunID) {
        state.withLock { $0.stored.set(snapshot, for: id) }
    }
}
