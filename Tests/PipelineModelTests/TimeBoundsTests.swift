import Testing

@testable import PipelineModel

/// Durations and instants have documented bounds; arithmetic near them saturates instead of trapping or wrapping.
@Suite struct TimeBoundsTests {
    @Test("durations up to 100 years (36500d) are accepted")
    func longestDuration() throws {
        #expect(try DurationText.parse("36500d") == DurationText.maximum)
        #expect(try DurationText.parse("36499d23h59m59s999ms") < DurationText.maximum)
    }

    @Test(
        "durations past 100 years are refused with the limit, never wrapped or trapped",
        arguments: ["36500d1ms", "106751d", "1000000d", "99999999999999999999d", "9223372036854775807ms",
                    "106751d23h47m16s854ms"])
    func tooLong(text: String) {
        #expect {
            try DurationText.parse(text)
        } throws: { error in
            "\(error)" == "invalid duration '\(text)': it is longer than 100 years (36500d), the longest duration "
                + "Kiln accepts; use a shorter one"
        }
    }

    @Test("adding saturates at the representable range instead of wrapping into the past")
    func addingSaturates() {
        let now = Timestamp(millisecondsSince1970: 1_795_917_600_000)
        #expect(now.adding(.seconds(86_400 * 1_000_000)) == Timestamp(nanosecondsSince1970: .max))
        #expect(now.adding(.zero - .seconds(86_400 * 1_000_000)) == Timestamp(nanosecondsSince1970: .min))
        #expect(Timestamp(nanosecondsSince1970: .max).adding(.nanoseconds(1)) == Timestamp(nanosecondsSince1970: .max))
        #expect(now.adding(.seconds(60)).millisecondsSince1970 == 1_795_917_660_000)
    }

    @Test("the duration between far-apart instants saturates instead of trapping")
    func durationSaturates() {
        let early = Timestamp(nanosecondsSince1970: .min)
        let late = Timestamp(nanosecondsSince1970: .max)
        #expect(early.duration(to: late) == .nanoseconds(Int64.max))
        #expect(late.duration(to: early) == .nanoseconds(Int64.min))
        let now = Timestamp(millisecondsSince1970: 1_795_917_600_000)
        #expect(now.duration(to: now.adding(.seconds(5))) == .seconds(5))
    }

    @Test("milliseconds beyond what nanoseconds hold saturate")
    func millisecondsSaturate() {
        #expect(Timestamp(millisecondsSince1970: .max) == Timestamp(nanosecondsSince1970: .max))
        #expect(Timestamp(millisecondsSince1970: .min) == Timestamp(nanosecondsSince1970: .min))
    }

    @Test("the documented bounds print as themselves and parse back")
    func bounds() throws {
        #expect(Timestamp.earliest.iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.latest.iso8601 == "2261-12-31T23:59:59.999Z")
        #expect(try Timestamp.parse("2261-12-31T23:59:59.999Z") == Timestamp.latest)
        #expect(try Timestamp.parse("1970-01-01") == Timestamp.earliest)
        #expect(try Timestamp.parse("2024-02-29T12:00:00Z").iso8601 == "2024-02-29T12:00:00.000Z")
    }

    @Test(
        "impossible and out-of-range times are refused with the reason, not rolled forward",
        arguments: [
            ("2026-02-30", "day 30 does not exist in 2026-02, which has 28 days"),
            ("2025-02-29", "day 29 does not exist in 2025-02, which has 28 days"),
            ("2026-04-31T00:00:00Z", "day 31 does not exist in 2026-04, which has 30 days"),
            ("2026-13-01", "month 13 does not exist (1–12)"),
            ("2026-11-29T24:00:00Z", "hour 24 does not exist (0–23)"),
            ("2026-11-29T02:60:00Z", "minute 60 does not exist (0–59)"),
            ("2026-11-29T02:00:60Z", "second 60 does not exist (0–59)"),
            ("1600-01-01", "it is outside the supported range 1970-01-01T00:00:00.000Z … 2261-12-31T23:59:59.999Z"),
            ("1969-12-31T23:59:59Z", "it is outside the supported range 1970-01-01T00:00:00.000Z … 2261-12-31T23:59:59.999Z"),
            ("2262-04-12", "it is outside the supported range 1970-01-01T00:00:00.000Z … 2261-12-31T23:59:59.999Z"),
            ("9999-12-31T23:59:59Z", "it is outside the supported range 1970-01-01T00:00:00.000Z … 2261-12-31T23:59:59.999Z"),
            ("2026-11-29T02:00:00+09:00", "unexpected text after the time; only UTC is accepted (end with Z or nothing)"),
            ("yesterday", "it does not start with a date YYYY-MM-DD"),
        ])
    func refusesTimes(text: String, reason: String) {
        #expect {
            try Timestamp.parse(text)
        } throws: { error in
            "\(error)" == "invalid time '\(text)': \(reason); write a UTC time such as 2026-11-29T02:00:00Z or a date such as 2026-11-29"
        }
    }

    @Test("the unbounded reader keeps representable instants before 1970 but never rolls impossible dates forward")
    func unboundedReader() {
        #expect(Timestamp(iso8601: "1969-12-31T23:00:00Z") == Timestamp(millisecondsSince1970: -3_600_000))
        #expect(Timestamp(iso8601: "2026-02-30") == nil)
        #expect(Timestamp(iso8601: "1600-01-01") == nil)
        #expect(Timestamp(iso8601: "2262-04-12") == nil)
    }

    @Test("a task's durations past 100 years are plan issues at their field")
    func planRefusesLongDurations() {
        let long = Duration.seconds(36_501 * 86_400)
        let pipeline = Pipeline(name: "p", tasks: [
            TaskSpec(
                id: "a", action: .run(["true"]), retry: RetryPolicy(retries: 1, delay: long, maxDelay: long),
                timeout: long, cache: CachePolicy(expire: long)),
        ], triggers: TriggerSpec(cooldown: "1000000d"))
        #expect {
            try Plan(pipeline)
        } throws: { error in
            let issues = (error as? PipelineValidationError)?.issues.map(\.description) ?? []
            let tail = " is longer than 100 years (36500d), the longest duration Kiln accepts; use a shorter one"
            return issues == [
                "tasks.a.timeout: timeout" + tail,
                "tasks.a.retry_delay: retry_delay" + tail,
                "tasks.a.retry_max_delay: retry_max_delay" + tail,
                "tasks.a.cache.expire: cache expire" + tail,
                "triggers.cooldown: cooldown: invalid duration '1000000d': it is longer than 100 years (36500d), "
                    + "the longest duration Kiln accepts; use a shorter one",
            ]
        }
    }
}
