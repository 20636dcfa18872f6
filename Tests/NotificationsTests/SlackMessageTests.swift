import Notifications
import PipelineModel
import Testing

@Suite struct SlackMessageTests {
    /// Every `text` inside the message's blocks (header text, section text, field texts), in order.
    static func blockTexts(_ message: JSONValue) -> [String] {
        var texts: [String] = []
        for block in message.objectValue?["blocks"]?.arrayValue ?? [] {
            if let text = block.objectValue?["text"]?.objectValue?["text"]?.stringValue { texts.append(text) }
            for field in block.objectValue?["fields"]?.arrayValue ?? [] {
                if let text = field.objectValue?["text"]?.stringValue { texts.append(text) }
            }
        }
        return texts
    }

    @Test("a failure message has text and header/section blocks with pipeline, run, task, error and link")
    func failureShape() throws {
        let event = Fixture.failure()
        let message = SlackMessage.make(for: event)
        let text = try #require(message.objectValue?["text"]?.stringValue)
        #expect(text.contains("nightly failed"))
        #expect(text.contains(event.runID))
        #expect(text.contains("train"))

        let blocks = try #require(message.objectValue?["blocks"]?.arrayValue)
        let types = blocks.compactMap { $0.objectValue?["type"]?.stringValue }
        #expect(types.first == "header")
        #expect(Set(types) == ["header", "section"])
        let header = try #require(blocks.first?.objectValue?["text"]?.objectValue)
        #expect(header["type"] == "plain_text")
        #expect(header["text"]?.stringValue?.contains("nightly failed") == true)

        let all = Self.blockTexts(message).joined(separator: "\n")
        #expect(all.contains("*Pipeline*\nnightly"))
        #expect(all.contains("*Run*\n`\(event.runID)`"))
        #expect(all.contains("*Failed task*\ntrain"))
        #expect(all.contains("*model*\nchurn"))
        #expect(all.contains("```exit code 1: CUDA out of memory```"))
        #expect(all.contains("<https://kiln.example/runs/\(event.runID)|Open run \(event.runID)>"))
    }

    @Test("without a link, task or error the message has no section for them")
    func minimal() {
        let message = SlackMessage.make(for: Fixture.success())
        let all = Self.blockTexts(message).joined(separator: "\n")
        #expect(all.contains("nightly succeeded"))
        #expect(!all.contains("Failed task"))
        #expect(!all.contains("*Error*"))
        #expect(!all.contains("Open run"))
        #expect(message.objectValue?["blocks"]?.arrayValue?.count == 2)
    }

    @Test("user text is escaped for mrkdwn and long errors are trimmed to Slack's limits")
    func escapingAndLimits() throws {
        var event = Fixture.failure()
        event.error = "<!channel> a & b " + String(repeating: "x", count: 10_000)
        event.link = "https://kiln.example/runs?a=1|2>"
        let message = SlackMessage.make(for: event)
        let texts = Self.blockTexts(message)
        let error = try #require(texts.first { $0.hasPrefix("*Error*") })
        #expect(error.contains("&lt;!channel&gt; a &amp; b"))
        #expect(!error.contains("<!channel>"))
        #expect(error.count <= 3000)
        let link = try #require(texts.last)
        #expect(link.hasPrefix("<https://kiln.example/runs?a=1%7C2%3E|"))
        #expect(try #require(message.objectValue?["text"]?.stringValue).count <= 3100)
    }

    @Test("each event kind has its own headline", arguments: [
        (NotificationEventKind.failure, "failed"), (.success, "succeeded"), (.deployed, "deployed"),
        (.rolledBack, "rolled back"), (.approvalNeeded, "needs approval"), (.retrying, "is retrying"),
    ])
    func headlines(kind: NotificationEventKind, phrase: String) {
        var event = Fixture.success()
        event.kind = kind
        #expect(Self.blockTexts(SlackMessage.make(for: event)).first?.hasSuffix("nightly \(phrase)") == true)
    }
}
