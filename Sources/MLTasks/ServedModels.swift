public import ModelRegistry
import Synchronization

/// The versions `kiln serve` scores with, one per model and alias, swapped without a restart when the alias moves.
///
/// A request reads the current ``ServedModel`` of its model and alias from a lock-protected table and scores with
/// it: a request that started on a version finishes on it, whatever happens to the table meanwhile. The first
/// request for a model and alias loads its version (on the request path, once: concurrent first requests wait for
/// the same load). After that, ``refresh()`` — which `kiln serve` calls every second, off the request path —
/// resolves each alias in the registry (one read per model; `kiln models promote` and rollbacks in other processes
/// change it there), loads a version the alias moved to, and then swaps it in with one assignment. Requests never wait for a load, and never see a half-loaded version.
///
/// ```swift
/// let served = ServedModels(registry: registry) { version in try await load(version) }
/// let model = try await served.current("fraud-detection", alias: "production")   // scores with model.version
/// await served.refresh()   // after a promotion: the next request gets the new version
/// ```
public final class ServedModels: Sendable {
    /// A model and one of its aliases.
    struct Key: Hashable, Sendable {
        var model: String
        var alias: String
    }

    /// What a tracked alias serves: a loaded version, or why there is none.
    enum Slot: Sendable {
        case serving(ServedModel)
        case unavailable(PredictionError)

        /// The version served, if any.
        var version: ModelVersion? {
            guard case .serving(let served) = self else { return nil }
            return served.version
        }
    }

    let registry: ModelRegistryService
    let load: @Sendable (ModelVersion) async throws -> ServedModel
    private let slots = Mutex<[Key: Slot]>([:])
    /// First loads under way, shared by the requests that wait for them.
    private let loading = Mutex<[Key: Task<Slot, any Error>]>([:])

    /// Creates an empty table.
    /// - Parameters:
    ///   - registry: Where aliases resolve.
    ///   - load: Loads a version's model file (and transforms); called off the request path but for the first request.
    public init(registry: ModelRegistryService, load: @escaping @Sendable (ModelVersion) async throws -> ServedModel) {
        self.registry = registry
        self.load = load
    }

    /// The version `alias` of `model` serves now.
    /// - Throws: ``PredictionError``: `notFound` for an unknown model; `conflict` when the alias points at no
    ///   version; `failed` when its model file cannot be loaded.
    public func current(_ model: String, alias: String) async throws -> ServedModel {
        let key = Key(model: model, alias: alias)
        switch slots.withLock({ $0[key] }) {
        case .serving(let served)?: return served
        case .unavailable(let error)?: throw error
        case nil: break
        }
        // Concurrent first requests share one load (twenty clients starting at once must not load twenty copies).
        let (load, started) = loading.withLock { inFlight -> (Task<Slot, any Error>, Bool) in
            if let load = inFlight[key] { return (load, false) }
            let load = Task { try await self.resolve(key) }
            inFlight[key] = load
            return (load, true)
        }
        let slot: Slot
        do {
            slot = try await load.value
        } catch {
            if started { loading.withLock { $0[key] = nil } }
            throw error
        }
        let stored = slots.withLock { table -> Slot in
            if let existing = table[key] { return existing }  // a refresh got there first
            table[key] = slot
            return slot
        }
        if started { loading.withLock { $0[key] = nil } }
        switch stored {
        case .serving(let served): return served
        case .unavailable(let error): throw error
        }
    }

    /// Resolves every tracked alias and swaps in the versions they moved to; a version that cannot be loaded, or a
    /// registry that cannot be read, leaves the version serving in place (and is tried again next time). An alias
    /// that was removed, or a model that was deleted, stops being served.
    /// - Returns: The aliases that changed, as `MODEL@ALIAS: vOLD → vNEW`.
    @discardableResult
    public func refresh() async -> [String] {
        let tracked = slots.withLock { $0 }
        var changes: [String] = []
        for (key, old) in tracked.sorted(by: { ($0.key.model, $0.key.alias) < ($1.key.model, $1.key.alias) }) {
            let serving = old.version
            let slot: Slot
            do {
                let version = try await registry.resolve(ModelReference(model: key.model, selector: .alias(key.alias)))
                if version == serving { continue }
                slot = .serving(try await loaded(version))
            } catch {
                let refusal = Self.refusal(error, key: key)
                if refusal.kind == .failed && serving != nil { continue }  // a failed load or read keeps the loaded version
                slot = .unavailable(refusal)
            }
            if case .unavailable(let error) = slot, case .unavailable(let before) = old, error == before { continue }
            slots.withLock { $0[key] = slot }
            let names = [serving, slot.version].map { $0.map { "v\($0.version)" } ?? "none" }
            changes.append("\(key.model)@\(key.alias): \(names[0]) → \(names[1])")
        }
        return changes
    }

    /// The slot for `key` as the registry has it now.
    private func resolve(_ key: Key) async throws -> Slot {
        let version: ModelVersion
        do {
            version = try await registry.resolve(ModelReference(model: key.model, selector: .alias(key.alias)))
        } catch {
            let refusal = Self.refusal(error, key: key)
            if refusal.kind == .notFound { throw refusal }  // not tracked: unknown names must not fill the table
            return .unavailable(refusal)
        }
        return .serving(try await loaded(version))
    }

    private func loaded(_ version: ModelVersion) async throws -> ServedModel {
        do {
            return try await load(version)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw PredictionError(.failed, "cannot load \(version.reference) to serve it: \(error)")
        }
    }

    /// A registry error as a refusal of the request.
    static func refusal(_ error: any Error, key: Key) -> PredictionError {
        switch error {
        case let error as PredictionError:
            return error
        case RegistryError.unknownModel, RegistryError.invalidModelName:
            return PredictionError(.notFound, "\(error)")
        case RegistryError.unknownAlias(let model, let alias, _):
            return PredictionError(.conflict, "model '\(model)' has no \(alias) version to serve: \(error)")
        case RegistryError.invalidAliasName:
            return PredictionError(.invalid, "\(error)")
        default:
            return PredictionError(.failed, "cannot resolve \(key.model)@\(key.alias): \(error)")
        }
    }
}
