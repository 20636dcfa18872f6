public import AsyncHTTPClient
public import Logging
public import PipelineModel
import NIOCore

/// Sends run events to the destinations of a pipeline's `notify:` rules: Slack, PagerDuty and webhooks.
///
/// Delivery never throws and never needs the engine: the caller runs ``deliver(_:rules:)`` off the engine's path
/// (for example in a child task of the event reader) and keeps the returned ``DeliveryRecord``s. Each matching
/// rule is sent concurrently with its own retries: 429, 5xx and network errors are retried with exponential
/// backoff (``DeliveryRetryPolicy``), waiting on the injected clock; other answers end the delivery at once.
///
/// Secrets (webhook URLs, routing keys, header values) go only into the HTTP requests: logs and records show
/// URLs as `scheme://host/…`, and error texts are scrubbed of every secret of the destination.
///
/// ```swift
/// let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Notifier.clientConfiguration)
/// let notifier = Notifier(client: client, clock: SystemClock(), logger: logger)
/// let records = await notifier.deliver(event, rules: resolvedRules)   // one record per matching rule
/// try await client.shutdown()
/// ```
public struct Notifier: Sendable {
    /// The HTTP client configuration the notifier is meant to run with: connection failures surface at once
    /// (the notifier retries them itself, on its clock) and redirects are not followed, so a message and its
    /// secrets are never forwarded to another host.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(5))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    let client: HTTPClient
    let clock: any PipelineClock
    let retry: DeliveryRetryPolicy
    let logger: Logger

    /// Creates a notifier.
    /// - Parameters:
    ///   - client: The HTTP client to send with; the caller owns it and shuts it down. ``clientConfiguration``
    ///     is the recommended configuration.
    ///   - clock: The clock that retry waits sleep on (`ManualClock` in tests) and records are stamped with.
    ///   - retry: How failed deliveries are retried.
    ///   - logger: Where delivery outcomes are logged (`debug` per attempt, `warning` when a delivery fails).
    public init(
        client: HTTPClient, clock: any PipelineClock, retry: DeliveryRetryPolicy = DeliveryRetryPolicy(), logger: Logger
    ) {
        self.client = client
        self.clock = clock
        self.retry = retry
        self.logger = logger
    }

    /// Sends `event` to every rule whose `on:` lists its kind, concurrently, and waits for all of them.
    ///
    /// - Parameters:
    ///   - event: What happened.
    ///   - rules: The pipeline's rules with their expressions already resolved (real URLs and keys).
    /// - Returns: One record per matching rule, in the rules' order; empty when no rule matches.
    ///   Cancelling the calling task ends pending retries, and their records say so.
    public func deliver(_ event: NotificationEvent, rules: [NotificationRule]) async -> [DeliveryRecord] {
        let matching = rules.filter { $0.matches(event.kind) }
        guard !matching.isEmpty else { return [] }
        // Scrub every text with the secrets of all rules: a server may echo anything.
        let secrets = Array(Set(matching.flatMap(\.destination.secrets))).sorted { ($0.count, $0) > ($1.count, $1) }
        return await withTaskGroup(of: (Int, DeliveryRecord).self) { group in
            for (index, rule) in matching.enumerated() {
                group.addTask { (index, await deliver(event, to: rule.destination, scrubbing: secrets)) }
            }
            var records = [DeliveryRecord?](repeating: nil, count: matching.count)
            for await (index, record) in group { records[index] = record }
            return records.compactMap { $0 }
        }
    }

    /// Sends `event` to one destination, retrying as the policy says.
    /// - Parameters:
    ///   - event: What happened.
    ///   - destination: Where to send it, with real URLs and keys.
    /// - Returns: The outcome; never throws.
    public func deliver(_ event: NotificationEvent, to destination: NotificationDestination) async -> DeliveryRecord {
        await deliver(event, to: destination, scrubbing: destination.secrets)
    }

    private func deliver(
        _ event: NotificationEvent, to destination: NotificationDestination, scrubbing secrets: [String]
    ) async -> DeliveryRecord {
        var logger = self.logger
        logger[metadataKey: "notify.destination"] = "\(destination.kind)"
        logger[metadataKey: "notify.target"] = "\(destination.redactedTarget)"
        logger[metadataKey: "notify.event"] = "\(event.kind.rawValue)"
        logger[metadataKey: "pipeline.name"] = "\(event.pipeline)"
        logger[metadataKey: "run.id"] = "\(event.runID)"

        func record(ok: Bool, attempts: Int, status: Int?, error: String?) -> DeliveryRecord {
            DeliveryRecord(
                destination: destination.kind, target: destination.redactedTarget, event: event.kind, ok: ok,
                attempts: attempts, status: status, error: error, at: clock.now)
        }

        guard NotificationRequest.isUsable(destination.url) else {
            let reason = "The \(destination.kind) URL is not an absolute http(s) URL; check the expression that sets it."
            logger.warning("Notification destination unusable", metadata: ["error.message": "\(reason)"])
            return record(ok: false, attempts: 0, status: nil, error: reason)
        }
        let request = NotificationRequest.make(for: event, to: destination)

        var attempts = 0
        var lastStatus: Int?
        var lastError = "cancelled before the first attempt"
        delivering: while !Task.isCancelled {
            attempts += 1
            let outcome = await attempt(request, secrets: secrets)
            lastStatus = outcome.status ?? lastStatus
            var attemptLogger = logger
            attemptLogger[metadataKey: "notify.attempt"] = "\(attempts)"
            if let status = outcome.status { attemptLogger[metadataKey: "http.status"] = "\(status)" }
            switch outcome {
            case .delivered(let status):
                attemptLogger.debug("Notification delivered")
                return record(ok: true, attempts: attempts, status: status, error: nil)
            case .rejected(_, let reason):
                attemptLogger.warning("Notification rejected", metadata: ["error.message": "\(reason)"])
                return record(ok: false, attempts: attempts, status: lastStatus, error: reason)
            case .retryable(_, let reason, let retryAfter):
                lastError = reason
                guard attempts < retry.maxAttempts else {
                    attemptLogger.warning("Notification delivery gave up", metadata: ["error.message": "\(reason)"])
                    return record(ok: false, attempts: attempts, status: lastStatus, error: reason)
                }
                let delay = retry.delay(afterAttempt: attempts, retryAfter: retryAfter)
                attemptLogger.debug(
                    "Notification attempt failed; retrying",
                    metadata: ["error.message": "\(reason)", "notify.retry_in_ms": "\(delay.nanoseconds / 1_000_000)"])
                do {
                    try await clock.sleep(until: clock.now.adding(delay))
                } catch {
                    break delivering  // cancelled while waiting
                }
            }
        }
        let reason = attempts == 0 ? lastError : "cancelled while waiting to retry; last error: \(lastError)"
        logger.warning("Notification delivery cancelled", metadata: ["error.message": "\(reason)"])
        return record(ok: false, attempts: attempts, status: lastStatus, error: reason)
    }
}
