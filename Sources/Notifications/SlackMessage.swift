public import PipelineModel

/// Builds the JSON body of a Slack incoming-webhook message for an event.
///
/// The message has a plain `text` (shown in notifications and where blocks are not rendered) and `blocks`:
/// a `header` with the headline, a `section` with fields (pipeline, run, state, failed task, then the event's
/// details), a `section` with the error in a code block, and a `section` with a link to the run when the event has
/// one. User text is escaped for Slack's mrkdwn and trimmed to Slack's limits (header 150 characters, field 2000,
/// section 3000, at most 10 fields).
///
/// ```json
/// {"text": "🔴 nightly failed (run 2026…): task train: exit code 1",
///  "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "🔴 nightly failed", "emoji": true}},
///             {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Pipeline*\nnightly"}, …]},
///             {"type": "section", "text": {"type": "mrkdwn", "text": "*Error*\n```exit code 1```"}},
///             {"type": "section", "text": {"type": "mrkdwn", "text": "<https://kiln.example/runs/2026…|Open run 2026…>"}}]}
/// ```
public enum SlackMessage {
    /// The message for `event`, ready to be posted as JSON.
    public static func make(for event: NotificationEvent) -> JSONValue {
        let title = "\(symbol(for: event.kind)) \(event.pipeline) \(event.headline)"
        var blocks: [JSONValue] = [
            ["type": "header", "text": ["type": "plain_text", "text": .string(title.truncated(to: 150)), "emoji": true]]
        ]
        // (label, value already in mrkdwn)
        var fields: [(String, String)] = [
            ("Pipeline", event.pipeline.slackEscaped), ("Run", "`\(event.runID.slackEscaped)`"),
            ("State", event.state.slackEscaped),
        ]
        if let failedTask = event.failedTask { fields.append(("Failed task", failedTask.slackEscaped)) }
        for key in event.details.keys.sorted() { fields.append((key, event.details[key]!.slackEscaped)) }
        blocks.append([
            "type": "section",
            "fields": .array(fields.prefix(10).map { name, value in
                mrkdwn("*\(name.slackEscaped)*\n\(value)".truncated(to: 2000))
            }),
        ])
        if let error = event.error, !error.isEmpty {
            let body = error.replacingAll("```", with: "ˋˋˋ").slackEscaped.truncated(to: 2900)
            blocks.append(["type": "section", "text": mrkdwn("*Error*\n```\(body)```")])
        }
        if let link = event.link, !link.isEmpty {
            blocks.append(["type": "section", "text": mrkdwn("<\(slackLinkTarget(link))|Open run \(event.runID.slackEscaped)>")])
        }
        var text = "\(symbol(for: event.kind)) \(event.summary)".slackEscaped.truncated(to: 3000)
        if let link = event.link, !link.isEmpty { text += " <\(slackLinkTarget(link))|open run>" }
        return ["text": .string(text), "blocks": .array(blocks)]
    }

    /// The emoji that starts the headline of each kind of event.
    static func symbol(for kind: NotificationEventKind) -> String {
        switch kind {
        case .failure: return "🔴"
        case .success: return "✅"
        case .deployed: return "🚀"
        case .rolledBack: return "↩️"
        case .approvalNeeded: return "✋"
        case .retrying: return "🔁"
        }
    }

    private static func mrkdwn(_ text: String) -> JSONValue {
        ["type": "mrkdwn", "text": .string(text)]
    }

    /// A URL made safe inside `<url|label>`: the characters that would end the link are percent-encoded.
    private static func slackLinkTarget(_ link: String) -> String {
        var out = ""
        for character in link {
            switch character {
            case "|": out += "%7C"
            case "<": out += "%3C"
            case ">": out += "%3E"
            case " ": out += "%20"
            default: out.append(character)
            }
        }
        return out
    }
}
