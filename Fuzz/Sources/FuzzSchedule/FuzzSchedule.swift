import FuzzSupport
import PipelineModel

/// Timestamps the schedules are asked about: the epoch, a day in 2026, the last instant Kiln represents.
private let probes: [Timestamp] = [
    .earliest, Timestamp(nanosecondsSince1970: 1_795_000_000 * 1_000_000_000), .latest,
]

/// One input, by its first byte: 0 → a duration (`1h30m`), 1 → an `every:` interval, 2 → a cron expression with an
/// optional time zone after a `|`. Whatever parses is used: durations must format back to themselves, schedules
/// must answer next/previous/fire-times queries. Any outcome is fine except a crash, a hang or a broken round trip.
func fuzzSchedule(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    switch bytes[0] % 3 {
    case 0:
        guard let duration = try? DurationText.parse(text) else { return }
        let formatted = DurationText.format(duration)
        let again = try? DurationText.parse(formatted)
        precondition(again == duration, "'\(text)' parsed to \(duration) but formats as '\(formatted)'")
    case 1:
        guard let schedule = try? Schedule.every(text) else { return }
        exercise(schedule)
    default:
        let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let zone = parts.count > 1 ? String(parts[1]) : nil
        guard let schedule = try? Schedule.parse(cron: String(parts[0]), timeZone: zone) else { return }
        exercise(schedule)
    }
}

private func exercise(_ schedule: Schedule) {
    _ = schedule.description
    for time in probes {
        if let next = schedule.nextFireTime(after: time) {
            precondition(next > time, "\(schedule): next fire time \(next) is not after \(time)")
        }
        if let previous = schedule.previousFireTime(atOrBefore: time) {
            precondition(previous <= time, "\(schedule): previous fire time \(previous) is after \(time)")
        }
    }
    let day = probes[1]
    _ = schedule.fireTimes(from: day, through: Timestamp(nanosecondsSince1970: day.nanosecondsSince1970 + 3 * 86_400 * 1_000_000_000), limit: 50)
}

/// libFuzzer's name for the function under test (its runtime refers to it even when `main` below runs the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzSchedule(fuzzInput(data, count))
    return 0
}

@main
enum FuzzScheduleMain {
    static func main() { runFuzzer(fuzzerTestOneInput) }
}
