import PipelineModel
import Synchronization

/// How one attempt ended.
enum AttemptOutcome: Sendable {
    /// The kind returned outputs; `cache` is set when the task caches.
    case succeeded([String: JSONValue], cache: (key: String?, note: String)?, lineage: TaskLineage?)
    /// A valid cache entry was reused.
    case cached(CacheEntry, note: String, lineage: TaskLineage?)
    /// The attempt failed.
    case failed(String, cacheKey: String?)
    /// The run was cancelled while the attempt ran.
    case cancelled
    /// The kind asked to wait for a decision.
    case suspended(TaskSuspension)
}

/// What an attempt learned from the cache before its kind runs: the lineage it read and, for a task that caches,
/// the key and why the cache was not used.
struct CacheProbe: Sendable {
    /// What the task reads, as it was before the attempt.
    let lineage: TaskLineage
    /// The key to store the result under (`nil` when it could not be computed) and the cache note; `nil` when the
    /// task does not cache.
    let cache: (key: String?, note: String)?

    /// The probe of a task whose key could not be computed: its result is not stored.
    static func keyFailed(_ lineage: TaskLineage, _ error: any Error) -> CacheProbe {
        CacheProbe(lineage: lineage, cache: (nil, "miss: could not compute the key: \(error)"))
    }
}

extension PipelineExecutor {
    /// Runs one attempt: cache lookup (unless `probe` already made it), then the kind under the task's timeout.
    func attempt(
        _ spec: TaskSpec, context: TaskContext, seeds: LineageCollector, probe: CacheProbe? = nil
    ) async -> AttemptOutcome {
        let kind: any TaskKind
        switch self.kind(for: context.action) {
        case .success(let found): kind = found
        case .failure(let missing): return .failed(missing.message, cacheKey: nil)
        }
        let probed: CacheProbe
        if let probe {
            probed = probe
        } else {
            switch await lookUpCache(spec, context: context, lineage: await TaskLineage.before(context)) {
            case .hit(let outcome): return outcome
            case .miss(let miss): probed = miss
            }
        }
        let (lineage, cache) = (probed.lineage, probed.cache)

        let outcome = await runWithTimeout(kind, context: context, timeout: spec.timeout)
        switch outcome {
        case .succeeded(let outputs, _, _):
            var lineage = lineage
            lineage.seeds = Array(Set(lineage.seeds + seeds.seeds)).sorted()
            lineage.addReads(seeds.reads, workingDirectory: context.workingDirectory)
            return .succeeded(outputs, cache: cache, lineage: lineage)
        case .failed(let error, _): return .failed(error, cacheKey: cache?.key)
        case .cached, .cancelled, .suspended: return outcome
        }
    }

    /// Why an action has no kind to run it in this process.
    struct MissingKind: Error {
        let message: String
    }

    /// The kind that runs `action`.
    func kind(for action: ResolvedAction) -> Result<any TaskKind, MissingKind> {
        switch action {
        case .uses(let name):
            guard let found = kinds.kind(named: name) else {
                return .failure(MissingKind(message: "no task kind '\(name)' is registered in this process"))
            }
            return .success(found)
        case .run, .shell:
            guard let runner = kinds.commandRunner else {
                return .failure(MissingKind(
                    message: "this process has no command runner: run/shell tasks are unavailable"))
            }
            return .success(runner)
        }
    }

    /// Whether this process has a kind that runs `action`.
    func hasKind(for action: ResolvedAction) -> Bool {
        if case .success = kind(for: action) { return true }
        return false
    }

    /// How a cache lookup ended: a hit is the attempt's outcome; a miss says what the attempt stores.
    enum CacheLookup: Sendable {
        case hit(AttemptOutcome)
        case miss(CacheProbe)
    }

