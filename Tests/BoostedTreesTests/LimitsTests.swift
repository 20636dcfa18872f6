import Foundation
import Synchronization
import Testing

@testable import BoostedTrees

/// Counts calls across threads.
final class CallCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds one and returns the new count.
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

@Suite struct LimitsTests {
    static let x = try! FeatureMatrix(columns: [[1, 2, 3, 4, 5, 6, 7, 8]], names: ["x"])
    static let y: [Double] = [0, 0, 0, 1, 0, 1, 1, 1]

    @Test("n_estimators, early_stopping_rounds and threads have upper bounds; the message says the bound")
    func upperBounds() throws {
        var p = BoostingParameters()
        p.nEstimators = 1_000_000_000
        #expect(throws: BoostingError.self) { try p.validate() }
        do {
            try p.validate()
        } catch {
            #expect("\(error)".contains("n_estimators = 1000000000 is invalid; expected an integer in 1…100000"))
        }
        p.nEstimators = BoostingParameters.maxEstimators
        try p.validate()
        p.earlyStoppingRounds = 100_001
        #expect(throws: BoostingError.invalidParameter(
            name: "early_stopping_rounds", value: "100001", expected: "an integer in 1…100000 or null")) { try p.validate() }
        p.earlyStoppingRounds = nil
        p.threads = 1_000_000
        #expect(throws: BoostingError.self) { try p.validate() }
        let decoded = Result { try JSONDecoder().decode(BoostingParameters.self, from: Data(#"{"n_estimators": 1000000000}"#.utf8)) }
        #expect(throws: BoostingError.self) { try decoded.get() }
    }

    @Test("fit stops between boosting rounds once shouldStop returns true")
    func cancellation() throws {
        var p = BoostingParameters()
        p.nEstimators = 100_000
        p.threads = 1
        let calls = CallCounter()
        let started = ContinuousClock.now
        #expect(throws: BoostingError.cancelled(round: 5)) {
            try GradientBoostedTrees(parameters: p).fit(Self.x, labels: Self.y, shouldStop: {
                calls.next() > 6
            })
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(BoostingError.cancelled(round: 5).description.contains("cancelled before boosting round 6"))
    }
}
