import Foundation
import Testing

@testable import PipelineModel

/// `JSONValue(parsing:)` must read every JSON text as `JSONDecoder` does, and accept nothing it refuses.
@Suite("JSONValue(parsing:)")
struct JSONValueParsingTests {
    static func decoded(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Same value, and numbers with the same bits (`-0.0` stays negative).
    static func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.number(let x)?, .number(let y)?): return x.bitPattern == y.bitPattern
        case (.array(let x)?, .array(let y)?): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x)?, .object(let y)?): return x.keys == y.keys && x.keys.allSatisfy { same(x[$0], y[$0]) }
        default: return a == b
        }
    }

    @Test("valid texts give JSONDecoder's value: escapes, surrogate pairs, numbers at the edges of exactness")
    func agreesWithJSONDecoder() {
        let texts = [
            "null", "true", "false", "0", "-0", "1", "-1", "3.0", "0.1", "1e3", "1E-3", "-2.5e+10", "123456789012345678",
            "9007199254740993", "-9007199254740993", "1.7976931348623157e308", "5e-324", "0.30000000000000004",
            #""""#, #""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u4e2d\ud83d\ude00""#, #""é 中 😀""#,
            "[]", "{}", " [ 1 , [ 2 , { } ] ] ", #"{"a":1,"b":[true,null,"x"],"c":{"d":-0.5}}"#,
            #"{"files":{"data/x.csv":{"bytes":12,"digest":"sha256:ab","rows":3}},"seeds":[42],"started_at":"1764979200123456789"}"#,
        ]
        for text in texts {
            let parsed = JSONValue(parsing: text)
            #expect(Optional(parsed) != .some(.none), "\(text)")
            #expect(Self.same(parsed, Self.decoded(text)), "\(text)")
        }
    }

    @Test("what JSONDecoder refuses is refused (and a caller falls back to it for the reason)")
    func refusesInvalidText() {
        // Refused here, read by JSONDecoder (trailing commas): callers fall back to it and get its value.
        for text in ["[1,]", "{\"a\":1,}"] {
            #expect(Optional(JSONValue(parsing: text)) == .some(.none), "\(text)")
        }
        let texts = [
            "", " ", "nul", "tru", "fals", "True", "01", "-", "1.", ".5", "1e", "+1", "NaN", "Infinity", "1e400", "[1 2]",
            "{\"a\" 1}", "{a:1}", "\"unterminated", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"tab\there\"", "[1] 2", "[" + String(repeating: "[", count: 600) + "]",
        ]
        for text in texts {
            let parsed: JSONValue?? = .some(JSONValue(parsing: text))
            #expect(parsed == .some(.none), "\(text) read as \(String(describing: parsed))")
            #expect(Self.decoded(text) == nil, "JSONDecoder reads \(text)")
        }
    }

    @Test("random values written by compactJSON read back equal")
    func roundTrip() {
        for _ in 0..<500 {
            let value = Self.random(0)
            let text = value.compactJSON
            #expect(Self.same(JSONValue(parsing: text), Self.decoded(text)), "\(text)")
            #expect(Optional(JSONValue(parsing: text)) != .some(.none), "\(text)")
        }
    }

    @Test("prettyJSON is the text JSONEncoder writes with prettyPrinted, sortedKeys and withoutEscapingSlashes")
    func prettyJSONIsJSONEncoders() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let fixed: [JSONValue] = [
            [:], [], ["a": [], "b": [:], "c": [[], [:], [[:]]]], "back\u{8}space form\u{c}feed \u{7f} \u{1f} é/😀",
            ["t10": 1, "t2": 2, "T": 3, "": 4, "é": 5, "a_b": 6, "a-b": 7], .number(-0.0), .number(1e21), .number(0.1 + 0.2),
            .number(1e-7), .number(-123456789012.5), .null, true,
        ]
        for value in fixed + (0..<500).map({ _ in Self.random(0) }) {
            let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
            #expect(value.prettyJSON == expected)
        }
    }

    static func random(_ depth: Int) -> JSONValue {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2:
                let value = [Double.random(in: -1e6...1e6, using: &generator), Double(Int.random(in: -1000...1000, using: &generator)),
                             Double.random(in: -1e-300...1e-300, using: &generator), 1e21, -0.0][Int.random(in: 0..<5, using: &generator)]
                return .number(value)
            case 3:
                let alphabet = Array("aé\"\\\n\t\u{01}😀/ z")
                return .string(String((0..<Int.random(in: 0..<8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
            case 4: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth + 1) })
            default:
                return .object(Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 0..<4, using: &generator)).map { index in
                    ("k\(index)\u{e9}", random(depth + 1))
                }))
            }
        }
        return random(depth)
    }
}
