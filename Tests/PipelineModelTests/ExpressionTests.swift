import Testing

@testable import PipelineModel

struct FixedContext: ExpressionContext {
    var values: [String: JSONValue] = [:]
    var success = true
    var failure = false

    func value(at path: [String]) throws(ExpressionError) -> JSONValue? { values[path.joined(separator: ".")] }

    func status(_ function: Expression.StatusFunction) -> Bool {
        switch function {
        case .success: return success
        case .failure: return failure
        case .always: return true
        }
    }
}

@Suite struct ExpressionTests {
    let context = FixedContext(values: [
        "tasks.train.outputs.f1": 0.9, "params.min_f1": 0.85, "params.name": "fraud", "params.count": "12",
        "env.MODE": "fast",
    ])

    @Test(
        "evaluates comparisons, logic and literals",
        arguments: [
            ("tasks.train.outputs.f1 > params.min_f1", JSONValue.bool(true)),
            ("tasks.train.outputs.f1 <= params.min_f1", false),
            ("params.name == 'fraud' && env.MODE != 'slow'", true),
            ("!(1 < 2) || false", false),
            ("params.count == 12", true),
            ("params.count > 3", true),
            ("params.missing == null", true),
            ("params.missing > 1", false),
            ("'it''s'", "it's"),
            ("-2.5 < -1", true),
            ("success() && !failure()", true),
            ("always()", true),
            ("params.name || 'x'", "fraud"),
            ("null && true", nil),
        ])
    func evaluates(source: String, expected: JSONValue) throws {
        let expression = try ExpressionParser.parse(source)
        #expect(try expression.evaluate(in: context) == expected)
    }

    @Test(
        "reports syntax errors with the offset of the problem",
        arguments: [
            ("1 +", "unexpected character '+'", 2),
            ("a.b = 1", "'=' is not an operator; compare with '=='", 4),
            ("'open", "string starting here is not closed; end it with '", 0),
            ("(1 < 2", "expected ')'", 6),
            ("launch()", "unknown function 'launch()'", 0),
            ("\"x\"", "strings use single quotes", 0),
            ("1 2", "unexpected number 2 after a complete expression", 2),
        ])
    func syntaxErrors(source: String, message: String, offset: Int) {
        #expect {
            _ = try ExpressionParser.parse(source)
        } throws: { error in
            guard let error = error as? ExpressionError else { return false }
            return error.message.contains(message) && error.offset == offset
        }
    }

    @Test("a whole-string template keeps the value's type; mixed text interpolates")
    func templates() throws {
        #expect(try Template("${{ tasks.train.outputs.f1 }}").value(in: context) == 0.9)
        #expect(try Template("f1=${{ tasks.train.outputs.f1 }} for ${{ params.name }}").value(in: context) == "f1=0.9 for fraud")
        #expect(try Template("plain").isLiteral)
        #expect(try Template("${{ 3 }}").render(in: context) == "3")
    }

    @Test("the template marker is found anywhere, and only as ${{")
    func templateMarker() {
        for text in ["${{ x }}", "a ${{", "ab${{c", "é${{", "$${{"] { #expect(text.containsTemplateMarker, "\(text)") }
        for text in ["", "$", "${", "${ {", "$ {{", "{{ x }}", "plain $ text {{"] { #expect(!text.containsTemplateMarker, "\(text)") }
    }

    @Test("an unclosed template reports where it starts")
    func unclosedTemplate() {
        #expect(throws: ExpressionError("'${{' is not closed; end the expression with '}}'", at: 4)) {
            try Template("abc ${{ params.x")
        }
    }

    @Test("a '}}' inside a quoted string does not end the expression")
    func bracesInString() throws {
        #expect(try Template("${{ '}}' }}").value(in: context) == "}}")
    }
}
