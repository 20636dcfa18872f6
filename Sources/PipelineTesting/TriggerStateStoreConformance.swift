public import PipelineScheduler
import PipelineEngine
import PipelineModel

/// The behaviour every ``TriggerStateStore`` must have, as named checks to run against a fresh, empty store.
///
/// ```swift
/// @Test("SQLite trigger state", arguments: TriggerStateStoreConformance.checks)
/// func conforms(_ check: TriggerStateStoreConformance.Check) async throws {
///     try await check.run(SQLiteStateStore.inMemory())
/// }
/// ```
public enum TriggerStateStoreConformance {
    /// One requirement of the `TriggerStateStore` contract and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement on `store`, which must be empty.
        public let run: @Sendable (any TriggerStateStore) async throws -> Void

        /// Creates a check.
        ///
        /// - Parameters:
        ///   - name: The requirement, as a sentence.
        ///   - run: Checks the requirement on an empty store; throws ``ConformanceFailure`` when it is not met.
        public init(_ name: String, run: @escaping @Sendable (any TriggerStateStore) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty store.
    public static let checks: [Check] = [
        Check("a pipeline never saved has no state", run: unknownPipelineHasNoState),
        Check("a saved state reads back with every field", run: savedStateReadsBack),
        Check("saving replaces the whole state: dropped rules and a cleared queue are gone", run: savingReplacesAll),
        Check("the states of different pipelines are kept apart", run: pipelinesAreKeptApart),
        Check("the first claim takes the right to evaluate; another owner gets the live holder", run: claimIsExclusive),
        Check("the holder renews its claim and keeps its acquisition time", run: holderRenews),
        Check("another owner takes over a lapsed claim", run: lapsedClaimIsTakenOver),
        Check("a release frees the right at once; a release by another owner changes nothing", run: releaseFrees),
        Check("of owners claiming at once, exactly one holds the right", run: concurrentClaimsHaveOneWinner),
    ]

    /// A time with nanosecond digits, so stores that round timestamps fail.
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)

    static func full(_ pipeline: String) -> TriggerState {
        TriggerState(
            pipeline: pipeline, since: start,
            rules: [
                "schedule": .init(lastFire: start.adding(.seconds(60)), mark: nil),
                "data": .init(lastFire: nil, mark: 50_000),
                "upstream:fraud": .init(lastFire: start.adding(.seconds(5)), mark: 7),
                "drift": .init(),
            ],
            lastAutomaticRun: start.adding(.seconds(61)),
            queued: .init(
                trigger: ["type": "schedule", "fire": 1_764_979_200_000, "reasons": ["late", nil, 2.5]],
                idempotencyKey: "\(pipeline)/schedule@2026-12-06T00:00:00.000Z"))
    }

    static func expectEqual(_ actual: TriggerState?, _ expected: TriggerState?, _ what: String) throws {
        guard actual == expected else {
            throw ConformanceFailure(
                "\(what): expected \(expected.map { "\($0)" } ?? "nil"), read \(actual.map { "\($0)" } ?? "nil")")
        }
    }

    static func unknownPipelineHasNoState(_ store: any TriggerStateStore) async throws {
        try expectEqual(try await store.triggerState(pipeline: "nightly"), nil, "state of a pipeline never saved")
    }

    static func savedStateReadsBack(_ store: any TriggerStateStore) async throws {
        let state = full("nightly")
        try await store.saveTriggerState(state)
        try expectEqual(try await store.triggerState(pipeline: "nightly"), state, "saved state")
        let bare = TriggerState(pipeline: "bare", since: start)
        try await store.saveTriggerState(bare)
        try expectEqual(try await store.triggerState(pipeline: "bare"), bare, "state with no rules, run or queue")
    }

    static func savingReplacesAll(_ store: any TriggerStateStore) async throws {
        try await store.saveTriggerState(full("nightly"))
        var next = TriggerState(pipeline: "nightly", since: start.adding(.seconds(1)))
        next.rules["data"] = .init(lastFire: start.adding(.seconds(120)), mark: 60_000)
        try await store.saveTriggerState(next)
        try expectEqual(try await store.triggerState(pipeline: "nightly"), next, "state after a second save")
    }

