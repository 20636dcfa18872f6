import Testing

@testable import PipelineModel

struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RetryPolicyTests {
    @Test("exponential backoff doubles the delay: 5m, 10m, 20m")
    func backoff() {
        let policy = RetryPolicy(retries: 3, delay: .seconds(300), backoff: 2)
        #expect((1...3).map { policy.baseDelay(beforeRetry: $0) } == [.seconds(300), .seconds(600), .seconds(1200)])
    }

    @Test("the max delay caps the backoff")
    func cap() {
        let policy = RetryPolicy(retries: 5, delay: .seconds(1800), backoff: 2, maxDelay: .seconds(3600))
        #expect((1...4).map { policy.baseDelay(beforeRetry: $0) } == [.seconds(1800), .seconds(3600), .seconds(3600), .seconds(3600)])
    }

    @Test("jitter stays within the fraction and is seeded")
    func jitter() {
        let policy = RetryPolicy(retries: 1, delay: .seconds(100), jitter: 0.1)
        var random = SeededRandom(state: 42)
        var seen = Set<Int64>()
        for _ in 0..<200 {
            let delay = policy.delay(beforeRetry: 1, using: &random)
            #expect(delay >= .seconds(90) && delay <= .seconds(110))
            seen.insert(delay.nanoseconds)
        }
        #expect(seen.count > 100)
        var first = SeededRandom(state: 7), second = SeededRandom(state: 7)
        #expect(policy.delay(beforeRetry: 1, using: &first) == policy.delay(beforeRetry: 1, using: &second))
    }

    @Test("a constant delay is the default backoff")
    func constant() {
        let policy = RetryPolicy(retries: 2, delay: .seconds(5))
        #expect(policy.baseDelay(beforeRetry: 2) == .seconds(5))
    }
}
