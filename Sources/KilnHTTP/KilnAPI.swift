import Foundation
public import Hummingbird
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import Prometheus

/// The HTTP API of `kiln serve`: every route, its description for `/openapi.json`, and its handler, in one table so
/// that the served description cannot drift from what is served.
public enum KilnAPI {
    /// One endpoint.
    struct Route: Sendable {
        /// `GET`, `POST`, …
        var method: HTTPRequest.Method
        /// The path with `{name}` placeholders, as OpenAPI writes it.
        var path: String
        /// One line for the API description.
        var summary: String
        /// Query parameters: name → description.
        var query: [String: String] = [:]
        /// JSON body fields: name → (JSON type, description); `nil` for no body.
        var body: [String: (type: String, description: String)]?
        /// Whether the body may have fields besides ``body`` (a row of columns).
        var bodyIsOpen = false
        /// The success status.
        var status: HTTPResponse.Status = .ok
        /// What the success response is.
        var returns: String
        var handler: @Sendable (Request, Parameters, KilnAPIBackend) async throws -> Response

        /// The path as Hummingbird's router writes it (`:name`).
        var routerPath: String {
            path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        }
    }

    /// Builds the router: problem documents for every error, the token check, then the API routes and the dashboard.
    ///
    /// - Parameters:
    ///   - backend: What the API acts on.
    ///   - token: The API token, or `nil` for none.
    ///   - auth: Which requests need it.
    public static func router(backend: KilnAPIBackend, token: String?, auth: AuthScope = .writes) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(
            TokenAuthMiddleware(token: token.map { Array($0.utf8) }, scope: auth, open: ["/openapi.json", "/login", "/assets/kiln.css"]))
        Login.register(on: router, token: token.map { Array($0.utf8) })
        for route in routes {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await route.handler(request, context.parameters, backend)
            }
        }
        Dashboard.register(on: router, backend: backend)
        router.get("/metrics") { _, _ in
            guard let prometheus = backend.prometheus else {
                throw Problem(.notFound, "this server exposes no metrics")
            }
            prometheus.refresh()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: prometheus.registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: JSONBody.encode(openAPIDocument(version: backend.version), pretty: true) + "\n")))
        }
        return router
    }

    /// Every route but `/openapi.json`.
    static let routes: [Route] = pipelineRoutes + runRoutes + modelRoutes + predictionRoutes + triggerRoutes + cacheRoutes

    // MARK: Pipelines

    static let pipelineRoutes: [Route] = [
        Route(
            method: .get, path: "/v1/pipelines",
            summary: "The watched pipelines: file, triggers, next scheduled fire, and the states of their last runs.",
            returns: "{pipelines: [{name, path, tasks, triggers: {rules, schedule, every, timezone, upstream, combine, cooldown}, next_fire, last_verdict: {at, fires, rules: [{type, fires, evidence}]}, recent_runs: [{id, state, created_at}]}]}"
        ) { _, _, backend in
            let now = backend.operations.clock.now
            var list: [JSONValue] = []
            for watched in await backend.catalog.pipelines() {
                let recent = try await backend.operations.store.runs(pipeline: watched.pipeline.name, limit: 20)
                list.append(pipelineSummary(watched, recent: recent, now: now, verdict: backend.verdicts?.latest(of: watched.pipeline.name)))
            }
            return JSONBody.response(["pipelines": .array(list)])
        },
        Route(
            method: .post, path: "/v1/pipelines/{name}/backtest",
            summary: "Replay a pipeline's triggers over a past period: when runs would have started and why.",
            body: ["from": ("string", "Start of the period, UTC (ISO 8601)."), "to": ("string", "End of the period, UTC, included.")],
            returns: "{pipeline, from, to, count, runs: [{at, trigger}]}"
        ) { request, parameters, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["from", "to"])
            let watched = try await pipeline(named: try parameters.require("name"), in: backend)
            let start = try time(try fields.string("from"), field: "from", required: true)!
            let end = try time(try fields.string("to"), field: "to", required: true)!
            let runs = try await backend.operations.backtest(watched, from: start, to: end)
            return JSONBody.response([
                "pipeline": .string(watched.pipeline.name), "from": .string(start.iso8601), "to": .string(end.iso8601),
                "count": .number(Double(runs.count)),
                "runs": .array(runs.map { ["at": .string($0.at.iso8601), "trigger": $0.trigger] }),
            ])
        },
    ]

    // MARK: Runs

    static let runRoutes: [Route] = [
        Route(
            method: .get, path: "/v1/runs", summary: "Runs, newest first, a page at a time.",
            query: [
                "pipeline": "Only this pipeline's runs.", "state": "Only runs in this state (queued, running, waiting, succeeded, failed, cancelled).",
                "limit": "Page size, 1–1000 (default 50).", "before": "The `next` of the previous page.",
            ],
            returns: "{runs: [{id, pipeline, state, created_at, started_at, finished_at, trigger}], next}"
        ) { request, _, backend in
            let query = request.uri.queryParameters
            let state = try query["state"].map { text -> RunState in
                guard let state = RunState(rawValue: String(text)) else {
                    throw Problem(.badRequest, "state must be one of \(RunState.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                return state
            }
            let limit = try integer(request, "limit") ?? 50
            let page = try await backend.operations.runs(
                pipeline: query["pipeline"].map(String.init), state: state, limit: limit,
                before: query["before"].map { RunID(rawValue: String($0)) })
            return JSONBody.response(["runs": .array(page.runs.map(runSummary)), "next": page.next.map { .string($0.rawValue) } ?? .null])
        },
        Route(
            method: .post, path: "/v1/runs", summary: "Start a run of a watched pipeline (recorded as a manual trigger); the daemon executes it.",
            body: [
                "pipeline": ("string", "The pipeline's name."), "params": ("object", "Param overrides."),
                "reason": ("string", "Why, stored in the run's trigger."),
            ],
            status: .created, returns: "{id, pipeline, state}"
        ) { request, _, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["pipeline", "params", "reason"])
            guard let name = try fields.string("pipeline") else {
                throw Problem(.badRequest, "say which pipeline to run: {\"pipeline\": \"NAME\"}")
            }
            let watched = try await pipeline(named: name, in: backend)
            let reason = try fields.string("reason")
            let trigger: JSONValue = [
                "type": "manual", "reason": reason.map(JSONValue.string) ?? .null,
                "evidence": .string("manual: \(reason ?? "started through the HTTP API")"),
            ]
            let id = try await backend.startRun(watched, try fields.object("params") ?? [:], trigger)
            return JSONBody.response(["id": .string(id.rawValue), "pipeline": .string(name), "state": "queued"], status: .created)
        },
        Route(
            method: .get, path: "/v1/runs/{id}", summary: "The run document (as `kiln show --json`); a unique prefix of the id is enough.",
            returns: "the run document"
        ) { _, parameters, backend in
            let id = try await backend.operations.resolveRun(try parameters.require("id"))
            return JSONBody.response(try await backend.operations.runDocument(id))
        },
        Route(
            method: .get, path: "/v1/runs/{id}/logs",
            summary: "Captured output of a run; `follow=true` streams new lines as Server-Sent Events until the run ends.",
            query: ["task": "Only this task (`notify` for notification deliveries).", "attempt": "Only this attempt (1-based).",
                    "follow": "`true` to stream (text/event-stream)."],
            returns: "{lines: [{task, attempt, stream, text, at}]}, or an event stream of such lines"
        ) { request, parameters, backend in
            let query = request.uri.queryParameters
            let id = try await backend.operations.resolveRun(try parameters.require("id"))
            let task = query["task"].map(String.init)
            let attempt = try integer(request, "attempt")
            let lines = try await backend.operations.logs(of: id, task: task, attempt: attempt)
            guard query["follow"] == "true" else { return JSONBody.response(["lines": .array(lines.map(logJSON))]) }
            return LogStreaming.response(run: id, task: task, attempt: attempt, already: lines, operations: backend.operations)
        },
        decisionRoute(approved: true),
        decisionRoute(approved: false),
        Route(
            method: .post, path: "/v1/runs/{id}/resume",
            summary: "Hand an interrupted or failed run to the daemon to continue (as `kiln resume`).",
            returns: "{id, state}"
        ) { _, parameters, backend in
            let id = try await backend.operations.resolveRun(try parameters.require("id"))
            guard let run = try await backend.operations.store.run(id) else { throw OperationError(.notFound, "no run '\(id)'") }
            guard run.state != .succeeded else { throw OperationError(.conflict, "run \(id) already succeeded: nothing to resume") }
            if let lease = try await backend.operations.store.lease(of: id), lease.expiresAt > backend.operations.clock.now {
                throw OperationError(.busy, PipelineExecutor.StartError.leased(lease).description)
            }
            await backend.continueRun(id)
            return JSONBody.response(["id": .string(id.rawValue), "state": .string(run.state.rawValue)], status: .accepted)
        },
        Route(
            method: .post, path: "/v1/runs/{id}/cancel",
            summary: "Cancel a run the daemon executes: running tasks are stopped, the run ends cancelled (resume continues it).",
            returns: "{id, cancelled}"
        ) { _, parameters, backend in
            let id = try await backend.operations.resolveRun(try parameters.require("id"))
            guard let run = try await backend.operations.store.run(id) else { throw OperationError(.notFound, "no run '\(id)'") }
            guard run.state == .queued || run.state == .running || run.state == .waiting else {
                throw OperationError(.conflict, "run \(id) is \(run.state.rawValue): only queued, running or waiting runs can be cancelled")
            }
            guard await backend.cancelRun(id) else {
                let owner = try await backend.operations.store.lease(of: id).map { " (it is executed by \($0.owner))" } ?? ""
                throw OperationError(
                    .conflict, "run \(id) is not executed by this kiln serve\(owner); stop it where it runs (Ctrl-C or SIGTERM)")
            }
            return JSONBody.response(["id": .string(id.rawValue), "cancelled": true], status: .accepted)
        },
    ]

    static func decisionRoute(approved: Bool) -> Route {
        Route(
            method: .post, path: "/v1/runs/{id}/\(approved ? "approve" : "reject")",
            summary: approved
                ? "Approve a task waiting for a manual decision; the daemon continues the run."
                : "Reject a task waiting for a manual decision (it fails); the daemon finishes the run.",
            body: [
                "task": ("string", "The waiting task (default: the run's only waiting task)."),
                "reason": ("string", "Why, shown with the decision."), "actor": ("string", "Who decides (default: http)."),
            ],
            returns: "{run, task, approved}"
        ) { request, parameters, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["task", "reason", "actor"])
            let id = try await backend.operations.resolveRun(try parameters.require("id"))
            let task = try await backend.operations.decide(
                run: id, task: try fields.string("task"), approved: approved, reason: try fields.string("reason"),
                actor: try fields.string("actor") ?? "http")
            await backend.continueRun(id)
            return JSONBody.response(["run": .string(id.rawValue), "task": .string(task), "approved": .bool(approved)])
        }
    }

    // MARK: Models

    static let modelRoutes: [Route] = [
        Route(method: .get, path: "/v1/models", summary: "Registered models: latest and production versions.", returns: "{models: [summary]}") {
            _, _, backend in
            let models = try await backend.operations.registry.store.models()
            return JSONBody.response(["models": .array(models.map(RegistryDocument.summary))])
        },
        Route(
            method: .get, path: "/v1/models/{name}",
            summary: "A model: versions with metrics and lineage, aliases, alias history (as `kiln models show --json`).",
            returns: "the model document"
        ) { _, parameters, backend in
            JSONBody.response(RegistryDocument.model(try await backend.operations.model(try parameters.require("name"))))
        },
        Route(
            method: .post, path: "/v1/models/{name}/promote", summary: "Point an alias (production by default) at a version, with its exported file.",
            body: [
                "version": ("integer", "The version to promote."), "alias": ("string", "The alias (default production)."),
                "reason": ("string", "Why, for the alias history."), "actor": ("string", "Who (default: http)."),
            ],
            returns: "{model, alias, from, to, changed, …}"
        ) { request, parameters, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["version", "alias", "reason", "actor"])
            guard let version = try fields.integer("version") else {
                throw Problem(.badRequest, "say which version to promote: {\"version\": N}")
            }
            let change = try await backend.operations.promote(
                model: try parameters.require("name"), version: version, alias: try fields.string("alias") ?? RegistryNames.production,
                reason: try fields.string("reason"), actor: try fields.string("actor") ?? "http")
            return JSONBody.response(Documents.aliasChange(change))
        },
        Route(
            method: .post, path: "/v1/models/{name}/rollback",
            summary: "Move an alias (production by default) back to the version before its last move, or to `to`.",
            body: [
                "to": ("integer", "The version to restore."), "alias": ("string", "The alias (default production)."),
                "reason": ("string", "Why, for the alias history."), "actor": ("string", "Who (default: http)."),
            ],
            returns: "{model, alias, from, to, changed, …}"
        ) { request, parameters, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["to", "alias", "reason", "actor"])
            let change = try await backend.operations.rollback(
                model: try parameters.require("name"), alias: try fields.string("alias") ?? RegistryNames.production,
                to: try fields.integer("to"), reason: try fields.string("reason"), actor: try fields.string("actor") ?? "http")
            return JSONBody.response(Documents.aliasChange(change))
        },
        Route(
            method: .post, path: "/v1/metrics", summary: "Record production metrics of a model version (as `kiln metrics push`).",
            body: [
                "model": ("string", "The model."), "values": ("object", "Metric name → number, e.g. {\"f1\": 0.78}."),
                "version": ("integer", "The version (default: production)."), "at": ("string", "When measured, UTC (default now)."),
            ],
            status: .created, returns: "{model, version, at, values}"
        ) { request, _, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["model", "values", "version", "at"])
            guard let model = try fields.string("model") else { throw Problem(.badRequest, "say which model: {\"model\": \"NAME\", …}") }
            guard let values = try fields.object("values"), !values.isEmpty else {
                throw Problem(.badRequest, "give the metrics as {\"values\": {\"f1\": 0.78}}")
            }
            let pairs = try values.keys.sorted().map { name -> (String, Double) in
                guard let number = values[name]?.numberValue else { throw Problem(.badRequest, "metric '\(name)' must be a number") }
                return (name, number)
            }
            let samples = try await backend.operations.pushMetrics(
                model: model, values: pairs, version: try fields.integer("version"), at: try time(try fields.string("at"), field: "at"))
            return JSONBody.response([
                "model": .string(model), "version": .number(Double(samples[0].version)), "at": .string(samples[0].at.iso8601),
                "values": .object(Dictionary(uniqueKeysWithValues: samples.map { ($0.metric, JSONValue.number($0.value)) })),
            ], status: .created)
        },
    ]

    // MARK: Triggers

    static let triggerRoutes: [Route] = [
        Route(
            method: .post, path: "/v1/triggers/evaluate",
            summary: "Evaluate the watched pipelines' triggers now (as `kiln triggers --json`); nothing starts.",
            body: ["pipelines": ("array", "Only these pipeline names."), "at": ("string", "Evaluate as of this UTC time.")],
            returns: "{decisions: [{pipeline, fires, rules: [{type, fires, evidence}]}]}"
        ) { request, _, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["pipelines", "at"])
            var watched = await backend.catalog.pipelines()
            if let names = fields.values["pipelines"], names != .null {
                guard let list = names.arrayValue?.compactMap(\.stringValue), list.count == names.arrayValue?.count else {
                    throw Problem(.badRequest, "'pipelines' must be a list of pipeline names")
                }
                for name in list where !watched.contains(where: { $0.pipeline.name == name }) {
                    throw notWatched(name, watched: watched)
                }
                watched = watched.filter { list.contains($0.pipeline.name) }
            }
            let decisions = try await backend.operations.evaluateTriggers(watched, at: try time(try fields.string("at"), field: "at"))
            return JSONBody.response(["decisions": .array(decisions.map(\.json))])
        }
    ]

    // MARK: Cache

    static let cacheRoutes: [Route] = [
        Route(method: .get, path: "/v1/cache", summary: "Cache entries, newest first (as `kiln cache list --json`).", returns: "{entries: [{key, pipeline, task, run, created_at, expires_at, outputs}]}") {
            _, _, backend in
            let entries = try await backend.operations.store.cacheEntries()
            return JSONBody.response(["entries": .array(entries.map(Documents.cacheEntry))])
        },
        Route(
            method: .post, path: "/v1/cache/clear", summary: "Delete the cache entries of one task, or all of them (as `kiln cache clear`).",
            body: ["task": ("string", "Only entries stored by this task id."), "all": ("boolean", "Delete every entry.")],
            returns: "{deleted}"
        ) { request, _, backend in
            let fields = try Fields(try await JSONBody.object(of: request), known: ["task", "all"])
            let task = try fields.string("task")
            let all = fields.values["all"]?.boolValue ?? false
            guard (task != nil) != all else { throw Problem(.badRequest, "say what to clear: {\"task\": \"ID\"} or {\"all\": true}") }
            return JSONBody.response(["deleted": .number(Double(try await backend.operations.clearCache(task: task)))])
        },
    ]

    // MARK: Helpers

    static func pipeline(named name: String, in backend: KilnAPIBackend) async throws -> WatchedPipeline {
        let watched = await backend.catalog.pipelines()
        guard let found = watched.first(where: { $0.pipeline.name == name }) else { throw notWatched(name, watched: watched) }
        return found
    }

    /// A whole-number query parameter, or `nil` when absent.
    static func integer(_ request: Request, _ name: Substring) throws -> Int? {
        try request.uri.queryParameters[name].map { text in
            guard let value = Int(text) else { throw Problem(.badRequest, "\(name) must be a whole number, got '\(text)'") }
            return value
        }
    }

    static func notWatched(_ name: String, watched: [WatchedPipeline]) -> OperationError {
        let names = watched.map(\.pipeline.name).sorted()
        return OperationError(
            .notFound,
            "no watched pipeline '\(name)'\(Suggestion.hint(for: name, in: names)); this kiln serve watches: "
                + (names.isEmpty ? "none" : names.joined(separator: ", ")))
    }

    static func time(_ text: String?, field: String, required: Bool = false) throws -> Timestamp? {
        guard let text else {
            if required { throw Problem(.badRequest, "'\(field)' is required: a UTC time such as 2026-11-29T02:00:00Z") }
            return nil
        }
        do {
            return try Timestamp.parse(text)
        } catch {
            throw Problem(.badRequest, "'\(field)': \(error)")
        }
    }

    static func pipelineSummary(
        _ watched: WatchedPipeline, recent: [RunRecord], now: Timestamp, verdict: TriggerVerdicts.Entry?
    ) -> JSONValue {
        var triggers: JSONValue = .null
        if let spec = watched.pipeline.triggers {
            var rules: [JSONValue] = []
            if spec.hasSchedule { rules.append("schedule") }
            if spec.performance != nil { rules.append("performance") }
            if spec.data != nil { rules.append("data") }
            if spec.drift != nil { rules.append("drift") }
            if !spec.upstream.isEmpty { rules.append("upstream") }
            triggers = [
                "rules": .array(rules), "schedule": spec.schedule.map(JSONValue.string) ?? .null,
                "every": spec.every.map(JSONValue.string) ?? .null, "timezone": spec.timezone.map(JSONValue.string) ?? .null,
                "upstream": .array(spec.upstream.map(JSONValue.string)), "combine": .string(spec.combine.rawValue),
                "cooldown": spec.cooldown.map(JSONValue.string) ?? .null,
            ]
        }
        return [
            "name": .string(watched.pipeline.name), "path": watched.path.map(JSONValue.string) ?? .null,
            "tasks": .number(Double(watched.pipeline.tasks.count)), "triggers": triggers,
            "next_fire": TriggerEvaluator.nextScheduledFire(of: watched.pipeline, after: now).map { .string($0.iso8601) } ?? .null,
            "last_verdict": verdict.map { entry in
                var decision = entry.decision.json.objectValue ?? [:]
                decision["at"] = .string(entry.at.iso8601)
                return .object(decision)
            } ?? .null,
            "recent_runs": .array(recent.map {
                ["id": .string($0.id.rawValue), "state": .string($0.state.rawValue), "created_at": .string($0.createdAt.iso8601)]
            }),
        ]
    }

    static func runSummary(_ run: RunRecord) -> JSONValue {
        var summary = Documents.runSummary(run)
        summary["trigger"] = run.trigger ?? .null
        return .object(summary)
    }

    static func logJSON(_ line: LogLine) -> JSONValue {
        [
            "task": .string(line.taskID), "attempt": .number(Double(line.attempt)), "stream": .string(line.stream.rawValue),
            "text": .string(line.text), "at": .string(line.at.iso8601),
        ]
    }
}
