import ArgumentParser
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import Reproduction
import DeploymentTasks

/// `kiln models [list|show|promote|rollback]`: the model registry.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", _superCommandName: "kiln",
        abstract: "List registered models, show one, promote or roll back a version.",
        discussion: "Unknown models, versions or aliases exit 2; an alias moved by another process meanwhile exits 1.",
        subcommands: [List.self, Show.self, Promote.self, Rollback.self], defaultSubcommand: List.self)

    /// `kiln models [list]`: one line per model.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List models: latest version, production version, number of versions.")

        @Flag(help: "Print a JSON list of model summaries.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingRegistryErrors {
                let models = try await home.openRegistry().store.models()
                if json {
                    Terminal.out(Terminal.json(.array(models.map(RegistryDocument.summary))))
                    return
                }
                guard !models.isEmpty else {
                    Terminal.out("no models registered yet in \(home.storeName); a pipeline's register step adds them")
                    return
                }
                Terminal.out(Terminal.table(
                    ["MODEL", "LATEST", "PRODUCTION", "VERSIONS", "UPDATED"],
                    models.map { model in
                        [model.name, model.latest.map { "\($0.version)" } ?? "-", model.production.map { "\($0)" } ?? "-",
                         "\(model.versions.count)", Self.updated(model).iso8601]
                    }))
            }
        }

        /// The time of the model's newest version or alias move.
        static func updated(_ model: RegisteredModel) -> Timestamp {
            max(model.latest?.createdAt ?? Timestamp(nanosecondsSince1970: 0),
                model.history.last?.at ?? Timestamp(nanosecondsSince1970: 0))
        }
    }

    /// `kiln models show NAME`: versions, aliases and the alias history.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a model's versions, aliases and alias history.")

        @Argument(help: ArgumentHelp("The model's name.", valueName: "name"))
        var name: String

        @Flag(help: "Print the model document as JSON.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingRegistryErrors {
                let stores = try await home.openStores()
                let model = try await ModelRegistryService(store: stores.registry).model(name)
                let kinds = KindCatalog.names
                var obstacles: [Int: String] = [:]
                for version in model.versions {
                    let lineage = try await VersionLineage.load(version, states: stores.state)
                    obstacles[version.version] = lineage.obstacle(kinds: kinds)
                }
                if json {
                    Terminal.out(Terminal.json(Self.withReproducibility(RegistryDocument.model(model), obstacles)))
                    return
                }
                let aliases = model.aliases.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }
                let none = "none (promote a version with `kiln models promote \(model.name) VERSION`)"
                Terminal.out([
                    "model     \(model.name)",
                    "aliases   \(aliases.isEmpty ? none : aliases.joined(separator: " · "))",
                    "versions  \(model.versions.count)",
                ].joined(separator: "\n") + "\n")
                Terminal.out(Terminal.table(
                    ["VERSION", "CREATED", "ALIASES", "METRICS", "RUN", "TASK", "DATA", "REPRODUCIBLE"],
                    model.versions.reversed().map { version in
                        ["\(version.version)", version.createdAt.iso8601, model.aliases(of: version.version).joined(separator: ","),
                         Self.metrics(version.metrics), version.runID, version.task, Self.short(version.dataFingerprint),
                         obstacles[version.version] == nil ? "yes" : "no"]
                    }))
                try await samplesSection(model, metrics: stores.registry)
                let reasons = model.versions.reversed().compactMap { version in
                    obstacles[version.version].map { "  v\(version.version): \($0)" }
                }
                if !reasons.isEmpty {
                    Terminal.out("\nnot reproducible (`kiln reproduce \(model.name)@VERSION` rebuilds and compares the others)")
                    Terminal.out(reasons.joined(separator: "\n"))
                }
                guard !model.history.isEmpty else { return }
                Terminal.out("\nalias history (newest first)")
                Terminal.out(Terminal.table(
                    ["AT", "ALIAS", "FROM", "TO", "ACTOR", "REASON"],
                    model.history.reversed().map { change in
                        [change.at.iso8601, change.alias, change.from.map { "\($0)" } ?? "-", change.to.map { "\($0)" } ?? "-",
                         change.actor, change.reason ?? ""]
                    }))
            }
        }

        /// Metric samples of the production version (pushed with `kiln metrics push`, or measured on labelled data
        /// by a `performance:` rule), per registered metric: count, latest value and time, and the trend of the
        /// last 20 as a sparkline. Nothing when there are none.
        func samplesSection(_ model: RegisteredModel, metrics store: any MetricStore) async throws {
            guard let production = model.production, let version = model.version(production) else { return }
            var rows: [[String]] = []
            for metric in version.metrics.keys.sorted() {
                let samples = try await store.metricSamples(
                    model: model.name, version: production, metric: metric, from: Timestamp.earliest, through: Timestamp.latest)
                guard let last = samples.last else { continue }
                rows.append([metric, "\(samples.count)", JSONValue.format(last.value), last.at.iso8601,
                             Self.sparkline(samples.suffix(20).map(\.value))])
            }
            guard !rows.isEmpty else { return }
            Terminal.out("\nproduction metric samples (v\(production))")
            Terminal.out(Terminal.table(["METRIC", "SAMPLES", "LATEST", "AT", "TREND (last 20)"], rows))
        }

        /// `▁▃▇`: each value's height between the smallest and the largest.
        static func sparkline(_ values: [Double]) -> String {
            let bars = Array("▁▂▃▄▅▆▇█")
            guard let low = values.min(), let high = values.max() else { return "" }
            return String(values.map { value in
                high > low ? bars[Int(((value - low) / (high - low) * Double(bars.count - 1)).rounded())] : bars[3]
            })
        }

        /// The model document with `reproducible` (`true`/`false`) and `not_reproducible_because` (text or `null`) in
        /// each version.
        static func withReproducibility(_ document: JSONValue, _ obstacles: [Int: String]) -> JSONValue {
            guard case .object(var members) = document, case .array(let versions) = members["versions"] ?? .null else {
                return document
            }
            members["versions"] = .array(versions.map { version in
                guard case .object(var fields) = version, let number = fields["version"]?.numberValue else { return version }
                let obstacle = obstacles[Int(number)]
                fields["reproducible"] = .bool(obstacle == nil)
                fields["not_reproducible_because"] = obstacle.map(JSONValue.string) ?? .null
                return .object(fields)
            })
            return .object(members)
        }

        /// `auc=0.97 f1=0.91`, cut to 60 characters.
        static func metrics(_ metrics: [String: Double]) -> String {
            let text = metrics.keys.sorted().map { "\($0)=\(JSONValue.format(metrics[$0]!))" }.joined(separator: " ")
            return text.count > 60 ? String(text.prefix(57)) + "..." : text
        }

        /// A content hash cut to `sha256:` and 12 digits.
        static func short(_ hash: String) -> String { hash.count > 20 ? String(hash.prefix(19)) + "…" : hash }
    }

    /// `kiln models promote NAME VERSION`: point an alias at a version.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote", abstract: "Point an alias (production by default) at a version, recording why.")

        @Argument(help: ArgumentHelp("The model's name.", valueName: "name"))
        var name: String

        @Argument(help: ArgumentHelp("The version to promote.", valueName: "version"))
        var version: Int

        @Option(help: "The alias to move.")
        var alias = RegistryNames.production

        @Option(help: "Why, for the alias history.")
        var reason: String?

        @Flag(help: "Print the recorded change as JSON.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingRegistryErrors {
                // Through the deployer, so an alias that was deployed with `export_to:` moves with its file (the
                // recorded export path), crash-consistently, after recovering any interrupted deployment.
                let change = try await Operations.make(home: home, wiring: try await TriggerWiring(home: home)).promote(
                    model: name, version: version, alias: alias, reason: reason, actor: "cli", report: { DeploymentRecovery.report([$0]) })
                ModelsCommand.report(change, json: json)
            }
        }
    }

    /// `kiln models rollback NAME`: move an alias back.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Move an alias (production by default) back to the version before its last move, or to --to.")

        @Argument(help: ArgumentHelp("The model's name.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("The version to restore (default: the one before the alias's last move).", valueName: "version"))
        var to: Int?

        @Option(help: "The alias to move back.")
        var alias = RegistryNames.production

        @Option(help: "Why, for the alias history (default: \"rolled back from version N\").")
        var reason: String?

        @Flag(help: "Print the recorded change as JSON.")
        var json = false

        @OptionGroup var home: HomeOptions

        func run() async throws {
            try await reportingRegistryErrors {
                // Restores the exported file too, when the alias was deployed with `export_to:`.
                let change = try await Operations.make(home: home, wiring: try await TriggerWiring(home: home)).rollback(
                    model: name, alias: alias, to: to, reason: reason, actor: "cli", report: { DeploymentRecovery.report([$0]) })
                ModelsCommand.report(change, json: json)
            }
        }
    }

    /// Prints an alias move: `fraud: production → version 4 (was version 3)`.
    static func report(_ change: AliasChange, json: Bool) {
        if json {
            Terminal.out(Terminal.json(Documents.aliasChange(change)))
            return
        }
        let target = change.to.map { "version \($0)" } ?? "no version"
        if change.from == change.to {
            Terminal.out("\(change.model): \(change.alias) already points at \(target); nothing changed")
        } else {
            Terminal.out("\(change.model): \(change.alias) → \(target) (was \(change.from.map { "version \($0)" } ?? "unset"))")
        }
    }
}

extension HomeOptions {
    /// Where older versions remembered the export paths of deployed aliases (`deployments.json`); imported into the
    /// registry once by the deployer's recovery.
    var legacyDeploymentLedgerPath: String { directory + "/deployments.json" }

    /// Moves aliases together with their exported files.
    func deployer(registry: any RegistryStore) throws -> Deployer {
        Deployer(
            registry: ModelRegistryService(store: registry), artifacts: try artifactStore,
            legacyLedgerPath: legacyDeploymentLedgerPath)
    }

    /// Opens (creating if needed) the model registry in the command's store.
    func openRegistry() async throws -> ModelRegistryService {
        ModelRegistryService(store: try await openStores().registry)
    }
}

/// Runs `body` like ``reportingErrors(_:)``, reporting registry errors as one line: exit 1 for a compare-and-set
/// conflict or a deployment in progress (try again), 2 for everything else (an unknown or invalid name, version or alias).
func reportingRegistryErrors<T>(_ body: () async throws -> T) async throws -> T {
    try await reportingErrors {
        do {
            return try await body()
        } catch let error as RegistryError {
            switch error {
            case .aliasConflict, .deploymentInProgress, .deploymentLost: throw CLIError(error.description, exitCode: 1)
            default: break
            }
            throw CLIError(error.description, exitCode: 2)
        }
    }
}
