extension NotificationDestination {
    /// Every string of the destination as written (URL, routing key, header values), for checking the references of
    /// its `${{ … }}` expressions before a run.
    public var templateTexts: [String] {
        switch self {
        case .slack(let webhook): return [webhook]
        case .pagerDuty(let routingKey, let url): return [routingKey, url]
        case .webhook(let url, let headers): return [url] + headers.keys.sorted().map { headers[$0]! }
        }
    }

    /// The destination with each `${{ … }}` in its strings replaced by its value in `context` (a missing variable
    /// renders as the empty string, which the notifier reports as an unusable URL).
    ///
    /// The result holds real secrets: hand it to the notifier and do not store it.
    /// - Throws: `ExpressionError` when a string is not a valid template or an expression cannot be evaluated.
    public func rendered(in context: some ExpressionContext) throws(ExpressionError) -> NotificationDestination {
        func render(_ text: String) throws(ExpressionError) -> String { try Template(text).render(in: context) }
        switch self {
        case .slack(let webhook):
            return .slack(webhook: try render(webhook))
        case .pagerDuty(let routingKey, let url):
            return .pagerDuty(routingKey: try render(routingKey), url: try render(url))
        case .webhook(let url, let headers):
            var rendered: [String: String] = [:]
            for (name, value) in headers { rendered[name] = try render(value) }
            return .webhook(url: try render(url), headers: rendered)
        }
    }
}

extension NotificationRule {
    /// The rule with its destination's expressions resolved in `context` (see ``NotificationDestination/rendered(in:)``).
    /// - Throws: `ExpressionError` when an expression cannot be evaluated.
    public func rendered(in context: some ExpressionContext) throws(ExpressionError) -> NotificationRule {
        NotificationRule(on: on, destination: try destination.rendered(in: context))
    }
}

extension NotificationRule {
    /// The environment variables the rule's destination reads (`${{ env.SLACK_WEBHOOK }}` → `SLACK_WEBHOOK`):
    /// secrets that task processes must not inherit. A string that is not a valid template names none.
    public var environmentNames: Set<String> {
        var names: Set<String> = []
        for text in destination.templateTexts {
            guard let template = try? Template(text) else { continue }
            for expression in template.expressions {
                for path in expression.references where path.count == 2 && path[0] == "env" { names.insert(path[1]) }
            }
        }
        return names
    }
}
