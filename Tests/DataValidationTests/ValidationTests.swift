import Foundation
import Testing
import DataValidation
import Tabular

@Suite("Validation checks")
struct ValidationTests {
    /// 10 rows: id (one duplicate), amount (1 null, one value 500), color (one 'purple'), y (3 of 10 positive).
    func frame() throws -> DataFrame {
        try DataFrame(columns: [
            Column(name: "id", ints: [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]),
            Column(name: "amount", doubles: [1, 2, nil, 4, 5, 6, 7, 8, 9, 500]),
            Column(name: "color", strings: ["red", "green", "red", "purple", "red", "green", "red", "red", nil, "green"]),
            Column(name: "y", ints: [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]),
        ])
    }

    @Test("a frame that satisfies every rule passes with no violations")
    func passes() throws {
        let rules = ValidationRules(
            minRows: 10, maxNullRatio: 0.1,
            columns: ["amount": ColumnRule(type: .double, min: 0, max: 1000, maxNullRatio: 0.1),
                      "id": ColumnRule(type: .double), "y": ColumnRule(allowed: ["0", "1"])],
            label: "y", labelBalance: LabelBalance(min: 0.2, max: 0.8))
        let report = rules.validate(try frame())
        #expect(report.passed)
        #expect(report.violations.isEmpty)
        #expect(report.rows == 10 && report.columns == 4)
        #expect(report.nullRatios["amount"] == 0.1)
        #expect(report.nullRatio == 2.0 / 40.0)
    }

    @Test("reports all violations at once with numbers")
    func reportsEverything() throws {
        let rules = ValidationRules(
            minRows: 1000, maxNullRatio: 0.01,
            columns: [
                "amount": ColumnRule(min: 0, max: 100, maxNullRatio: 0.05),
                "color": ColumnRule(type: .string, allowed: ["red", "green"]),
                "id": ColumnRule(type: .string, unique: true),
                "missing": ColumnRule(),
                "optional": ColumnRule(required: false),
            ],
            label: "y", labelBalance: LabelBalance(min: 0.35, max: 0.65))
        let report = rules.validate(try frame())
        #expect(!report.passed)
        #expect(report.violations.map(\.message) == [
            "rows: 10 < 1000 required",
            "table: 5 % null cells > 1 % allowed",
            "column amount: 10 % null > 5 % allowed",
            "column amount: 1 values > max 100 (highest 500)",
            "column color: 1 values not allowed (1 distinct, e.g. 'purple'); allowed: green, red",
            "column id: type int, expected string",
            "column id: 1 duplicate values (e.g. 9)",
            "column missing: required column is missing. Fix: add it or set \"required\": false",
            "label y: class 0 share 70 % > 65 % allowed",
            "label y: class 1 share 30 % < 35 % required",
        ])
        #expect(report.violations.first?.actual == 10)
        #expect(report.violations.first?.limit == 1000)
    }

    @Test("null percentages keep enough decimals to differ from the limit")
    func percentPrecision() throws {
        let values: [Double?] = (0..<1000).map { $0 < 72 ? nil : 1 }
        let frame = try DataFrame(columns: [Column(name: "amount", doubles: values)])
        let rules = ValidationRules(columns: ["amount": ColumnRule(maxNullRatio: 0.05)])
        #expect(rules.validate(frame).violations.map(\.message) == ["column amount: 7.2 % null > 5 % allowed"])
        let close = ValidationRules(columns: ["amount": ColumnRule(maxNullRatio: 0.0715)])
        #expect(close.validate(frame).violations.map(\.message) == ["column amount: 7.2 % null > 7.15 % allowed"])
        let closer = ValidationRules(columns: ["amount": ColumnRule(maxNullRatio: 0.07199)])
        #expect(closer.validate(frame).violations.first?.message == "column amount: 7.2 % null > 7.199 % allowed")
    }

    @Test("checks only the positive class when one is named")
    func positiveClass() throws {
        let rules = ValidationRules(label: "y", labelBalance: LabelBalance(min: 0.4, positive: "1"))
        let messages = rules.validate(try frame()).violations.map(\.message)
        #expect(messages == ["label y: class 1 share 30 % < 40 % required"])
        let absent = ValidationRules(label: "y", labelBalance: LabelBalance(min: 0.01, positive: "yes"))
        #expect(absent.validate(try frame()).violations.map(\.message) == ["label y: class yes share 0 % < 1 % required"])
    }

    @Test("min/max on a text column, NaN values and a missing label are violations")
    func awkwardInputs() throws {
        let frame = try DataFrame(columns: [
            Column(name: "t", strings: ["a"]), Column(name: "x", doubles: [.nan]),
        ])
        let rules = ValidationRules(columns: ["t": ColumnRule(min: 0), "x": ColumnRule(max: 1)], label: "y")
        #expect(rules.validate(frame).violations.map(\.message) == [
            "column t: min/max need a numeric column, found string",
            "column x: 1 NaN values cannot satisfy min/max",
            "label y: column is missing (columns: t, x)",
        ])
    }

    @Test("an empty frame has zero null ratios and fails min_rows only")
    func emptyFrame() throws {
        let empty = try DataFrame(columns: [Column(name: "a", ints: [])])
        let report = ValidationRules(minRows: 1, maxNullRatio: 0, columns: ["a": ColumnRule(maxNullRatio: 0)]).validate(empty)
        #expect(report.nullRatios == ["a": 0])
        #expect(report.violations.map(\.rule) == ["min_rows"])
    }

    @Test("the report encodes to snake_case JSON")
    func reportJSON() throws {
        let report = ValidationRules(minRows: 20).validate(try frame())
        let object = try #require(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        #expect(object["passed"] as? Bool == false)
        #expect(object["rows"] as? Int == 10)
        #expect((object["null_ratios"] as? [String: Double])?["amount"] == 0.1)
        let violations = try #require(object["violations"] as? [[String: Any]])
        #expect(violations.first?["message"] as? String == "rows: 10 < 20 required")
        #expect(violations.first?["rule"] as? String == "min_rows")
        #expect(try JSONDecoder().decode(ValidationReport.self, from: report.jsonData()) == report)
    }
}
