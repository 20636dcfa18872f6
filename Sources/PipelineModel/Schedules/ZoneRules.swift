import Foundation

/// The UTC offsets of one IANA time zone over time, in whole seconds, read from Foundation's `TimeZone`.
///
/// "Instants" are seconds since the Unix epoch; "local seconds" are wall-clock seconds since 1970-01-01T00:00 (see
/// ``CivilTime``). A wall-clock time can correspond to one instant, to none (inside a spring-forward gap) or to two
/// (inside a fall-back overlap).
struct ZoneRules: Sendable {
    let timeZone: TimeZone

    /// The rules of `identifier`, or `nil` when the system does not know the name.
    init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        timeZone = zone
    }

    /// The offset from UTC, in seconds, in effect at `instant`.
    func offset(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The first instant after `instant` and before `limit` at which the offset changes, or `nil` when there is
    /// none.
    ///
    /// The offset at the returned instant is the new one; one second earlier it is the old one.
    func nextTransition(after instant: Int64, before limit: Int64) -> Int64? {
        let base = offset(at: instant)
        var from = instant
        // The zone data may report a transition that keeps the total offset (only the abbreviation or the DST flag
        // changes); skip those.
        while from < limit {
            guard
                let date = timeZone.nextDaylightSavingTimeTransition(
                    after: Date(timeIntervalSince1970: TimeInterval(from)))
            else { return nil }
            let candidate = max(Int64(date.timeIntervalSince1970.rounded(.up)), from + 1)
            guard candidate < limit else { return nil }
            if offset(at: candidate) != base {
                if offset(at: candidate - 1) == base { return candidate }
                return firstChange(after: from, atOrBefore: candidate, from: base)
            }
            from = candidate
        }
        return nil
    }

    /// The instants whose wall-clock time is `local`, earliest first: one normally, none in a gap, two in an overlap.
    func instants(forLocal local: Int64) -> [Int64] {
        // At most one transition lies within a day of any instant that shows `local`, so the offsets a day
        // either side cover every candidate.
        var result: [Int64] = []
        for candidate in [offset(at: local - 86_400), offset(at: local), offset(at: local + 86_400)] {
            let instant = local - candidate
            if offset(at: instant) == candidate, !result.contains(instant) { result.append(instant) }
        }
        return result.sorted()
    }

    /// The smallest instant in `(after, atOrBefore]` whose offset is not `base`, by bisection; `atOrBefore` must have
    /// a different offset.
    private func firstChange(after: Int64, atOrBefore: Int64, from base: Int64) -> Int64 {
        var low = after  // offset == base (or before the range)
        var high = atOrBefore  // offset != base
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == base { low = middle } else { high = middle }
        }
        return high
    }
}

extension ZoneRules {
    /// A known zone name that differs from `name` only in case or in spaces for underscores
    /// (`asia/seoul`, `America/New York`), for "did you mean" hints.
    static func closeMatch(to name: String) -> String? {
        func normalized(_ text: String) -> String {
            text.lowercased().replacingOccurrences(of: " ", with: "_").trimmingCharacters(in: .whitespaces)
        }
        let wanted = normalized(name)
        return TimeZone.knownTimeZoneIdentifiers.first { normalized($0) == wanted }
    }
}
