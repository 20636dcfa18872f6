public import PipelineScheduler
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
}
