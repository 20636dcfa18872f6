import Foundation
import PipelineModel
@testable import PipelineStoreSQLite
@testable import PipelineTesting
import Testing

/// The snapshot encoder: compact JSON with sorted keys that decodes to the value encoded.
@Suite("Compact JSON encoder")
struct CompactJSONEncoderTests {
    /// A value that uses the rarer parts of the `Encoder` API: a key written twice, super encoders, nested containers
    /// of both kinds, and every integer width.
    struct Unusual: Encodable {
        enum Key: String, CodingKey { case b, a, list, nested, `super`, parent }

        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: Key.self)
            try keyed.encode("first", forKey: .b)
            try keyed.encode("second", forKey: .b)  // replaces the first, as JSONEncoder does
            try keyed.encode(Int8(-8), forKey: .a)
            var list = keyed.nestedUnkeyedContainer(forKey: .list)
            try list.encode(UInt64.max)
            try list.encode(2.5)
            try list.encodeNil()
            var inner = list.nestedContainer(keyedBy: Key.self)
            try inner.encode(true, forKey: .a)
            var nested = keyed.nestedContainer(keyedBy: Key.self, forKey: .nested)
            try nested.encode(Int16(7), forKey: .a)
            try "from super".encode(to: keyed.superEncoder())
            try [1, 2].encode(to: keyed.superEncoder(forKey: .parent))
        }
    }

    struct Bad: Encodable {
        enum Key: String, CodingKey { case outer, inner }
        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: Key.self)
            var nested = keyed.nestedUnkeyedContainer(forKey: .outer)
            try nested.encode(1.0)
            try nested.encode(["inner": Double.nan])
        }
    }

    @Test("a pipeline that sets every field encodes to compact JSON that decodes to the same pipeline")
    func pipelineRoundTrips() throws {
        let pipeline = StateStoreConformance.pipeline
        let text = try CompactJSONEncoder().encode(pipeline)
        #expect(try JSONDecoder().decode(Pipeline.self, from: Data(text.utf8)) == pipeline)
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = try foundation.encode(pipeline)
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                == JSONDecoder().decode(JSONValue.self, from: reference),
            "the same JSON as JSONEncoder's")
        #expect(!text.contains(": ") && !text.contains("\n"), "compact")
    }

    @Test("keys are sorted, a key written twice keeps its last value, and super encoders fill their members")
    func rarerEncoderParts() throws {
        let text = try CompactJSONEncoder().encode(Unusual())
        #expect(text == #"{"a":-8,"b":"second","list":[18446744073709551615,2.5,null,{"a":true}],"#
            + #""nested":{"a":7},"parent":[1,2],"super":"from super"}"#)
    }

    /// A `JSONValue` encoded through the `Encoder` API member by member, as any other value is: the reference for
    /// the encoder's shortcut that writes a `JSONValue` with its own writer.
    struct ThroughContainers: Encodable {
        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let value: JSONValue

        func encode(to encoder: any Encoder) throws {
            switch value {
            case .array(let items):
                var list = encoder.unkeyedContainer()
                for item in items { try list.encode(ThroughContainers(value: item)) }
            case .object(let members):
                var keyed = encoder.container(keyedBy: Key.self)
                for (name, member) in members { try keyed.encode(ThroughContainers(value: member), forKey: Key(stringValue: name)) }
            default:
                try value.encode(to: encoder)
            }
        }
    }

    @Test("a JSON value, and a dictionary of them, encode to the same text as through the Encoder API")
    func jsonValuesMatchTheEncoderAPI() throws {
        let numbers: [Double] = [0, -0.0, 0.1, -5, 1.5e-7, 1e300, 9_007_199_254_740_992, 9_007_199_254_740_994, 2.5,
                                 .infinity, -.infinity, .nan]
        let values: [JSONValue] = numbers.map(JSONValue.number) + [
            .null, true, false, "", "plain", "quote \" back \\ slash", "tab\tline\nfeed\u{1}", "é ☃ 𝄞",
            ["z": 1, "a": ["nested": [1, "two", nil]], "M": .object([:]), "é": [], "a b": "${{ tasks.x.outputs.y }}"],
            [["b": 2, "a": 1], [], [[]], .number(.nan)],
        ]
        let encoder = CompactJSONEncoder()
        for value in values {
            #expect(try encoder.encode(value) == encoder.encode(ThroughContainers(value: value)), "\(value)")
        }
        let inputs: [String: JSONValue] = ["v": "${{ tasks.source.outputs.value }}", "i": 3, "list": [1.25, "x"]]
        #expect(try encoder.encode(inputs) == encoder.encode(ThroughContainers(value: .object(inputs))))
        #expect(try encoder.encode(inputs) == #"{"i":3,"list":[1.25,"x"],"v":"${{ tasks.source.outputs.value }}"}"#)
    }

    /// A task encoded through the `Encoder` API (its `encode(to:)`): the reference for the encoder's shortcut that
    /// writes a task straight out.
    struct TaskThroughContainers: Encodable {
        let task: TaskSpec
        func encode(to encoder: any Encoder) throws { try task.encode(to: encoder) }
    }

    @Test("a task of every shape encodes to the same text as through the Encoder API")
    func tasksMatchTheEncoderAPI() throws {
        let awkward = "quote \" back \\ slash\ttab\nline\u{1} é ☃ 𝄞"
        let tasks: [TaskSpec] = [
            TaskSpec(id: "minimal", action: .shell("")),
            TaskSpec(id: "argv", action: .run(["python3", "train.py", awkward, "${{ tasks.a.outputs.b }}"])),
            TaskSpec(id: "empty-argv", action: .run([])),
            TaskSpec(id: "script", action: .shell(awkward)),
            TaskSpec(id: "kind", action: .uses("noop", with: [:])),
            TaskSpec(
                id: "every-field", needs: ["a", "b-2", awkward], condition: "${{ failure() }}",
                action: .uses("train", with: ["z": 1, "a": ["nested": [1.5, "two", nil]], awkward: .number(.nan)]),
                env: ["Z": "last", "A": awkward, "é": ""], workdir: "sub/dir",
                retry: RetryPolicy(retries: 3, delay: .milliseconds(1500), backoff: 2.5, maxDelay: .seconds(60), jitter: 0.1),
                timeout: .seconds(90), cache: CachePolicy(expire: .seconds(3600), version: "2"), runsOn: ["gpu", "big"]),
            TaskSpec(id: "retry-integral", action: .shell("x"), retry: RetryPolicy(retries: 1, backoff: 9_007_199_254_740_992)),
            TaskSpec(id: "retry-no-max", action: .shell("x"), retry: RetryPolicy(retries: 0, delay: .milliseconds(5))),
            TaskSpec(id: "cache-plain", action: .shell("x"), cache: CachePolicy()),
            TaskSpec(id: "cache-version", action: .shell("x"), cache: CachePolicy(version: "v")),
            TaskSpec(id: "cache-expire", action: .shell("x"), cache: CachePolicy(expire: .milliseconds(1))),
            TaskSpec(id: "negative", action: .shell("x"), timeout: .milliseconds(-5)),
        ]
        // A list of tasks is what takes the writer (a snapshot's `tasks`); each task alone, then all of them.
        let encoder = CompactJSONEncoder()
        for task in tasks {
            #expect(try encoder.encode([task]) == encoder.encode([TaskThroughContainers(task: task)]), "\(task.id)")
        }
        #expect(try encoder.encode(tasks) == encoder.encode(tasks.map(TaskThroughContainers.init)))
        #expect(try encoder.encode([TaskSpec]()) == "[]")
        let pipeline = Pipeline(name: "p", tasks: tasks)
        #expect(try JSONDecoder().decode(Pipeline.self, from: Data(encoder.encode(pipeline).utf8)).tasks.map(\.id)
            == tasks.map(\.id))
        #expect(try encoder.encode([tasks[4]]) == #"[{"action":{"uses":{"_0":"noop","with":{}}},"id":"kind"}]"#)
    }

    @Test("a task whose retry numbers are not finite fails with the path to them, as through the Encoder API")
    func taskWithNonFiniteRetryFails() throws {
        let task = TaskSpec(id: "t", action: .shell("x"), retry: RetryPolicy(retries: 1, backoff: .infinity))
        do {
            _ = try CompactJSONEncoder().encode([task])
            Issue.record("encoding an infinite backoff did not throw")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["Index 0", "retry", "backoff"])
        }
    }

    @Test("a number JSON cannot hold fails with the path to it")
    func nonFiniteNumberFails() throws {
        do {
            _ = try CompactJSONEncoder().encode(Bad())
            Issue.record("encoding NaN did not throw")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["outer", "Index 1", "inner"])
        }
    }
}
