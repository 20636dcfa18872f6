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
