public import PipelineModel

/// A notification that would have been sent: for test runs (`kiln test --smoke`), which show notifications instead of
/// sending them.
public struct CapturedNotification: Sendable, Hashable, CustomStringConvertible {
    /// What happened (`failure`, `success`, `deployed`, …).
    public var event: NotificationEventKind
    /// `slack`, `pagerduty` or `webhook`.
    public var destination: String
    /// Where it would go, with secrets removed (`https://hooks.slack.com/…`).
    public var target: String
    /// The task it is about, if any.
    public var task: String?
    /// The error or detail it carries, if any.
    public var detail: String?

    /// `failure → slack https://hooks.slack.com/… (task train: …)`.
    public var description: String {
        var text = "\(event.rawValue) → \(destination) \(target)"
        if let task { text += " (task \(task)" + (detail.map { ": \($0)" } ?? "") + ")" } else if let detail {
            text += " (\(detail))"
        }
        return text
    }
}

extension NotificationDispatcher {
    /// Takes every queued event until ``finish()`` and returns the notifications the pipeline's rules would send,
    /// sending nothing. Destinations are resolved from `environment` to know their kind, and shown redacted; a rule
    /// whose expressions cannot be resolved is shown with the target `(unresolved: …)`.
    ///
    /// Call ``finish()`` first (or concurrently) so that the stream ends.
    /// - Parameter environment: What `${{ env.X }}` in the rules reads.
    /// - Returns: One entry per event and matching rule, in order.
    public func captured(environment: [String: String]) async -> [CapturedNotification] {
        var captured: [CapturedNotification] = []
        for await item in pending {
            for rule in item.rules where rule.matches(item.event.kind) {
                let event = item.event
                let detail = event.error ?? event.details["detail"]
                do {
                    let destination = try rule.rendered(in: EnvironmentScope(environment: environment)).destination
                    captured.append(CapturedNotification(
                        event: event.kind, destination: destination.kind, target: destination.redactedTarget,
                        task: event.failedTask, detail: detail))
                } catch {
                    captured.append(CapturedNotification(
                        event: event.kind, destination: "rule", target: "(unresolved: \(error))", task: event.failedTask,
                        detail: detail))
                }
            }
        }
        return captured
    }
}
