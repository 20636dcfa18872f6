import Foundation
import Testing

@testable import PipelineModel

/// The documented rules applied minute by minute, written independently of the segment search in `Schedule`.
struct MinuteByMinuteReference {
    let zone: TimeZone
    let from: Int64
    let through: Int64
    /// The zone's offset at each whole minute from three hours before `from` through `through`.
    private let offsets: [Int64]
    private static let lookBack: Int64 = 3 * 3600

    /// A reference for `from...through` (whole minutes in UTC; every zone used here changes offset on a minute).
    init(zone: TimeZone, from: Int64, through: Int64) {
        self.zone = zone
        self.from = from
        self.through = through
        offsets = stride(from: from - Self.lookBack, through: through, by: 60).map {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))))
        }
    }

    private func offset(_ instant: Int64) -> Int64 { offsets[Int((instant - from + Self.lookBack) / 60)] }

    func fireTimes(of expression: CronExpression) -> [Int64] {
        func matches(_ local: Int64) -> Bool { expression.matches(CivilTime(localSeconds: local)) }
        var result: [Int64] = []
        for instant in stride(from: from, through: through, by: 60) {
            let local = instant + offset(instant)
            let matchesNow = matches(local)
            if !expression.isFixedTime {
                if matchesNow { result.append(instant) }  // wildcard: every real instant that matches
                continue
            }
            // Fixed time, first occurrence only: no earlier instant in the last three hours showed this wall time.
            let seenBefore =
                matchesNow
                && stride(from: instant - 60, through: instant - Self.lookBack, by: -60).contains {
                    $0 + offset($0) == local
                }
            // Fixed time skipped by a gap that ends now.
            let before = offset(instant - 60)
            let skippedMatch =
                offset(instant) > before && stride(from: instant + before, to: local, by: 60).contains(where: matches)
            if (matchesNow && !seenBefore) || skippedMatch { result.append(instant) }
        }
        return result
    }
}

@Suite struct ReferenceComparisonTests {
    static let expressions = [
        "30 2 * * *", "0 2 * * *", "0,30 1,2 * * *", "45 1 * * *", "15 2 * * *", "5 1 8 3 *", "@daily",
        "0 0 * * SUN", "0-59/7 1-3 * * *", "0 * * * *", "*/15 * * * *", "*/15 2 * * *", "*/20 1 * * *",
    ]

    /// Three days around each 2026 change, in zones with one-hour and half-hour changes and without any.
    static let windows = [
        ("America/New_York", "2026-03-07T00:00:00Z"), ("America/New_York", "2026-10-31T00:00:00Z"),
        ("Europe/London", "2026-03-28T00:00:00Z"), ("Europe/London", "2026-10-24T00:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-03T00:00:00Z"), ("Australia/Lord_Howe", "2026-10-02T00:00:00Z"),
        ("Asia/Seoul", "2026-03-07T00:00:00Z"),
    ]

    @Test("fire times equal a minute-by-minute application of the rules around daylight-saving changes", arguments: windows)
    func agreesWithReference(zone: String, start: String) throws {
        let from = utc(start)
        let through = from.adding(.seconds(3 * 86_400))
        let minutes = MinuteByMinuteReference(
            zone: try #require(TimeZone(identifier: zone)), from: from.nanosecondsSince1970 / 1_000_000_000,
            through: through.nanosecondsSince1970 / 1_000_000_000)
        for text in Self.expressions {
            let expression = try CronExpression(text)
            let reference = minutes.fireTimes(of: expression).map { Timestamp(nanosecondsSince1970: $0 * 1_000_000_000) }
            let schedule = try Schedule.parse(cron: text, timeZone: zone)
            #expect(schedule.fireTimes(from: from, through: through, limit: 10_000) == reference, "\(text) in \(zone)")
            if let last = reference.last {
                #expect(schedule.previousFireTime(atOrBefore: through) == last, "\(text) in \(zone)")
            }
        }
    }
}
