import Foundation
import Testing

@testable import DriftStatistics

@Suite struct DriftCancellationTests {
    @Test("detect stops with .cancelled once shouldStop returns true, and runs to the end otherwise")
    func cancellation() throws {
        let reference = [DriftColumn(name: "x", values: DriftFixtures.a)]
        let current = [DriftColumn(name: "x", values: DriftFixtures.b)]
        #expect(throws: DriftError.cancelled) {
            try DriftDetector.detect(reference: reference, current: current, shouldStop: { true })
        }
        #expect(try DriftDetector.detect(reference: reference, current: current, shouldStop: { false }).columns.count == 1)
    }
}
