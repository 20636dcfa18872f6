import PipelineEngine
import PipelineModel

// Checks of log lines and cache entries.
extension StateStoreConformance {
    static func logsInWriteOrder(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a"), task("b")])
        try await store.createRun(run("r2"), tasks: [task("a")])
        // Times go backwards on purpose: the order is the write order, not the time order.
        let first = [
            line("r1", "a", 1, "one", at: 3), line("r1", "b", 1, "two", at: 1),
            line("r1", "a", 1, "three: ünïcödé ✓\ttab", .stderr, at: 2),
        ]
        let second = [line("r1", "a", 2, "retrying", .system, at: 0), line("r1", "a", 2, "", at: 5)]
        try await store.commit(StateBatch(logs: first))
        try await store.commit(StateBatch(logs: [line("r2", "a", 1, "other run", at: 4)]))
        try await store.commit(StateBatch(logs: second))

        func logs(_ task: String?, _ attempt: Int?) async throws -> [LogLine] {
            try await store.logs(of: id, task: task, attempt: attempt)
        }
        try expectEqual(try await logs(nil, nil), first + second, "logs(of:) of a run")
        try expectEqual(try await logs("a", nil), [first[0], first[2]] + second, "logs(of:task: \"a\")")
        try expectEqual(try await logs("a", 2), second, "logs(of:task: \"a\", attempt: 2)")
        try expectEqual(try await logs(nil, 1), first, "logs(of:task: nil, attempt: 1)")
        try expectEqual(try await logs("b", 2), [], "logs of an attempt without lines")
        try expectEqual(try await logs("zzz", nil), [], "logs of a task without lines")
        try expectEqual(
            try await store.logs(of: RunID(rawValue: "r2"), task: nil, attempt: nil),
            [line("r2", "a", 1, "other run", at: 4)], "logs(of:) of the other run")
    }

    static func cacheEntriesReadBack(_ store: any StateStore) async throws {
        try await store.createRun(run("r1"), tasks: [])
        let trainNightly = entry("k1", task: "train", created: 1, expires: 100)
        let eval = entry("k2", task: "eval", created: 3)
        let expired = entry("k3", task: "train", pipeline: "weekly", created: 2, expires: -1)
        try await store.commit(StateBatch(cache: [trainNightly, eval, expired]))

        try expectEqual(try await store.cacheEntry(forKey: "k1"), trainNightly, "cacheEntry(forKey:)")
        try expectEqual(try await store.cacheEntry(forKey: "k3"), expired, "cacheEntry(forKey:) of an expired entry")
        try expectEqual(try await store.cacheEntry(forKey: "missing"), nil, "cacheEntry(forKey:) of an unknown key")
        try expectEqual(try await store.cacheEntries(), [eval, expired, trainNightly], "cacheEntries() (newest first)")
        try expectEqual(
            try await store.cacheEntries(forKeys: ["k3", "missing", "k1", "k1"]), ["k1": trainNightly, "k3": expired],
            "cacheEntries(forKeys:): the known keys, expired or not, a repeated key once")
        try expectEqual(try await store.cacheEntries(forKeys: []), [:], "cacheEntries(forKeys:) of no keys")

        var replaced = entry("k1", task: "train", created: 4, expires: nil)
        replaced.outputs = ["path": "/cache/new"]
        replaced.runID = RunID(rawValue: "r1")
        try await store.commit(StateBatch(cache: [replaced]))
        try expectEqual(try await store.cacheEntry(forKey: "k1"), replaced, "cacheEntry(forKey:) after replacing it")
        try expectEqual(try await store.cacheEntries(), [replaced, eval, expired], "cacheEntries() after a replace")
    }

    static func clearCacheCounts(_ store: any StateStore) async throws {
        try await store.createRun(run("r1"), tasks: [])
        let eval = entry("k2", task: "eval", created: 3)
        try await store.commit(
            StateBatch(cache: [
                entry("k1", task: "train", created: 1), eval, entry("k3", task: "train", pipeline: "weekly", created: 2),
            ]))
        try expectEqual(try await store.clearCache(task: "train"), 2, "clearCache(task: \"train\") (two pipelines)")
        try expectEqual(try await store.cacheEntries(), [eval], "cacheEntries() after clearing one task")
        try expectEqual(try await store.clearCache(task: "nope"), 0, "clearCache(task:) of a task without entries")
        try expectEqual(try await store.clearCache(task: nil), 1, "clearCache(task: nil)")
        try expectEqual(try await store.cacheEntries(), [], "cacheEntries() after clearing all")
        try expectEqual(try await store.clearCache(task: nil), 0, "clearCache(task: nil) of an empty cache")
    }
}
