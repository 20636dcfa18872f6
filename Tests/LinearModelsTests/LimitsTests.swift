import Foundation
import Testing

@testable import LinearModels

@Suite struct LinearLimitsTests {
    @Test("maxIterations has an upper bound of 10,000, said in the message")
    func maxIterationsBound() throws {
        let solver = LogisticRegression(l2: 1, maxIterations: 1_000_000_000)
        #expect(throws: LinearModelError.self) {
            try solver.fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels)
        }
        do {
            _ = try solver.fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels)
        } catch {
            #expect("\(error)".contains("expected a whole number in 1…10000"))
        }
    }

    @Test("fit stops before a Newton iteration once shouldStop returns true")
    func cancellation() throws {
        #expect(throws: LinearModelError.cancelled(iteration: 0)) {
            try LogisticRegression(l2: 1).fit(columns: LinearFixtures.columns, labels: LinearFixtures.labels,
                                              shouldStop: { true })
        }
    }
}
