public import ModelRegistry
public import PipelineEngine
public import PipelineModel

/// Retention (`kiln gc`): removes run records, their task logs and artifacts older than a retention period that
/// nothing still references.
///
/// What is kept, whatever its age:
/// - a run that is not finished (queued, running, waiting), and every artifact its tasks name;
/// - the run that produced a registered model version — the lineage `kiln reproduce` reads — and every artifact its
///   tasks name, plus the version's model file and training data (the artifacts `VersionLineage.neededArtifacts`
///   lists);
/// - every artifact a cache entry that has not expired names;
/// - every artifact the outputs of a run that stays name;
/// - an artifact stored (or stored again) within the retention period, so what a task wrote a moment ago and has not
///   recorded yet stays.
///
/// The order makes a concurrent run safe: references are collected before the artifacts are listed, so an artifact
/// a running task stores again after the collection has a fresh age in the listing and stays.
public struct GarbageCollector: Sendable {
    /// Runs, tasks, logs and cache entries.
    public let store: any StateStore
    /// Registered versions.
    public let registry: any RegistryStore
    /// Datasets and models.
    public let artifacts: any ArtifactStore
    /// Where "now" comes from.
    public let clock: any PipelineClock

    /// Creates a collector.
    public init(store: any StateStore, registry: any RegistryStore, artifacts: any ArtifactStore, clock: any PipelineClock) {
        self.store = store
        self.registry = registry
        self.artifacts = artifacts
        self.clock = clock
    }

    /// What a pass removes (or, in a dry run, would remove).
    public struct Report: Sendable, Hashable {
        /// Whether nothing was deleted.
        public var dryRun: Bool
        /// Records older than this were candidates.
        public var cutoff: Timestamp
        /// The runs removed, oldest first.
        public var runs: [FinishedRun]
        /// Old finished runs kept because a registered version came from them.
        public var keptForVersions: Int
        /// Their task records and log lines.
        public var deletion: RunDeletion
        /// The artifacts removed.
        public var artifacts: [StoredArtifact]
        /// How many artifacts stay.
        public var artifactsKept: Int

        /// The bytes the removed artifacts took.
        public var bytesFreed: Int64 { artifacts.reduce(0) { $0 + $1.size } }
    }

    /// Removes (or with `dryRun` only lists) what is older than `keep` and unreferenced.
    /// - Throws: The stores' errors; ``OperationError`` (invalid) for a retention that is not positive.
    public func collect(keep: Duration, dryRun: Bool) async throws -> Report {
        guard keep > .zero else { throw OperationError(.invalid, "--keep must be longer than 0") }
        let now = clock.now
        let cutoff = now.adding(.zero - keep)
        var keptRuns = Set<String>()
        var referenced = Set<String>()
        for model in try await registry.models() {
            for version in model.versions {
                keptRuns.insert(version.runID)
                for reference in [version.artifact, version.dataFingerprint] where ArtifactReference.isValid(reference) {
                    referenced.insert(reference)
                }
            }
        }
        let old = try await store.finishedRuns(before: cutoff)
        let doomed = old.filter { !keptRuns.contains($0.id.rawValue) }
        referenced.formUnion(try await store.artifactReferences(excludingRuns: Set(doomed.map(\.id))))
        for entry in try await store.cacheEntries() where entry.expiresAt.map({ $0 > now }) ?? true {
            ArtifactReference.collect(in: .object(entry.outputs), into: &referenced)
        }
        let listed = try await artifacts.list()
        let unreferenced = listed.filter { !referenced.contains($0.reference) && $0.modifiedAt < cutoff }
            .sorted { ($0.modifiedAt, $0.reference) < ($1.modifiedAt, $1.reference) }
        var report = Report(
            dryRun: dryRun, cutoff: cutoff, runs: doomed, keptForVersions: old.count - doomed.count,
            deletion: RunDeletion(
                runs: doomed.count, tasks: doomed.reduce(0) { $0 + $1.tasks }, logLines: doomed.reduce(0) { $0 + $1.logLines }),
            artifacts: unreferenced, artifactsKept: listed.count - unreferenced.count)
        guard !dryRun else { return report }
        report.deletion = try await store.deleteFinishedRuns(doomed.map(\.id))
        for artifact in unreferenced { try await artifacts.delete(artifact.reference) }
        return report
    }

    /// Runs a pass every `interval` (the first one `interval` after it starts) until cancelled, on the clock.
    /// - Parameters:
    ///   - keep: The retention.
    ///   - interval: Between passes (a day for `kiln serve --gc-keep`).
    ///   - report: Receives each pass's report, or the error that stopped it (the next pass runs anyway).
    public func runPeriodically(
        keep: Duration, every interval: Duration, report: @Sendable (Result<Report, any Error>) async -> Void
    ) async {
        var next = clock.now.adding(interval)
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            do {
                await report(.success(try await collect(keep: keep, dryRun: false)))
            } catch is CancellationError {
                return
            } catch {
                await report(.failure(error))
            }
            next = next.adding(interval)
        }
    }
}
