import Notifications
import Testing

@Suite struct DeliveryRetryPolicyTests {
    @Test("waits grow exponentially from the initial delay up to the maximum")
    func backoff() {
        let policy = DeliveryRetryPolicy(initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(5))
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(policy.delay(afterAttempt: 10_000) == .seconds(5))
    }

    @Test("a Retry-After replaces the backoff, capped at maxRetryAfter")
    func retryAfter() {
        let policy = DeliveryRetryPolicy(maxRetryAfter: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600)) == .seconds(60))
    }
}
