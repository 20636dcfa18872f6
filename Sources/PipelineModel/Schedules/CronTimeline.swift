/// The fire times of a cron expression in one time zone, as instants in whole seconds since the Unix epoch.
///
/// The timeline is cut into segments at the zone's offset changes. Inside a segment the offset is constant, so
/// wall-clock matches map one-to-one onto instants; at each boundary the daylight-saving rules of ``Schedule``
/// apply:
///
/// - **Gap** (the offset grows, wall-clock times are skipped): a fixed-time expression that matches a skipped
///   time fires once, at the boundary itself — the first instant after the gap. A wildcard expression does not.
/// - **Overlap** (the offset shrinks, wall-clock times repeat): a fixed-time expression fires only at the first
///   occurrence of a wall-clock time. A wildcard expression fires at both.
struct CronTimeline {
    let expression: CronExpression
    let zone: ZoneRules

    /// The first fire time strictly after `instant` and strictly before `limit`.
    func next(after instant: Int64, before limit: Int64) -> Int64? {
        guard !expression.neverFires else { return nil }
        var low = instant  // candidates are > low
        var offset = zone.offset(at: instant)  // the offset on (low, end)
        var segmentStart = instant
        while low < limit - 1 {
            let transition = zone.nextTransition(after: segmentStart, before: limit)
            let end = transition ?? limit
            var local = low + offset
            while let match = expression.nextLocalMatch(after: local, before: end + offset) {
                let fire = match - offset
                if !expression.isFixedTime || isFirstOccurrence(ofLocal: match, at: fire) { return fire }
                local = match  // a wall-clock time repeated by an overlap: it already fired
            }
            guard let transition else { return nil }
            let newOffset = zone.offset(at: transition)
            if expression.isFixedTime, newOffset > offset,
                expression.nextLocalMatch(after: transition + offset - 1, before: transition + newOffset) != nil
            {
                return transition  // a fixed time skipped by the gap fires when the gap ends
            }
            low = transition - 1
            offset = newOffset
            segmentStart = transition
        }
        return nil
    }

    /// The last fire time at or before `instant`, looking back at most `horizon` seconds.
    ///
    /// Searches forward over windows that grow fourfold, so the cost follows the distance to the answer and every
    /// daylight-saving rule is exactly the forward one. Inside the first window that holds a fire, the last one is
    /// found by bisection: about 30 forward searches, however many times the expression fires there (walking every
    /// fire of `* * * 3 *` through a March took seconds).
    func previous(atOrBefore instant: Int64, horizon: Int64) -> Int64? {
        guard !expression.neverFires else { return nil }
        var window: Int64 = 3600
        while true {
            let start = instant - min(window, horizon)
            if var latest = next(after: start, before: instant + 1) {
                // `latest` fires; nothing fires in (high, instant]. Narrow until they meet.
                var high = instant
                while latest < high {
                    let middle = latest + (high - latest + 1) / 2
                    if let fire = next(after: middle - 1, before: instant + 1) {
                        latest = fire
                    } else {
                        high = middle - 1
                    }
                }
                return latest
            }
            if window >= horizon { return nil }
            window *= 4
        }
    }

    /// Whether `instant` is the earliest instant that shows wall-clock time `local` (false for the second pass
    /// through a fall-back overlap).
    private func isFirstOccurrence(ofLocal local: Int64, at instant: Int64) -> Bool {
        (zone.instants(forLocal: local).first ?? instant) == instant
    }
}
