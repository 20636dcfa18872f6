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

extension PipelineExecutor {
    /// Runs one attempt: cache lookup, then the kind under the task's timeout.
    func attempt(_ spec: TaskSpec, context: TaskContext, seeds: LineageCollector) async -> AttemptOutcome {
        // What the task reads, as it is before the attempt (a file the task itself writes is not an input).
        let lineage = await TaskLineage.before(context)
        let kind: any TaskKind
        switch context.action {
        case .uses(let name):
            guard let found = kinds.kind(named: name) else {
                return .failed("no task kind '\(name)' is registered in this process", cacheKey: nil)
            }
            kind = found
        case .run, .shell:
            guard let runner = kinds.commandRunner else {
                return .failed("this process has no command runner: run/shell tasks are unavailable", cacheKey: nil)
            }
            kind = runner
        }

        var cache: (key: String?, note: String)?
        if let policy = spec.cache {
            do {
                let key = try CacheKey.compute(
                    pipeline: context.pipeline, task: spec, context: context, version: policy.version,
                    known: lineage.files)  // each named file hashed once
                if configuration.readCache {
                    let entry = try await store.cacheEntry(forKey: key)
                    let now = clock.now
                    if let entry, entry.expiresAt.map({ $0 > now }) ?? true {
                        let expiry = entry.expiresAt.map { ", expires \($0.iso8601)" } ?? ""
                        return .cached(
                            entry, note: "hit: stored by run \(entry.runID) at \(entry.createdAt.iso8601)\(expiry)",
                            lineage: lineage)
                    } else if let expired = entry?.expiresAt {
                        cache = (key, "miss: the entry expired at \(expired.iso8601)")
                    } else {
                        cache = (key, "miss: no entry for this key")
                    }
                } else {
                    cache = (key, "disabled: --no-cache (the new result is stored)")
                }
            } catch {
                cache = (nil, "miss: could not compute the key: \(error)")
            }
        }

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
