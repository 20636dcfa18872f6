public import PipelineEngine
import PipelineModel

/// The behaviour every ``StateStore`` must have, as named checks to run against a fresh, empty store.
///
/// Run each check with its own new store, for example with Swift Testing:
///
/// ```swift
/// @Test("SQLite store", arguments: StateStoreConformance.checks)
/// func conforms(_ check: StateStoreConformance.Check) async throws {
///     try await check.run(SQLiteStateStore.inMemory())
/// }
/// ```
///
/// A check throws ``ConformanceFailure`` naming the requirement, the expected and the actual result when
/// the store misbehaves, and passes on any error the store itself throws.
public enum StateStoreConformance {
    /// One requirement of the `StateStore` contract and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement on `store`, which must be empty.
        public let run: @Sendable (any StateStore) async throws -> Void

        /// Creates a check.
        ///
        /// - Parameters:
        ///   - name: The requirement, as a sentence.
        ///   - run: Checks the requirement on an empty store; throws ``ConformanceFailure`` when it is not met.
        public init(_ name: String, run: @escaping @Sendable (any StateStore) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty store.
    public static let checks: [Check] = [
        Check("a created run and its tasks read back with every field", run: createdRunReadsBack),
        Check("a new run's untouched tasks, and a run created with a started one, read back", run: newRunTasksReadBack),
        Check("an unknown run reads as nil, with no tasks and no logs", run: unknownRunReadsAsNothing),
        Check("creating a run with a used id throws duplicateRun and keeps the first", run: duplicateRunIsRejected),
        Check("a used idempotency key is refused with duplicateIdempotencyKey, and updates never change a key",
              run: duplicateIdempotencyKeyIsRejected),
        Check("a batch stores its run, task, log and cache changes together", run: batchIsStoredWhole),
        Check("an empty batch changes nothing", run: emptyBatchChangesNothing),
        Check("an unconditional update replaces a task record or adds a new one", run: unconditionalUpdate),
        Check("a compare-and-set update applies when the stored state matches", run: compareAndSetApplies),
        Check("task updates of one batch apply in order", run: updatesApplyInOrder),
        Check("a compare-and-set conflict throws and writes nothing of its batch", run: conflictWritesNothing),
        Check("a wide batch mixing upserts, compare-and-sets and repeated tasks applies in order, or not at all",
              run: wideBatchAppliesInOrder),
        Check("a batch retried after a conflict stores its run record in full", run: retryAfterConflict),
        Check("a compare-and-set on a task the run lacks reports it missing", run: compareAndSetOnMissingTask),
        Check("of two decisions on a waiting task, only the first is recorded", run: onlyTheFirstDecisionIsRecorded),
        Check("a batch naming an unknown run throws unknownRun and writes nothing", run: unknownRunInBatch),
        Check("runs are listed newest first, filtered by pipeline and limited", run: runsAreListedNewestFirst),
        Check("waiting runs are listed newest first and limited", run: waitingRunsAreListed),
        Check("run ids are found by prefix, with % and _ taken literally", run: runIDsByPrefix),
        Check("log lines come back in write order, filtered by task and attempt", run: logsInWriteOrder),
        Check("cache entries are read by key, listed newest first and replaced by key", run: cacheEntriesReadBack),
        Check("clearing the cache deletes one task's entries in every pipeline, or all, and counts them",
              run: clearCacheCounts),
        Check("a lease is exclusive until it expires; heartbeats extend it; an expired one is taken with a new epoch",
              run: leaseIsExclusiveUntilItExpires),
        Check("a takeover fences the old owner: its commits and heartbeats are refused, its release changes nothing",
              run: takeoverFencesTheOldOwner),
        Check("a released lease frees the run; epochs keep growing; a lease on an unknown run is refused",
              run: releasedLeaseFreesTheRun),
        Check("of several processes replacing one dead holder, only the first takes the run",
              run: onlyOneReplacesADeadHolder),
        Check("a run created with its lease is held by that owner (epoch 1); a duplicate changes nothing",
              run: runCreatedWithItsLease),
        Check("a batch that releases its fence stores its changes and frees the run; a stale one writes nothing",
              run: batchReleasesItsFence),
        Check("a fenced batch committed again with the same id (a retry after a lost reply) is applied once",
              run: replayedBatchAppliesOnce),
        Check("a fenced progress batch (task writes and lines only) stores the last write of each task, once, in order",
              run: progressBatchAppliesOnce),
        Check("finished runs that ended before a cutoff are listed oldest first with their counts; unfinished never",
              run: finishedRunsBeforeCutoff),
        Check("artifact references are collected from the task outputs of every run but the excluded ones",
              run: artifactReferencesOfOtherRuns),
        Check("deleting runs removes finished ones with their tasks and logs, and never an unfinished one",
              run: deleteOnlyFinishedRuns),
        Check("the tasks a commit changed are read after the revision of the previous look, by every kind of write",
              run: { try await changedTasksAreReadByRevision($0) }),
    ]

    /// For a store that keeps task revisions (``StateStore/tasks(of:changedAfter:)`` reads only what changed): the
    /// check of ``checks`` that also accepts the default, which reads every task, made strict.
    public static let revisionsAreKept = Check(
        "the store keeps task revisions: a look reads only the tasks commits changed since the previous one",
        run: { try await changedTasksAreReadByRevision($0, keepsRevisions: true) })
}
