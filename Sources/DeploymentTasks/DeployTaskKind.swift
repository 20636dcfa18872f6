import CommandTasks
import Foundation
import ModelRegistry
public import PipelineEngine
import PipelineModel

/// `deploy`: decides whether a registered version goes to production, waits for approval if asked, and deploys it.
///
/// Inputs: `name`, `version`, `gate` (see ``DeployGate``), `approval` (`auto` | `manual`, default `auto`),
/// `approval_timeout` (duration), `export_to` (path the model file is written to atomically), `on_deploy` (argv run
/// after the file is in place and before the alias moves), `alias` (default `production`), `reason`.
/// Outputs: `deployed` (bool), `reasons` (list of the gate's verdicts with numbers), `version`, `previous`.
///
/// A failed gate or a rejection is an answer, not an error: the task succeeds with `deployed: false` and production
/// is untouched. A failure while deploying fails the task, again with production untouched — including when
/// production moved after the gate compared against it, or another deployment of the alias is in progress. The
/// deployment itself is crash-consistent (see ``Deployer``); abandoned deployments are recovered before the gate.
public struct DeployTaskKind: TaskKind {
    /// `deploy`.
    /// The kind's name, `"deploy"`.
    public static let kindName = "deploy"
    /// ``kindName``.
    public var name: String { Self.kindName }
    let deployer: Deployer
    let scoring: (any ModelScoring)?

    /// Creates the kind.
    /// - Parameters:
    ///   - deployer: Moves aliases and files.
    ///   - scoring: Scores models for `champion` gates (without it, such gates fail with an explanation).
    public init(deployer: Deployer, scoring: (any ModelScoring)?) {
        self.deployer = deployer
        self.scoring = scoring
    }

    /// Decides, waits if needed, and deploys.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = TaskInputReader(context)
        let model = try inputs.string("name")
        let version = try inputs.int("version")
        let alias = try inputs.optionalString("alias") ?? "production"
        // Settle a deployment a crash interrupted before reading production, so the gate sees what is served.
        for line in try await deployer.recover(at: context.clock.now) { context.log("recovered: \(line)") }
        let registered = try await deployer.registry.model(model)
        guard let candidate = registered.version(version) else {
            throw TaskFailure("deploy: model '\(model)' has no version \(version)")
        }
        let previous = registered.aliases[alias]
        let gate = try DeployGate(context.inputs["gate"])
        var (passed, reasons) = gate.checkThresholds(candidate.metrics)
        if let champion = gate.champion {
            let (ok, reason) = try await compare(candidate, with: previous.flatMap { registered.version($0) }, champion, context)
            passed = passed && ok
            reasons.append(reason)
        }
        func answer(_ deployed: Bool) -> [String: JSONValue] {
            [
                "deployed": .bool(deployed), "reasons": .array(reasons.map(JSONValue.string)),
                "version": .number(Double(version)), "previous": previous.map { .number(Double($0)) } ?? .null,
            ]
        }
        for reason in reasons { context.log("gate: \(reason)") }
        guard passed else {
            context.log("not deploying \(model) v\(version): the gate failed")
            return answer(false)
        }
        let approval = try inputs.optionalString("approval") ?? "auto"
        guard approval == "auto" || approval == "manual" else {
            throw TaskFailure("deploy: approval must be auto or manual, got '\(approval)'")
        }
        if approval == "manual" {
            guard let decision = context.decision else {
                throw TaskSuspension(
                    reason: "approval to deploy \(model) v\(version) (\(reasons.isEmpty ? "no gate" : reasons.joined(separator: "; ")))",
                    deadline: try ApproveTaskKind.deadline(context, key: "approval_timeout"))
            }
            guard decision.approved else {
                reasons.append("rejected by \(decision.actor)" + (decision.reason.map { ": \($0)" } ?? ""))
                context.log("not deploying \(model) v\(version): rejected")
                return answer(false)
            }
            reasons.append("approved by \(decision.actor)" + (decision.reason.map { ": \($0)" } ?? ""))
        }
        let exportPath = try inputs.optionalString("export_to").map(inputs.absolutePath)
        let hook = try inputs.strings("on_deploy")
        // The compare-and-set expects the production version the gate compared against: if it moved since, the
        // deployment fails before touching the file.
        try await deployer.deploy(
            model: model, version: version, alias: alias, exportPath: exportPath, expectedFrom: .some(previous),
            hook: { if let hook { try await runHook(hook, exportPath: exportPath, model: model, version: version, context) } },
            reason: try inputs.optionalString("reason") ?? reasons.joined(separator: "; "),
            actor: "run \(context.runID)/\(context.taskID)", at: context.clock.now)
        context.log("deployed \(model) v\(version) as \(alias)" + (previous.map { " (was v\($0))" } ?? ""))
        return answer(true)
    }

    private func compare(
        _ candidate: ModelVersion, with production: ModelVersion?, _ champion: DeployGate.Champion, _ context: TaskContext
    ) async throws -> (Bool, String) {
        guard let production, production.version != candidate.version else {
            return (true, "champion: no other \(champion.metric) to beat (no production version): pass")
        }
        guard let scoring else {
            return (false, "champion: this process cannot score models, so the comparison could not run: fail")
        }
        let data = try await TaskInputReader(context).artifactReference(champion.data)
        let new = try await scoring.metrics(model: candidate.artifact, data: data, label: champion.label, context: context)
        let old = try await scoring.metrics(model: production.artifact, data: data, label: champion.label, context: context)
        guard let newValue = new[champion.metric], let oldValue = old[champion.metric] else {
            return (false, "champion: metric '\(champion.metric)' is not one of \(new.keys.sorted().joined(separator: ", ")): fail")
        }
        let gain = champion.higherIsBetter ? newValue - oldValue : oldValue - newValue
        let ok = gain >= champion.margin
        let format = DeployGate.format
        return (ok, "champion: candidate v\(candidate.version) \(champion.metric) \(format(newValue)) vs production v\(production.version) \(format(oldValue)) (\(gain >= 0 ? "+" : "")\(format(gain)) \(ok ? "≥" : "<") margin \(format(champion.margin))): \(ok ? "pass" : "fail")")
    }

    private func runHook(_ argv: [String], exportPath: String?, model: String, version: Int, _ context: TaskContext) async throws {
        var environment = context.environment
        environment["KILN_MODEL_NAME"] = model
        environment["KILN_MODEL_VERSION"] = String(version)
        if let exportPath { environment["KILN_MODEL_PATH"] = exportPath }
        let hookContext = TaskContext(
            runID: context.runID, pipeline: context.pipeline, taskID: context.taskID, attempt: context.attempt,
            action: .run(argv), environment: environment, workingDirectory: context.workingDirectory,
            clock: context.clock, logger: context.logger, artifacts: context.artifacts,
            withheldEnvironment: context.withheldEnvironment,
            log: { stream, line in context.log("on_deploy: \(line)", stream: stream) },
            // The hook's process group is the deploy task's while it runs: a takeover stops it like any command.
            process: { context.recordProcess($0) })
        do {
            _ = try await CommandTaskKind().run(hookContext)
        } catch {
            throw TaskFailure("on_deploy failed (\(error)); production and the exported file were left as they were")
        }
    }
}
