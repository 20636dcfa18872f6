import PipelineEngine
import PipelineModel
import Synchronization
import Testing

@Suite struct SnapshotCacheTests {
    static func pipeline(_ name: String) -> Pipeline { Pipeline(name: name, tasks: []) }

    final class Calls: Sendable {
        let count = Mutex(0)
        func next() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    @Test("a run's stored snapshot is remembered for the newest runs only, and forgotten on request")
    func storedSnapshots() {
        let cache = SnapshotCache(capacity: 2)
        let (a, b) = (Self.pipeline("a"), Self.pipeline("b"))
        cache.remember(a, for: RunID(rawValue: "r1"))
        cache.remember(b, for: RunID(rawValue: "r2"))
        #expect(cache.holds(a, for: RunID(rawValue: "r1")))
        #expect(!cache.holds(b, for: RunID(rawValue: "r1")), "another pipeline is not what r1 stored")
        cache.remember(b, for: RunID(rawValue: "r2"))  // again: not a new run, nothing evicted
        cache.remember(a, for: RunID(rawValue: "r3"))  // a third run evicts the oldest, r1
        #expect(!cache.holds(a, for: RunID(rawValue: "r1")))
        #expect(cache.holds(b, for: RunID(rawValue: "r2")) && cache.holds(a, for: RunID(rawValue: "r3")))
        cache.forget(RunID(rawValue: "r2"))
        #expect(!cache.holds(b, for: RunID(rawValue: "r2")))
        cache.remember(b, for: RunID(rawValue: "r4"))  // r2 forgotten: r3 and r4 fit
        #expect(cache.holds(a, for: RunID(rawValue: "r3")) && cache.holds(b, for: RunID(rawValue: "r4")))
    }

    @Test("a stored text is decoded once per run while it stays the same; an equal pipeline is encoded once")
    func decodeAndEncodeOnce() throws {
        let cache = SnapshotCache(capacity: 2)
        let decodes = Calls(), encodes = Calls()
        let decode: (String) throws -> Pipeline = { text in
            decodes.next()
            return Self.pipeline(text)
        }
        #expect(try cache.decoded("a", for: RunID(rawValue: "r1"), decode: decode) == Self.pipeline("a"))
        #expect(try cache.decoded("a", for: RunID(rawValue: "r1"), decode: decode) == Self.pipeline("a"))
        #expect(try cache.decoded("a", for: RunID(rawValue: "r2"), decode: decode) == Self.pipeline("a"))
        #expect(decodes.value == 1, "the same text, by run or as the last one decoded")
        #expect(try cache.decoded("b", for: RunID(rawValue: "r1"), decode: decode) == Self.pipeline("b"))
        #expect(decodes.value == 2, "a changed text is decoded")

        let encode: (Pipeline) throws -> String = { pipeline in
            encodes.next()
            return pipeline.name
        }
        #expect(try cache.encoded(Self.pipeline("x"), encode: encode) == "x")
        #expect(try cache.encoded(Self.pipeline("x"), encode: encode) == "x")
        #expect(encodes.value == 1)
        #expect(try cache.encoded(Self.pipeline("y"), encode: encode) == "y")
        #expect(encodes.value == 2)
    }
}
