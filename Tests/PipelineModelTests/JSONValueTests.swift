import Foundation
import Testing

@testable import PipelineModel

@Suite struct JSONValueTests {
    @Test("round-trips through JSON with integral numbers printed without a fraction")
    func roundTrip() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true], "b": ["c": "d\n\"q\""]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(value.compactJSON == #"{"a":[1,2.5,"x",null,true],"b":{"c":"d\n\"q\""}}"#)
    }

    @Test("pipelines round-trip through their snapshot form")
    func snapshot() throws {
        let pipeline = Pipeline(name: "p", description: "d", params: ["x": 1], tasks: [
            TaskSpec(id: "a", needs: [], condition: "always()", action: .run(["echo", "hi"]), env: ["K": "V"], workdir: "w",
                     retry: RetryPolicy(retries: 3, delay: .seconds(300), backoff: 2, maxDelay: .seconds(3600), jitter: 0.1),
                     timeout: .seconds(1800), cache: CachePolicy(expire: .seconds(3600), version: "2")),
            TaskSpec(id: "b", needs: ["a"], action: .uses("noop", with: ["n": 1])),
            TaskSpec(id: "c", needs: ["a"], action: .shell("echo $X")),
        ])
        let data = try JSONEncoder().encode(pipeline)
        #expect(try JSONDecoder().decode(Pipeline.self, from: data) == pipeline)
    }
}
