import Foundation
import Testing
import DataValidation
import Tabular

@Suite("Validation rules decoding")
struct ValidationRulesDecodingTests {
    @Test("decodes every snake_case key of the documented JSON shape")
    func decodesFullShape() throws {
        let json = """
        {"min_rows": 1000, "max_null_ratio": 0.1,
         "columns": {"age": {"type": "int", "required": true, "min": 0, "max": 120, "max_null_ratio": 0.05},
                     "color": {"allowed": ["red", "green"], "unique": false, "required": false}},
         "label": "y", "label_balance": {"min": 0.2, "max": 0.8, "positive": "1"}}
        """
        let rules = try ValidationRules(json: Data(json.utf8))
        #expect(rules.minRows == 1000)
        #expect(rules.maxNullRatio == 0.1)
        #expect(rules.columns?["age"] == ColumnRule(type: .int, required: true, min: 0, max: 120, maxNullRatio: 0.05))
        #expect(rules.columns?["color"]?.allowed == ["red", "green"])
        #expect(rules.label == "y")
        #expect(rules.labelBalance == LabelBalance(min: 0.2, max: 0.8, positive: "1"))
    }

    @Test("round-trips through JSON encoding with the same keys")
    func roundTrip() throws {
        let rules = ValidationRules(minRows: 5, columns: ["a": ColumnRule(unique: true, maxNullRatio: 0)], label: "a",
                                    labelBalance: LabelBalance(min: 0.1))
        let data = try JSONEncoder().encode(rules)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"min_rows\":5"))
        #expect(text.contains("\"max_null_ratio\":0"))
        #expect(try ValidationRules(json: data) == rules)
    }

    @Test("rejects a misspelled key and names it", arguments: [
        ("{\"min_row\": 3}", "'min_row'"),
        ("{\"columns\": {\"a\": {\"maximum\": 3}}}", "'maximum'"),
        ("{\"label\": \"y\", \"label_balance\": {\"minimum\": 0.1}}", "'minimum'"),
    ])
    func unknownKeys(json: String, key: String) {
        let error = #expect(throws: ValidationRulesError.self) { try ValidationRules(json: Data(json.utf8)) }
        #expect(error?.description.contains("unknown key \(key)") == true, "\(String(describing: error))")
    }

    @Test("rejects inconsistent limits with a fix")
    func invalidLimits() {
        for json in ["{\"max_null_ratio\": 5}", "{\"columns\": {\"a\": {\"min\": 3, \"max\": 1}}}",
                     "{\"label_balance\": {\"min\": 0.1}}", "{\"min_rows\": -1}", "{\"columns\": {\"a\": {\"type\": \"float\"}}}"] {
            let error = #expect(throws: ValidationRulesError.self) { try ValidationRules(json: Data(json.utf8)) }
            #expect(error?.description.contains("Fix:") == true)
        }
    }
}
