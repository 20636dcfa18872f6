import Testing

@testable import PipelineModel

@Suite struct DurationTextTests {
    @Test(
        "parses every documented unit and combination",
        arguments: [
            ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("5m", .seconds(300)),
            ("2h", .seconds(7200)), ("1d", .seconds(86400)), ("1h30m", .seconds(5400)),
            ("1d2h3m4s5ms", .milliseconds(93_784_005)), (" 10s ", .seconds(10)),
        ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test("rejects malformed durations with a reason", arguments: ["", "5", "5x", "m5", "1.5h", "30m1h", "5m5m"])
    func rejects(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.parse(text) }
    }

    @Test("formats largest units first and round-trips")
    func formats() throws {
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
        #expect(DurationText.format(.zero) == "0s")
        for text in ["1d2h", "45s", "2h0m1s"] {
            let duration = try DurationText.parse(text)
            #expect(try DurationText.parse(DurationText.format(duration)) == duration)
        }
    }

    @Test("timestamps print and parse as ISO 8601 UTC")
    func timestamps() {
        let time = Timestamp(millisecondsSince1970: 1_795_917_600_123)
        #expect(time.iso8601 == "2026-11-29T02:00:00.123Z")
        #expect(Timestamp(iso8601: "2026-11-29T02:00:00.123Z") == time)
        #expect(Timestamp(iso8601: "2026-11-29") == Timestamp(millisecondsSince1970: 1_795_910_400_000))
        #expect(Timestamp(iso8601: "2026-13-01") == nil)
    }
}
