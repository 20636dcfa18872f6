import PipelineEngine
import PipelineModel
import Testing

/// The stored forms of queued work and results read back as they were written.
@Suite("Task queue JSON forms")
struct TaskQueueJSONTests {
    static let lineage = TaskLineage(
        kiln: "0.1.0", platform: "linux-x86_64", startedAt: Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789),
        files: ["data/train.csv": FileFacts(digest: "sha256:" + String(repeating: "0f", count: 32), bytes: 1_180_839, rows: 20_000)],
        seeds: [7, 42])
    static let outputs: [String: JSONValue] = ["model": "/m/1.pkl", "metrics": ["f1": 0.91, "counts": [1, 2]], "none": nil]

    static let results: [AttemptResult] = [
        .succeeded(outputs: outputs, cacheKey: String(repeating: "ab", count: 32), cacheNote: "miss: no entry", lineage: lineage),
        .succeeded(outputs: [:], cacheKey: nil, cacheNote: nil, lineage: nil),
        .cached(
            CacheEntry(key: "k", pipeline: "p", taskID: "t", runID: RunID(rawValue: "r1"), outputs: outputs,
                       createdAt: Timestamp(nanosecondsSince1970: 1_764_979_200_000_000_001),
                       expiresAt: Timestamp(nanosecondsSince1970: 1_764_979_300_000_000_002)),
            note: "hit", lineage: lineage),
        .cached(
            CacheEntry(key: "k", pipeline: "p", taskID: "t", runID: RunID(rawValue: "r1"), outputs: [:],
                       createdAt: Timestamp(nanosecondsSince1970: 5), expiresAt: nil),
            note: "", lineage: nil),
        .failed(error: "exit code 2\n\"quoted\" ✓", cacheKey: "k"),
        .failed(error: "", cacheKey: nil),
        .cancelled,
        .suspended(reason: "waits for approval", deadline: Timestamp(nanosecondsSince1970: 1_764_979_200_999_999_999)),
        .suspended(reason: "no deadline", deadline: nil),
        .lost(worker: RunOwner(label: "w1", host: "gpu-1", pid: 7, started: 1), expiredAt: Timestamp(nanosecondsSince1970: 9)),
    ]

    @Test("every kind of result reads back from its compact text", arguments: results)
    func resultsRoundTrip(_ result: AttemptResult) throws {
        let text = result.json.compactJSON
        let parsed = try #require(JSONValue(parsing: text))
        #expect(AttemptResult(json: parsed) == result, "\(text)")
    }

    @Test("work of every action kind reads back from its compact text")
    func workRoundTrips() throws {
        let decision = Decision(approved: true, reason: nil, actor: "cli", at: Timestamp(nanosecondsSince1970: 1_764_979_200_123_000_000))
        let works = [
            AttemptWork(action: .run(["echo", "hi ✓", ""]), inputs: ["n": 1.5, "list": ["a", nil]], environment: ["A": "b"],
                        workingDirectory: "/srv/p", decision: decision, withheldEnvironment: ["SECRET", "TOKEN"]),
            AttemptWork(action: .shell("echo \"$X\" | tr a b"), inputs: [:], environment: [:], workingDirectory: "/",
                        decision: nil, withheldEnvironment: []),
            AttemptWork(action: .uses("noop"), inputs: ["x": nil], environment: [:], workingDirectory: "/w",
                        decision: nil, withheldEnvironment: []),
        ]
        for work in works {
            let text = work.json.compactJSON
            #expect(AttemptWork(json: try #require(JSONValue(parsing: text))) == work, "\(text)")
        }
    }

    @Test("malformed stored forms read as nil")
    func malformed() {
        for text in ["{}", "{\"succeeded\":{}}", "{\"failed\":{\"error\":1}}", "{\"nope\":{}}", "[]", "{\"a\":{},\"b\":{}}"] {
            #expect(AttemptResult(json: JSONValue(parsing: text)!) == nil, "\(text)")
        }
        for text in ["{}", "{\"uses\":\"noop\"}", "{\"workdir\":\"/\"}", "{\"workdir\":\"/\",\"run\":[1]}"] {
            #expect(AttemptWork(json: JSONValue(parsing: text)!) == nil, "\(text)")
        }
    }
}
