import PipelineModel

/// How the notifier retries a delivery that hit a 429, a 5xx or a network error.
///
/// The wait before retry `n` (counting from 1) is `initialDelay × multiplier^(n-1)`, at most `maxDelay`.
/// A `Retry-After` header (delta-seconds) on a 429 or 503 answer replaces that wait, capped at `maxRetryAfter`.
/// Defaults: 5 attempts, 1 s, ×2, at most 30 s between attempts; `Retry-After` honoured up to 60 s; each request
/// must finish within 10 s. So a destination that is down costs at most about 15 s of waiting plus 5 request timeouts.
public struct DeliveryRetryPolicy: Sendable, Hashable {
    /// The most HTTP requests made for one delivery, the first included (at least 1). Default: 5.
    public var maxAttempts: Int
    /// The wait before the first retry. Default: 1 s.
    public var initialDelay: Duration
    /// The factor applied to the wait after each retry (at least 1). Default: 2.
    public var multiplier: Double
    /// The longest computed wait between attempts. Default: 30 s.
    public var maxDelay: Duration
    /// The longest wait a `Retry-After` header can ask for. Default: 60 s.
    public var maxRetryAfter: Duration
    /// How long one request may take, connection included; measured on the system's clock by the HTTP client.
    /// Default: 10 s.
    public var requestTimeout: Duration

    /// A retry policy; every argument has the default stated on its property.
    public init(
        maxAttempts: Int = 5, initialDelay: Duration = .seconds(1), multiplier: Double = 2,
        maxDelay: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(60), requestTimeout: Duration = .seconds(10)
    ) {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1.")
        precondition(multiplier >= 1, "multiplier must be at least 1.")
        precondition(initialDelay >= .zero && maxDelay >= .zero && maxRetryAfter >= .zero, "Delays cannot be negative.")
        precondition(requestTimeout > .zero, "requestTimeout must be positive.")
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.requestTimeout = requestTimeout
    }

    /// The wait after attempt `attempt` (1-based) failed.
    /// - Parameters:
    ///   - attempt: The attempt that just failed, from 1.
    ///   - retryAfter: The server's `Retry-After`, if it sent one.
    /// - Returns: The server's wish capped at ``maxRetryAfter`` when given, else the backoff capped at ``maxDelay``.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(max(retryAfter, .zero), maxRetryAfter) }
        let factor = pow(multiplier, max(0, attempt - 1))
        let nanoseconds = Double(initialDelay.nanoseconds) * factor
        guard nanoseconds.isFinite, nanoseconds < Double(maxDelay.nanoseconds) else { return maxDelay }
        return .nanoseconds(Int64(nanoseconds))
    }

    private func pow(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(exponent, 64) { result *= base }
        return result
    }
}
