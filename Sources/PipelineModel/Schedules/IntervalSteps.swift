/// The fire times `anchor + k × interval` of an interval schedule, in nanoseconds, for every integer `k`.
struct IntervalSteps {
    let interval: Int64
    let anchor: Int64

    /// `nil` when the interval is not positive.
    init?(interval: Duration, anchor: Timestamp?) {
        guard interval.nanoseconds > 0 else { return nil }
        self.interval = interval.nanoseconds
        self.anchor = anchor?.nanosecondsSince1970 ?? 0
    }

    /// The first step strictly after `time`; `nil` if it is not representable.
    func next(after time: Timestamp) -> Timestamp? {
        guard let steps = stepsUpTo(time) else { return nil }
        return timestamp(steps + 1)
    }

    /// The last step at or before `time`; `nil` if it is not representable.
    func previous(atOrBefore time: Timestamp) -> Timestamp? {
        guard let steps = stepsUpTo(time) else { return nil }
        return timestamp(steps)
    }

    /// `floor((time − anchor) / interval)`.
    private func stepsUpTo(_ time: Timestamp) -> Int64? {
        let (distance, overflow) = time.nanosecondsSince1970.subtractingReportingOverflow(anchor)
        guard !overflow else { return nil }
        return CivilTime.floorDiv(distance, interval)
    }

    private func timestamp(_ steps: Int64) -> Timestamp? {
        let (product, overflow) = steps.multipliedReportingOverflow(by: interval)
        let (sum, overflow2) = anchor.addingReportingOverflow(product)
        return overflow || overflow2 ? nil : Timestamp(nanosecondsSince1970: sum)
    }
}
