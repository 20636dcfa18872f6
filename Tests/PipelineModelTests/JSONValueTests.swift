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

    @Test("decimal digits are written as String spells them, and integral numbers in JSON as format gives them")
    func decimals() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_764_979_200_000_000_000, .max, .min]
        values += (0..<200).map { _ in Int64.random(in: .min ... .max) }
        for value in values {
            var out: [UInt8] = []
            JSONValue.writeDecimal(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        for number in [0.0, -0.0, 3, -42, 9_007_199_254_740_992, -9_007_199_254_740_992, 2.5, 1e300, -1e-7] {
            #expect(JSONValue.number(number).compactJSON == JSONValue.format(number), "\(number)")
        }
    }

    @Test("compact JSON of empty containers and null, which skip the writer, is what the writer gives")
    func compactShortcuts() {
        for value: JSONValue in [[:], [], nil, [[:]], ["a": []], [nil]] {
            var out: [UInt8] = []
            value.write(into: &out)
            #expect(value.compactJSON == String(decoding: out, as: UTF8.self))
        }
        #expect(JSONValue.object([:]).compactJSON == "{}")
        #expect(JSONValue.array([]).compactJSON == "[]")
        #expect(JSONValue.null.compactJSON == "null")
    }

    @Test("compact JSON escapes exactly quotes, backslashes and control characters, and sorts keys as String does")
    func compactEscapingAndOrder() throws {
        // The reference: the escaping rule spelled out scalar by scalar.
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        let texts = ["", "plain", "say \"hi\"", #"C:\path\"#, "a\r\nb", controls, "é ☃ 𝄞 \u{85}\u{2028}", "\u{7f}/<>"]
        for text in texts {
            #expect(JSONValue.string(text).compactJSON == reference(text), "\(Array(text.utf8))")
            var viaString = ""
            JSONValue.writeQuoted(text, into: &viaString)
            #expect(viaString == reference(text))
        }
        // Keys in String order (the order cache keys were hashed with): not byte order for these.
        let keys = ["b", "B", "a", "é", "e\u{301}x", "z", "Z", "10", "9", ""]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.bool(true)) }))
        #expect(object.compactJSON == "{" + keys.sorted().map { reference($0) + ":true" }.joined(separator: ",") + "}")
        // Objects of one or two members take a shorter path: the same order.
        for first in keys {
            #expect(JSONValue.object([first: .bool(true)]).compactJSON == "{" + reference(first) + ":true}")
            for second in keys where second != first {
                let pair = JSONValue.object([first: .bool(true), second: .null])
                let expected = [first, second].sorted().map { reference($0) + ($0 == first ? ":true" : ":null") }
                #expect(pair.compactJSON == "{" + expected.joined(separator: ",") + "}")
            }
        }
        #expect(JSONValue.object([:]).compactJSON == "{}")
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
