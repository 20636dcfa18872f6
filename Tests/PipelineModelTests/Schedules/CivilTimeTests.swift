import Foundation
import Testing

@testable import PipelineModel

@Suite struct CivilTimeTests {
    @Test("wall-clock arithmetic agrees with Foundation's Gregorian calendar on every day from 1896 to 2104")
    func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let first = CivilTime.days(year: 1896, month: 1, day: 1)
        let last = CivilTime.days(year: 2104, month: 12, day: 31)
        var mismatches: [String] = []
        for day in first...last {
            // A different minute of the day each day, so times of day are covered too.
            let seconds = day * 86_400 + CivilTime.floorMod(day * 37, 1440) * 60
            let time = CivilTime(localSeconds: seconds)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            let expected = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.weekday].map { $0 ?? -1 }
            let actual = [time.year, time.month, time.day, time.hour, time.minute, time.weekday + 1]
            if actual != expected || time.localSeconds != seconds
                || time.daysInMonth != calendar.range(of: .day, in: .month, for: date)?.count
            {
                mismatches.append("\(time) vs \(expected)")
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test("leap years follow the Gregorian rule", arguments: [(2024, true), (2026, false), (2000, true), (2100, false), (2400, true)])
    func leapYears(year: Int, leap: Bool) {
        #expect(CivilTime.isLeap(year) == leap)
        #expect(CivilTime.daysIn(month: 2, year: year) == (leap ? 29 : 28))
    }
}
