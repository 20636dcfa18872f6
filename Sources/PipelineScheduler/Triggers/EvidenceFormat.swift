import Foundation
public import PipelineModel

/// How evidence texts write numbers and times.
public enum EvidenceFormat {
    /// `61,200`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A metric value with at least two decimals and as many as `reference` needs: `0.78`, `0.805`.
    public static func number(_ value: Double, like reference: Double) -> String {
        let text = "\(reference)"
        let decimals = text.split(separator: ".").dropFirst().first.map { $0.count } ?? 0
        return String(format: "%.\(max(2, min(decimals, 6)))f", value)
    }

    /// Local time with its UTC offset, to the minute: `2026-11-29T02:00+09:00`.
    public static func localTime(_ time: Timestamp, timeZone: String?) -> String {
        let zone = TimeZone(identifier: timeZone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        let seconds = Int64(floor(Double(time.nanosecondsSince1970) / 1e9))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let local = Timestamp(nanosecondsSince1970: (seconds + Int64(offset)) * 1_000_000_000).iso8601
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600
        let minutes = abs(offset) % 3600 / 60
        return String(local.prefix(16)) + sign + String(format: "%02d:%02d", hours, minutes)
    }
}
