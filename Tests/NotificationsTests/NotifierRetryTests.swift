import Logging
import Notifications
import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct NotifierRetryTests {
    @Test("503 then 429 are retried with exponential backoff on the clock, and the third attempt succeeds")
    func retriesThenSucceeds() async throws {
        let clock = ManualClock(now: Fixture.at)
        try await Harness.with(statuses: [503, 429, 200], clock: clock) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/s")))
            async let delivered = harness.notifier.deliver(Fixture.failure(), rules: [rule])

            await clock.waitForSleepers(1)
            #expect(harness.server.requests.count == 1)
            #expect(clock.nextDeadline == Fixture.at.adding(.seconds(1)))
            clock.advance(by: .seconds(1))

            await clock.waitForSleepers(1)
            #expect(harness.server.requests.count == 2)
            #expect(clock.nextDeadline == Fixture.at.adding(.seconds(3)))
            clock.advance(by: .seconds(2))

            let record = try #require(await delivered.first)
            #expect(record.ok)
            #expect(record.attempts == 3)
            #expect(record.status == 200)
            #expect(record.error == nil)
            #expect(record.at == Fixture.at.adding(.seconds(3)))
            #expect(harness.server.requests.count == 3)
        }
    }

    @Test("backoff waits are 1 s, 2 s, 4 s … with the default policy")
    func defaultBackoff() async throws {
        let clock = InstantClock()
        try await Harness.with(statuses: [500, 503, 502, 504, 200], clock: clock) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/s")))
            let record = try #require(await harness.notifier.deliver(Fixture.failure(), rules: [rule]).first)
            #expect(record.ok)
            #expect(record.attempts == 5)
            #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        }
    }

    @Test("the wait between attempts is a sleep on the injected clock: nothing is resent until it advances")
    func waitsOnTheClock() async throws {
        let clock = ManualClock()
        try await Harness.with(statuses: [503, 200], clock: clock) { harness in
            let rule = NotificationRule(on: [.failure], destination: .webhook(url: harness.server.url("/w")))
            async let delivered = harness.notifier.deliver(Fixture.failure(), rules: [rule])
            await clock.waitForSleepers(1)
            #expect(harness.server.requests.count == 1)
            #expect(clock.nextDeadline == Fixture.at.adding(.seconds(1)))
            clock.advance(by: .seconds(1))
            let record = try #require(await delivered.first)
            #expect(record.ok)
            #expect(record.attempts == 2)
            #expect(record.at == Fixture.at.adding(.seconds(1)))
            #expect(harness.server.requests.count == 2)
        }
    }

    @Test("Retry-After on a 429 sets the wait, capped at maxRetryAfter")
    func honoursRetryAfter() async throws {
        let clock = InstantClock()
        let script = [
            ScriptedResponse(status: 429, headers: ["Retry-After": "7"]),
            ScriptedResponse(status: 429, headers: ["Retry-After": "86400"]),
            ScriptedResponse(status: 429, headers: ["Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"]),
            ScriptedResponse(status: 200),
        ]
        try await Harness.with(script: script, clock: clock, retry: DeliveryRetryPolicy(maxRetryAfter: .seconds(60))) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/s")))
            let record = try #require(await harness.notifier.deliver(Fixture.failure(), rules: [rule]).first)
            #expect(record.ok)
            #expect(record.attempts == 4)
            // 7 s as asked; 60 s (the cap) instead of a day; the date form falls back to the backoff (4 s after attempt 3).
            #expect(clock.sleeps == [.seconds(7), .seconds(60), .seconds(4)])
        }
    }

    @Test("after maxAttempts failures the delivery gives up and returns ok=false instead of throwing")
    func givesUp() async throws {
        let clock = InstantClock()
        try await Harness.with(
            script: Array(repeating: ScriptedResponse(status: 502, body: "upstream down\nmore"), count: 10), clock: clock,
            retry: DeliveryRetryPolicy(maxAttempts: 3)
        ) { harness in
            let rule = NotificationRule(on: [.failure], destination: .pagerDuty(routingKey: "k", url: harness.server.url("/e")))
            let record = try #require(await harness.notifier.deliver(Fixture.failure(), rules: [rule]).first)
            #expect(!record.ok)
            #expect(record.attempts == 3)
            #expect(record.status == 502)
            #expect(record.error == "HTTP 502: upstream down")
            #expect(harness.server.requests.count == 3)
            #expect(clock.sleeps == [.seconds(1), .seconds(2)])
            #expect(record.description == "pagerduty http://127.0.0.1:\(harness.server.port)/… failure: failed after 3 attempts: HTTP 502: upstream down")
            #expect(harness.logs.logged.contains { $0.level == .warning && $0.message == "Notification delivery gave up" })
        }
    }

    @Test("a 4xx other than 429 is not retried")
    func clientErrorIsFinal() async throws {
        let clock = InstantClock()
        try await Harness.with(script: [ScriptedResponse(status: 400, body: "invalid_payload")], clock: clock) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/s")))
            let record = try #require(await harness.notifier.deliver(Fixture.failure(), rules: [rule]).first)
            #expect(!record.ok)
            #expect(record.attempts == 1)
            #expect(record.status == 400)
            #expect(record.error == "HTTP 400: invalid_payload")
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test("a refused connection (server stopped) is retried, then recorded with its error; nothing throws")
    func connectionRefused() async throws {
        let clock = InstantClock()
        try await Harness.with(statuses: [], clock: clock, retry: DeliveryRetryPolicy(maxAttempts: 2)) { harness in
            let stopped = try await TestHTTPServer.start()
            let url = stopped.url("/services/SECRET")
            try await stopped.stop()
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: url))
            let record = try #require(await harness.notifier.deliver(Fixture.failure(), rules: [rule]).first)
            #expect(!record.ok)
            #expect(record.attempts == 2)
            #expect(record.status == nil)
            let error = try #require(record.error)
            #expect(error.hasPrefix("request failed: "))
            #expect(!error.contains("SECRET"))
            #expect(clock.sleeps == [.seconds(1)])
        }
    }

    @Test("a URL that is not absolute http(s) is recorded without any request")
    func unusableURL() async throws {
        try await Harness.with(statuses: []) { harness in
            let rules = [
                NotificationRule(on: [.failure], destination: .slack(webhook: "")),
                NotificationRule(on: [.failure], destination: .webhook(url: "ftp://files.example/x")),
                NotificationRule(on: [.failure], destination: .webhook(url: "hooks.slack.com/services/x")),
            ]
            let records = await harness.notifier.deliver(Fixture.failure(), rules: rules)
            #expect(records.count == 3)
            #expect(records.allSatisfy { !$0.ok && $0.attempts == 0 && $0.error?.contains("not an absolute http(s) URL") == true })
            #expect(harness.server.requests.isEmpty)
        }
    }

    @Test("cancelling the caller while a retry waits ends the delivery with a record saying so")
    func cancellation() async throws {
        let clock = ManualClock()
        try await Harness.with(statuses: [503], clock: clock) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/s")))
            let records = await withTaskGroup(of: [DeliveryRecord].self) { group in
                group.addTask { await harness.notifier.deliver(Fixture.failure(), rules: [rule]) }
                await clock.waitForSleepers(1)
                group.cancelAll()
                return await group.next() ?? []
            }
            let record = try #require(records.first)
            #expect(!record.ok)
            #expect(record.attempts == 1)
            #expect(record.status == 503)
            #expect(record.error == "cancelled while waiting to retry; last error: HTTP 503")
        }
    }

    @Test("each matching rule retries on its own, concurrently")
    func independentRetries() async throws {
        let clock = InstantClock()
        try await Harness.with(statuses: [], clock: clock) { harness in
            let failing = try await TestHTTPServer.start(statuses: [500, 500, 500, 500, 500])
            let rules = [
                NotificationRule(on: [.failure], destination: .webhook(url: failing.url("/down"))),
                NotificationRule(on: [.failure], destination: .webhook(url: harness.server.url("/up"))),
            ]
            let records = await harness.notifier.deliver(Fixture.failure(), rules: rules)
            try await failing.stop()
            #expect(records.map(\.ok) == [false, true])
            #expect(records.map(\.attempts) == [5, 1])
            #expect(failing.requests.count == 5)
        }
    }
}
