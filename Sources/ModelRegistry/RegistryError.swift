import PipelineModel

/// What went wrong in the model registry; every description says what is wrong and how to fix it.
public enum RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text cannot name a model.
    case invalidModelName(String)
    /// The text cannot name an alias.
    case invalidAliasName(String)
    /// A version to register is incomplete or malformed; `problem` says how.
    case invalidVersion(model: String, problem: String)
    /// No model has this name.
    case unknownModel(String)
    /// The model has no such version; `latest` is its newest version number (versions run from 1 to it).
    case unknownVersion(model: String, version: Int, latest: Int)
    /// The model has no such alias; `aliases` are the ones it has.
    case unknownAlias(model: String, alias: String, aliases: [String])
    /// A compare-and-set alias move found the alias somewhere else than expected: another process moved it.
    case aliasConflict(model: String, alias: String, expected: Int?, actual: Int?)
    /// A rollback without a target, of an alias that was never moved.
    case neverMoved(model: String, alias: String)
    /// A rollback without a target, of an alias whose last move created it: there is no earlier version.
    case noPreviousVersion(model: String, alias: String, current: Int?)
    /// The idempotency key already registered a version of another model.
    case idempotencyKeyReused(key: String, existing: String, requested: String)
    /// The text is not a model reference (`NAME`, `NAME@ALIAS` or `NAME@VERSION`).
    case invalidReference(String)
    /// Another deployment of the same alias, or of the same exported file, is in progress; `holder` is its intent.
    case deploymentInProgress(model: String, alias: String, holder: DeploymentIntent)
    /// A deployment's intent is gone or belongs to another process now (it was recovered as abandoned), so it cannot
    /// be committed.
    case deploymentLost(model: String, alias: String)

    /// What is wrong, and what to do about it.
    public var description: String {
        switch self {
        case .invalidModelName(let name):
            return "'\(name)' is not a valid model name: use letters, digits, '.', '_' and '-' (at most 100), "
                + "starting with a letter or digit, for example fraud-detector"
        case .invalidAliasName(let name):
            return "'\(name)' is not a valid alias: use lowercase letters, digits, '_' and '-' (at most 64), "
                + "starting with a letter or digit and not only digits, for example production or canary-eu"
        case .invalidVersion(let model, let problem):
            return "cannot register a version of model '\(model)': \(problem)"
        case .unknownModel(let name):
            return "no model '\(name)' in the registry; list the registered models with `kiln models`"
        case .unknownVersion(let model, let version, let latest):
            switch latest {
            case ..<1: return "model '\(model)' has no version \(version); it has no versions yet"
            case 1: return "model '\(model)' has no version \(version); only version 1 exists"
            default: return "model '\(model)' has no version \(version); versions 1–\(latest) exist"
            }
        case .unknownAlias(let model, let alias, let aliases):
            let known = aliases.isEmpty ? "it has no aliases yet" : "its aliases are \(aliases.sorted().joined(separator: ", "))"
            return "model '\(model)' has no alias '\(alias)' (\(known)); point it at a version with "
                + "`kiln models promote \(model) VERSION\(alias == RegistryNames.production ? "" : " --alias \(alias)")`"
        case .aliasConflict(let model, let alias, let expected, let actual):
            return "alias '\(alias)' of model '\(model)' points at \(Self.target(actual)), not \(Self.target(expected)) "
                + "as expected: another process moved it; check `kiln models show \(model)` and try again"
        case .neverMoved(let model, let alias):
            return "alias '\(alias)' of model '\(model)' has never been moved, so there is nothing to roll back to; "
                + "promote a version with `kiln models promote \(model) VERSION`"
        case .noPreviousVersion(let model, let alias, let current):
            return "alias '\(alias)' of model '\(model)' pointed at no version before its last move (to \(Self.target(current))); "
                + "choose the version to roll back to with --to VERSION"
        case .idempotencyKeyReused(let key, let existing, let requested):
            return "idempotency key '\(key)' already registered a version of model '\(existing)', "
                + "so it cannot register one of '\(requested)'; use one key per registration (\"<run id>/<task id>\")"
        case .invalidReference(let text):
            return "'\(text)' is not a model reference: write NAME, NAME@ALIAS or NAME@VERSION "
                + "(for example recommendation, recommendation@staging or recommendation@3)"
        case .deploymentInProgress(let model, let alias, let holder):
            let who = "to version \(holder.to), by \(holder.actor) in \(holder.owner), since \(holder.startedAt.iso8601)"
            let what: String
            if holder.model == model, holder.alias == alias {
                what = "alias '\(alias)' of model '\(model)' is being deployed already (\(who))"
            } else {
                what = "cannot deploy alias '\(alias)' of model '\(model)' now: its file \(holder.exportPath ?? "") is being "
                    + "written by a deployment of alias '\(holder.alias)' of model '\(holder.model)' (\(who))"
            }
            return what + "; deployments of one alias or one file run one at a time: wait for it to finish and try again"
        case .deploymentLost(let model, let alias):
            return "the deployment of alias '\(alias)' of model '\(model)' is no longer on record (another process "
                + "recovered it as abandoned), so the alias was not moved; check `kiln models show \(model)` and deploy again"
        }
    }

    private static func target(_ version: Int?) -> String { version.map { "version \($0)" } ?? "no version" }
}