    static func pipelinesAreKeptApart(_ store: any TriggerStateStore) async throws {
        let nightly = full("nightly")
        var hourly = full("hourly")
        hourly.rules = ["schedule": .init(lastFire: start, mark: 1)]
        hourly.queued = nil
        try await store.saveTriggerState(nightly)
        try await store.saveTriggerState(hourly)
        try expectEqual(try await store.triggerState(pipeline: "nightly"), nightly, "nightly after saving hourly")
        try expectEqual(try await store.triggerState(pipeline: "hourly"), hourly, "hourly")
    }

    // MARK: The right to evaluate triggers

    static let first = RunOwner(label: "kiln serve", host: "a", pid: 10, started: 1)
    static let second = RunOwner(label: "kiln serve", host: "b", pid: 20, started: 2)

    static func expectLease(
        _ lease: TriggerEvaluationLease, owner: RunOwner, acquiredAt: Timestamp, expiresAt: Timestamp, _ what: String
    ) throws {
        let expected = TriggerEvaluationLease(owner: owner, acquiredAt: acquiredAt, expiresAt: expiresAt)
        guard lease == expected else { throw ConformanceFailure("\(what): expected \(expected), read \(lease)") }
    }

    static func claimIsExclusive(_ store: any TriggerStateStore) async throws {
        let until = start.adding(.seconds(90))
        let taken = try await store.claimTriggerEvaluation(by: first, at: start, until: until)
        try expectLease(taken, owner: first, acquiredAt: start, expiresAt: until, "first claim")
        let refused = try await store.claimTriggerEvaluation(
            by: second, at: start.adding(.seconds(89)), until: start.adding(.seconds(200)))
        try expectLease(refused, owner: first, acquiredAt: start, expiresAt: until, "claim while the holder is live")
    }

    static func holderRenews(_ store: any TriggerStateStore) async throws {
        _ = try await store.claimTriggerEvaluation(by: first, at: start, until: start.adding(.seconds(90)))
        let renewed = try await store.claimTriggerEvaluation(
            by: first, at: start.adding(.seconds(30)), until: start.adding(.seconds(120)))
        try expectLease(renewed, owner: first, acquiredAt: start, expiresAt: start.adding(.seconds(120)), "renewal")
    }

    static func lapsedClaimIsTakenOver(_ store: any TriggerStateStore) async throws {
        _ = try await store.claimTriggerEvaluation(by: first, at: start, until: start.adding(.seconds(90)))
        let later = start.adding(.seconds(90))
        let taken = try await store.claimTriggerEvaluation(by: second, at: later, until: later.adding(.seconds(90)))
        try expectLease(taken, owner: second, acquiredAt: later, expiresAt: later.adding(.seconds(90)), "takeover")
        let back = try await store.claimTriggerEvaluation(by: first, at: later, until: later.adding(.seconds(300)))
        try expectLease(back, owner: second, acquiredAt: later, expiresAt: later.adding(.seconds(90)), "old holder's claim")
    }

    static func releaseFrees(_ store: any TriggerStateStore) async throws {
        let until = start.adding(.seconds(90))
        _ = try await store.claimTriggerEvaluation(by: first, at: start, until: until)
        try await store.releaseTriggerEvaluation(by: second)
        let kept = try await store.claimTriggerEvaluation(by: second, at: start, until: until)
        try expectLease(kept, owner: first, acquiredAt: start, expiresAt: until, "after another owner's release")
        try await store.releaseTriggerEvaluation(by: first)
        let taken = try await store.claimTriggerEvaluation(by: second, at: start.adding(.seconds(1)), until: until)
        try expectLease(taken, owner: second, acquiredAt: start.adding(.seconds(1)), expiresAt: until, "after the release")
    }

    static func concurrentClaimsHaveOneWinner(_ store: any TriggerStateStore) async throws {
        let owners = (0..<8).map { RunOwner(label: "kiln serve", host: "h\($0)", pid: Int32($0), started: 1) }
        let leases = try await withThrowingTaskGroup(of: TriggerEvaluationLease.self) { group in
            for owner in owners {
                group.addTask { try await store.claimTriggerEvaluation(by: owner, at: start, until: start.adding(.seconds(60))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let holders = Set(leases.map(\.owner))
        guard holders.count == 1, let winner = holders.first, owners.contains(winner) else {
            throw ConformanceFailure("concurrent claims: expected one holder seen by all, read \(holders)")
        }
    }
}