    /// Looks `spec`'s result up in the cache (when it caches and the cache is read): the key is computed from the
    /// resolved action, inputs and environment, and the named files as `lineage` read them.
    func lookUpCache(_ spec: TaskSpec, context: TaskContext, lineage: TaskLineage) async -> CacheLookup {
        guard let policy = spec.cache else { return .miss(CacheProbe(lineage: lineage, cache: nil)) }
        let key: String
        do {
            key = try cacheKey(spec, policy: policy, context: context, lineage: lineage)
        } catch {
            return .miss(.keyFailed(lineage, error))
        }
        guard configuration.readCache else {
            return .miss(CacheProbe(lineage: lineage, cache: (key, "disabled: --no-cache (the new result is stored)")))
        }
        do {
            return Self.decide(try await store.cacheEntry(forKey: key), key: key, lineage: lineage, now: clock.now)
        } catch {
            return .miss(CacheProbe(lineage: lineage, cache: (nil, "miss: could not read the cache: \(error)")))
        }
    }

    /// The cache key of `spec`'s attempt under `policy`: its resolved action, inputs and environment, and the named
    /// files as `lineage` read them (each file hashed once).
    func cacheKey(
        _ spec: TaskSpec, policy: CachePolicy, context: TaskContext, lineage: TaskLineage
    ) throws -> String {
        try CacheKey.compute(
            pipeline: context.pipeline, task: spec, context: context, version: policy.version, known: lineage.files)
    }

    /// A hit when `entry` exists and has not expired by `now`; otherwise a miss saying why.
    static func decide(_ entry: CacheEntry?, key: String, lineage: TaskLineage, now: Timestamp) -> CacheLookup {
        if let entry, entry.expiresAt.map({ $0 > now }) ?? true {
            let expiry = entry.expiresAt.map { ", expires \($0.iso8601)" } ?? ""
            return .hit(.cached(
                entry, note: "hit: stored by run \(entry.runID) at \(entry.createdAt.iso8601)\(expiry)", lineage: lineage))
        } else if let expired = entry?.expiresAt {
            return .miss(CacheProbe(lineage: lineage, cache: (key, "miss: the entry expired at \(expired.iso8601)")))
        } else {
            return .miss(CacheProbe(lineage: lineage, cache: (key, "miss: no entry for this key")))
        }
    }

    private func runWithTimeout(_ kind: any TaskKind, context: TaskContext, timeout: Duration?) async -> AttemptOutcome {
        guard let timeout else { return await invoke(kind, context: context) }
        let deadline = clock.now.adding(timeout)
        return await withTaskGroup(of: AttemptOutcome?.self) { group in
            group.addTask { await invoke(kind, context: context) }
            group.addTask { [clock] in
                do {
                    try await clock.sleep(until: deadline)
                    return .failed("timed out after \(DurationText.format(timeout)) (the task's timeout)", cacheKey: nil)
                } catch {
                    return nil
                }
            }
            var result: AttemptOutcome = .cancelled
            while let next = await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
    }

    private func invoke(_ kind: any TaskKind, context: TaskContext) async -> AttemptOutcome {
        do {
            // A kind that returned finished its work, even when cancellation arrived meanwhile: keep the result.
            return .succeeded(try await kind.run(context), cache: nil, lineage: nil)
        } catch let suspension as TaskSuspension {
            return .suspended(suspension)
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(String(describing: error), cacheKey: nil)
        }
    }
}

/// The seeds and files one attempt's kind reported through ``TaskContext/recordSeed(_:)`` and
/// ``TaskContext/recordRead(_:)``.
final class LineageCollector: Sendable {
    private let state = Mutex<(seeds: [Int64], reads: [String])>(([], []))

    /// Adds a seed.
    func add(seed: Int64) { state.withLock { $0.seeds.append(seed) } }

    /// Adds a file read.
    func add(read path: String) { state.withLock { $0.reads.append(path) } }

    /// The seeds added so far.
    var seeds: [Int64] { state.withLock { $0.seeds } }

    /// The files added so far.
    var reads: [String] { state.withLock { $0.reads } }
}
