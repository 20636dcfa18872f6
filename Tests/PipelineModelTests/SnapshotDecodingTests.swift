import Foundation
import PipelineModel
import Testing

/// `Pipeline(snapshotJSON:)` reads what `JSONDecoder` reads, or leaves the text to it.
@Suite struct SnapshotDecodingTests {
    static func decoded(_ text: String) throws -> Pipeline {
        try JSONDecoder().decode(Pipeline.self, from: Data(text.utf8))
    }

    static func encoded(_ pipeline: Pipeline) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(pipeline), as: UTF8.self)
    }

    static let rich = Pipeline(
        name: "fraud", description: "nightly \"retrain\" — é", params: ["min_auc": 0.85, "tags": ["a", 2, nil, true]],
        tasks: [
            TaskSpec(id: "extract", action: .run(["python3", "extract.py", "${{ params.min_auc }}"])),
            TaskSpec(
                id: "train", needs: ["extract"], condition: "success() && params.min_auc > 0.5",
                action: .uses("train_gbt", with: ["label": "is_fraud", "rounds": 300, "nested": ["x": [1.5, -0.0]]]),
                env: ["SEED": "7", "PATH_EXTRA": "/opt/bin"], workdir: "models",
                retry: RetryPolicy(
                    retries: 3, delay: .milliseconds(250), backoff: 2.5, maxDelay: .seconds(30), jitter: 0.1),
                timeout: .seconds(5400), cache: CachePolicy(expire: .seconds(86_400), version: "v2"),
                runsOn: ["gpu", "big-mem"]),
            TaskSpec(id: "notify", needs: ["train"], action: .shell("echo done > out.txt"), cache: CachePolicy()),
        ])

    @Test("a snapshot with every task member reads as JSONDecoder reads it")
    func everyMember() throws {
        let text = try Self.encoded(Self.rich)
        let fast = try #require(Pipeline(snapshotJSON: text))
        #expect(fast == (try Self.decoded(text)))
        #expect(fast == Self.rich)
    }

    @Test("optional members absent or null, and unknown members, read as JSONDecoder reads them")
    func absentNullAndUnknown() throws {
        let texts = [
            #"{"name":"p","params":{},"tasks":[]}"#,
            #"{"name":"p","description":null,"notify":null,"triggers":null,"notify2":[1],"params":{"a":1},"tasks":[]}"#,
            #"{"name":"p","notify":[],"params":{},"tasks":[{"id":"a","action":{"shell":{"_0":"true"}},"needs":null,"#
                + #""if":null,"env":null,"workdir":null,"retry":null,"timeout_ms":null,"cache":null,"#
                + #""runs_on":null,"x":0}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"uses":{"_0":"noop","with":{}}},"#
                + #""retry":{},"cache":{}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":[]}},"retry":{"retries":2}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"runs_on":["b","a","b"]}]}"#,
        ]
        for text in texts {
            let fast = try #require(Pipeline(snapshotJSON: text), "\(text)")
            #expect(fast == (try Self.decoded(text)), "\(text)")
        }
    }

    @Test("texts it does not read are left to JSONDecoder: rules, huge integers, other types, not JSON")
    func leftToJSONDecoder() throws {
        let task = #"{"id":"a","action":{"run":{"_0":["x"]}}}"#
        // JSONDecoder reads these: an integer exactly, rules, and a trailing comma (which it allows).
        let readElsewhere = [
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"#
                + #""timeout_ms":9007199254740993}]}"#,
            #"{"name":"p","triggers":{},"params":{},"tasks":[]}"#, #"{"name":"p","params":{},"tasks":[\#(task),]}"#,
        ]
        for text in readElsewhere {
            #expect(Pipeline(snapshotJSON: text) == nil, "\(text)")
            #expect(throws: Never.self) { try Self.decoded(text) }
        }
        // Not snapshots: JSONDecoder says what is wrong.
        let wrong = [
            "", "{", "[]", #"{"name":"p","params":{},"tasks":[\#(task)"#,
            #"{"name":1,"params":{},"tasks":[]}"#, #"{"name":"p","tasks":[]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]},"shell":{"_0":"y"}}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"uses":{"_0":"noop"}}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"call":{"_0":"x"}}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"timeout_ms":1.5}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"retry":{"retries":"2"}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"env":{"A":1}}]}"#,
            #"{"name":"p","params":{},"tasks":[{"id":"a","action":{"run":{"_0":["x"]}},"needs":"b"}]}"#,
            #"{"name":"p","notify":[{"bad":true}],"params":{},"tasks":[]}"#,
            #"{"name":"p","triggers":{"cooldown":true},"params":{},"tasks":[]}"#,
        ]
        for text in wrong {
            #expect(Pipeline(snapshotJSON: text) == nil, "\(text)")
            #expect(throws: (any Error).self, "\(text)") { try Self.decoded(text) }
        }
    }
}
