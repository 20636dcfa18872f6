public import ModelRegistry

/// The behaviour every ``RegistryStore`` must have, as named checks to run against a fresh, empty store.
///
/// The checks cover the store itself (numbering, idempotency, alias moves, compare-and-set, history, deployment
/// intents and records) and the
/// ``ModelRegistryService`` operations on top of it (promote, rollback, resolve), since those are what callers see.
///
/// ```swift
/// @Test("SQLite registry", arguments: RegistryStoreConformance.checks)
/// func conforms(_ check: RegistryStoreConformance.Check) async throws {
///     try await check.run(SQLiteRegistryStore.inMemory())
/// }
/// ```
///
/// A check throws ``ConformanceFailure`` naming the requirement, the expected and the actual result when the
/// store misbehaves, and passes on any error the store throws that the requirement does not expect.
public enum RegistryStoreConformance {
    /// One requirement of the `RegistryStore` contract and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement on `store`, which must be empty.
        public let run: @Sendable (any RegistryStore) async throws -> Void

        /// Creates a check.
        ///
        /// - Parameters:
        ///   - name: The requirement, as a sentence.
        ///   - run: Checks the requirement on an empty store; throws ``ConformanceFailure`` when it is not met.
        public init(_ name: String, run: @escaping @Sendable (any RegistryStore) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty store.
    public static let checks: [Check] = [
        Check("versions are numbered from 1 per model and read back with every field", run: versionsNumberPerModel),
        Check("registering again with an idempotency key returns the first version and stores nothing", run: idempotentRegister),
        Check("an idempotency key that registered one model is refused for another", run: idempotencyKeyOfOtherModel),
        Check("an invalid version is refused and nothing is stored", run: invalidVersionIsRefused),
        Check("unknown models and versions read as nil, with no history", run: unknownReadsAsNothing),
        Check("models are listed by name with their versions, aliases and history", run: modelsAreListed),
        Check("alias moves are recorded in order with from, to, time, reason and actor", run: aliasMovesAreRecorded),
        Check("moving an alias to the version it points at records nothing", run: noOpMoveRecordsNothing),
        Check("removing an alias records a move to no version; removing a missing one is an error", run: removingAlias),
        Check("a compare-and-set move conflicts when another process moved the alias, and writes nothing",
              run: compareAndSetConflict),
        Check("moves to unknown models or versions, or with invalid alias names, fail and record nothing",
              run: invalidMovesFail),
        Check("promote points production (or another alias) at an existing version only", run: promoteChecksVersion),
        Check("rollback restores the version before the last move, and a second rollback undoes the first",
              run: rollbackRestoresPrevious),
        Check("rollback to a chosen version; nothing to roll back to is a clear error", run: rollbackEdgeCases),
        Check("resolve reads NAME, NAME@ALIAS and NAME@VERSION", run: resolveSyntax),
        Check("resolve reports malformed references and unknown models, aliases and versions", run: resolveErrors),
        Check("deployment intents are stored whole; a second one for an alias or an export path is refused, naming the holder",
              run: deploymentIntentsAreSerialized),
        Check("beginning a deployment checks the alias name, model, version and where the alias points; refused, it writes nothing",
              run: beginningChecksNamesAndAlias),
        Check("committing a deployment moves the alias, writes the export record and marks the intent committed",
              run: commitMovesRecordsAndMarks),
        Check("a deployment commit after the alias moved conflicts and writes nothing", run: commitConflictWritesNothing),
        Check("an intent that was taken over, ended or committed cannot be committed", run: lostIntentsCannotCommit),
        Check("taking over a deployment intent is a compare-and-set on its owner", run: takeOverIsCompareAndSet),
        Check("importing deployment records adds missing ones and keeps those already there", run: importKeepsExistingRecords),
    ]
}
