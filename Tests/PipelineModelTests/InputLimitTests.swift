import Foundation
import Testing

@testable import PipelineModel

/// Expressions and values have explicit limits: input can never drive the parser or evaluator into a stack overflow,
/// and numbers keep their meaning.
@Suite struct InputLimitTests {
    private func parseError(_ text: String) -> ExpressionError? {
        do {
            _ = try ExpressionParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    private static let tooDeep =
        "the expression nests more than 100 levels deep (parentheses, '!' and chained operators each add one); "
        + "simplify it or split it across tasks"

    @Test("20,000 nested parentheses are refused with the length limit, not a stack overflow")
    func nestedParentheses() {
        let text = String(repeating: "(", count: 20_000) + "true" + String(repeating: ")", count: 20_000)
        let error = parseError(text)
        #expect(error?.offset == 0)
        #expect(error?.message.hasPrefix("the expression is 40004 characters long, more than the limit of 10000") == true)
    }

    @Test("nesting within the length limit is refused past 100 levels, at the offending token")
    func deepParentheses() {
        let text = String(repeating: "(", count: 2_000) + "true" + String(repeating: ")", count: 2_000)
        #expect(parseError(text) == ExpressionError(Self.tooDeep, at: 99))
        let fine = String(repeating: "(", count: 99) + "true" + String(repeating: ")", count: 99)
        #expect(parseError(fine) == nil)
    }

    @Test("a 100,000-term chain of || is refused, and a long chain within the limits still evaluates")
    func longChains() throws {
        let huge = Array(repeating: "true", count: 100_000).joined(separator: " || ")
        #expect(parseError(huge)?.offset == 0)
        let deep = Array(repeating: "true", count: 1_000).joined(separator: "||")
        #expect(parseError(deep) == ExpressionError(Self.tooDeep, at: 99 * 6 + 4))
        let fine = Array(repeating: "false", count: 98).joined(separator: " || ") + " || true"
        #expect(try ExpressionParser.parse(fine).evaluate(in: FixedContext()) == .bool(true))
    }

    @Test("100,000 '!' are refused; 99 still evaluate")
    func manyNots() throws {
        #expect(parseError(String(repeating: "!", count: 100_000) + "true")?.offset == 0)
        #expect(parseError(String(repeating: "!", count: 5_000) + "true") == ExpressionError(Self.tooDeep, at: 99))
        let fine = try ExpressionParser.parse(String(repeating: "!", count: 99) + "true")
        #expect(try fine.evaluate(in: FixedContext()) == .bool(false))
    }

    @Test("a deep condition is a plan issue at its field, not a crash at run time")
    func planIssue() {
        let condition = String(repeating: "!", count: 100_000) + "true"
        let value = "${{ " + String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000) + " }}"
        let pipeline = Pipeline(name: "p", tasks: [
            TaskSpec(id: "a", condition: condition, action: .uses("noop", with: ["x": .string(value)])),
        ])
        #expect {
            try Plan(pipeline)
        } throws: { error in
            let issues = (error as? PipelineValidationError)?.issues ?? []
            return issues.map(\.pathText) == ["tasks.a.if", "tasks.a.with.x"]
                && issues.allSatisfy { $0.message.contains("more than the limit of 10000") }
                && issues.map(\.offset) == [0, 3]
        }
    }

    @Test("number literals that are not finite are refused in expressions")
    func infiniteLiteral() {
        #expect(parseError("1e400 > 1") == ExpressionError("the number 1e400 is too large (numbers go up to about 1.8e308)", at: 0))
    }

    @Test("integers print exactly up to 2^53 and never with an exponent below it")
    func integers() throws {
        #expect(JSONValue.format(9_007_199_254_740_992) == "9007199254740992")
        #expect(JSONValue.format(9_000_000_000_000_001) == "9000000000000001")
        #expect(JSONValue.number(9_000_000_000_000_001).intValue == 9_000_000_000_000_001)
        #expect(JSONValue.number(1.5).intValue == nil)
        let data = try JSONEncoder().encode(JSONValue.number(9_007_199_254_740_992))
        #expect(String(decoding: data, as: UTF8.self) == "9007199254740992")
    }

    @Test("non-finite numbers encode as null, as compactJSON writes them, never as an EncodingError")
    func nonFiniteEncoding() throws {
        let data = try JSONEncoder().encode(JSONValue.array([.number(.infinity), .number(.nan)]))
        #expect(String(decoding: data, as: UTF8.self) == "[null,null]")
    }

    @Test("params and inputs that cannot be stored are plan issues with their path")
    func storageProblems() {
        var deep = JSONValue.number(1)
        for _ in 0..<511 { deep = .array([deep]) }
        let pipeline = Pipeline(
            name: "p", params: ["big": .number(.infinity), "deep": deep],
            tasks: [TaskSpec(id: "a", action: .uses("noop", with: ["n": ["x": .number(.nan)]]))])
        #expect {
            try Plan(pipeline)
        } throws: { error in
            let issues = (error as? PipelineValidationError)?.issues.map(\.description) ?? []
            let deepPath = "params.deep" + String(repeating: "[0]", count: 64)
            return issues == [
                "params.big: inf is not a finite number, which JSON cannot hold; use a finite number or text",
                deepPath + ": lists and mappings nest more than 64 levels deep here (the limit); flatten the value",
                "tasks.a.with.n.x: nan is not a finite number, which JSON cannot hold; use a finite number or text",
            ]
        }
    }

    @Test("NUL characters in command lines are plan issues at their element")
    func nulBytes() {
        let pipeline = Pipeline(name: "p", tasks: [
            TaskSpec(id: "a", action: .run(["echo", "a\u{0}b"]), env: ["K": "v\u{0}"], workdir: "w\u{0}"),
            TaskSpec(id: "b", action: .shell("echo \u{0}")),
        ])
        #expect {
            try Plan(pipeline)
        } throws: { error in
            let issues = (error as? PipelineValidationError)?.issues.map(\.pathText) ?? []
            return issues == ["tasks.a.run[1]", "tasks.a.env.K", "tasks.a.workdir", "tasks.b.shell"]
        }
    }
}
