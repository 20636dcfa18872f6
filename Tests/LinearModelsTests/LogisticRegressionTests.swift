import Foundation
import Testing

@testable import LinearModels

/// Expected values from scikit-learn via Fixtures/make_fixtures.py (LinearFixtures.swift).
/// Tolerance 1e-6 absolute: sklearn's lbfgs stops at tol 1e-12 on the gradient, Newton here at 1e-10.
@Suite struct LogisticRegressionTests {
    @Test("coefficients match sklearn LogisticRegression(C=1) on standardised inputs")
    func matchesSklearn() throws {
        let model = try LogisticRegression(l2: 1).fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels)
        #expect(model.converged)
        #expect(abs(model.intercept - LinearFixtures.interceptC1) < 1e-6)
        for (a, b) in zip(model.coefficients, LinearFixtures.coefficientsC1) { #expect(abs(a - b) < 1e-6) }
        let firstRows = LinearFixtures.columns.map { Array($0.prefix(5)) }
        for (a, b) in zip(try model.predictProbability(columns: firstRows), LinearFixtures.firstProbabilitiesC1) {
            #expect(abs(a - b) < 1e-6)
        }
    }

    @Test("sample weights and l2 = 1/C match sklearn LogisticRegression(C=0.5, sample_weight=w)")
    func weighted() throws {
        let model = try LogisticRegression(l2: 2).fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels,
                                                      weights: LinearFixtures.weights)
        #expect(abs(model.intercept - LinearFixtures.interceptWeighted) < 1e-6)
        for (a, b) in zip(model.coefficients, LinearFixtures.coefficientsWeighted) { #expect(abs(a - b) < 1e-6) }
    }

    @Test("original-scale coefficients give the same margins as the standardised model")
    func originalScale() throws {
        let model = try LogisticRegression().fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels)
        let (b, w) = model.originalScale
        let margins = try model.predictMargin(columns: LinearFixtures.columns)
        for i in 0..<10 {
            var m = b
            for j in 0..<3 { m += w[j] * LinearFixtures.columns[j][i] }
            #expect(abs(m - margins[i]) < 1e-9)
        }
    }

    @Test("fitting is deterministic and the model round-trips through JSON")
    func codable() throws {
        let a = try LogisticRegression().fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels,
                                             featureNames: ["age", "debt", "flag"])
        let b = try LogisticRegression().fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels,
                                             featureNames: ["age", "debt", "flag"])
        #expect(a == b)
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(LogisticRegressionModel.self, from: data) == a)
        var json = try #require(String(data: data, encoding: .utf8))
        json = json.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":2")
        #expect(throws: LinearModelError.self) {
            try JSONDecoder().decode(LogisticRegressionModel.self, from: Data(json.utf8))
        }
    }

    @Test("a constant column is harmless and gets a zero coefficient")
    func constantColumn() throws {
        let columns = LinearFixtures.columns + [Array(repeating: 3.0, count: LinearFixtures.labels.count)]
        let model = try LogisticRegression().fit(columns: columns, labels: LinearFixtures.labels)
        #expect(model.coefficients[3] == 0)
        #expect(model.scales[3] == 1)
    }

    @Test("bad input throws LinearModelError with a clear message")
    func badInput() throws {
        let x = [[1.0, 2, 3, 4]]
        #expect(throws: LinearModelError.emptyInput) { try LogisticRegression().fit(columns: [], labels: []) }
        #expect(throws: LinearModelError.invalidLabel(index: 1, value: 0.5)) {
            try LogisticRegression().fit(columns: x, labels: [0, 0.5, 1, 1])
        }
        #expect(throws: LinearModelError.self) { try LogisticRegression().fit(columns: x, labels: [0, .nan, 1, 1]) }
        #expect(throws: LinearModelError.singleClassLabels(presentClass: 1)) {
            try LogisticRegression().fit(columns: x, labels: [1, 1, 1, 1])
        }
        #expect(throws: LinearModelError.nonFiniteFeature(column: 0, row: 2)) {
            try LogisticRegression().fit(columns: [[1, 2, .nan, 4]], labels: [0, 1, 0, 1])
        }
        #expect(throws: LinearModelError.countMismatch(what: "values in a column", expected: 4, found: 3)) {
            try LogisticRegression().fit(columns: [[1, 2, 3]], labels: [0, 1, 0, 1])
        }
        #expect(throws: LinearModelError.singularHessian) {
            // Two identical columns and no penalty: the Hessian is singular.
            try LogisticRegression(l2: 0).fit(columns: [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]],
                                              labels: [0, 1, 0, 1, 1, 0])
        }
        let model = try LogisticRegression().fit(columns: x, labels: [0, 1, 0, 1])
        #expect(throws: LinearModelError.featureCountMismatch(expected: 1, found: 2)) {
            try model.predictProbability(columns: [[1], [2]])
        }
        #expect(LinearModelError.singularHessian.description.contains("l2 > 0"))
    }
}
