import Foundation
import Hummingbird
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler

/// The web dashboard: server-rendered pages (readable without script) over the same operations as the API; the
/// script at `/assets/kiln.js` adds local times, live run updates, log streaming and the action buttons, which call
/// the API.
enum Dashboard {
    /// Adds the pages and assets to `router`.
    static func register(on router: Router<BasicRequestContext>, backend: KilnAPIBackend) {
        router.get("/") { _, _ in try await page("Pipelines") { try await overview(backend) } }
        router.get("/runs") { request, _ in try await page("Runs") { try await runs(request, backend) } }
        router.get("/runs/:id") { _, context in
            try await page("Runs") { try await run(try context.parameters.require("id"), backend) }
        }
        router.get("/models") { _, _ in try await page("Models") { try await models(backend) } }
        router.get("/models/:name") { _, context in
            try await page("Models") { try await model(try context.parameters.require("name"), backend) }
        }
        router.get("/triggers") { _, _ in try await page("Triggers") { try await triggers(backend) } }
        router.get("/assets/kiln.css") { _, _ in asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        router.get("/assets/kiln.js") { _, _ in asset(DashboardAssets.script, type: "text/javascript; charset=utf-8") }
    }

    /// Renders a page, or a problem page with the same message the API would give.
    static func page(_ section: String, _ body: () async throws -> (title: String, html: String)) async throws -> Response {
        do {
            let (title, html) = try await body()
            return HTML.page(title: title, active: section, html)
        } catch {
            return HTML.problemPage(Problem.from(error), active: section)
        }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Pipelines

    static func overview(_ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let now = backend.operations.clock.now
        var rows = ""
        let watched = await backend.catalog.pipelines()
        for pipeline in watched.sorted(by: { $0.pipeline.name < $1.pipeline.name }) {
            let name = pipeline.pipeline.name
            let recent = try await backend.operations.store.runs(pipeline: name, limit: 20)
            let strip = recent.reversed().map { run in
                "<a class=\"cell state-\(run.state.rawValue)\" href=\"/runs/\(HTML.url(run.id.rawValue))\" "
                    + "title=\"\(HTML.escape(run.id.rawValue)): \(run.state.rawValue)\" data-state=\"\(run.state.rawValue)\"></a>"
            }.joined()
            let next = TriggerEvaluator.nextScheduledFire(of: pipeline.pipeline, after: now)
            rows += """
                <tr data-pipeline="\(HTML.escape(name))"><td><a href="/runs?pipeline=\(HTML.url(name))"><strong>\(HTML.escape(name))</strong></a>\
                <div class="muted">\(pipeline.pipeline.tasks.count) tasks · \(HTML.escape(pipeline.path ?? ""))</div></td>\
                <td><div class="strip">\(strip.isEmpty ? "<span class=\"muted\">no runs yet</span>" : strip)</div></td>\
                <td>\(next.map { HTML.time($0) } ?? "<span class=\"muted\">–</span>")</td>\
                <td>\(verdictHTML(backend.verdicts?.latest(of: name), spec: pipeline.pipeline.triggers))</td>\
                <td><button data-action="start" data-pipeline="\(HTML.escape(name))">Run now</button></td></tr>
                """
        }
        let table = watched.isEmpty
            ? "<p class=\"muted\">No pipelines are watched. Start <code>kiln serve</code> with pipeline files or folders.</p>"
            : """
                <table class="list"><thead><tr><th>Pipeline</th><th>Last runs (oldest → newest)</th><th>Next scheduled</th>\
                <th>Triggers (last verdict)</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
                """
        return ("Pipelines", "<h1>Pipelines</h1>\(table)<p class=\"status\" id=\"status\"></p>")
    }

    static func verdictHTML(_ entry: TriggerVerdicts.Entry?, spec: TriggerSpec?) -> String {
        guard spec != nil else { return "<span class=\"muted\">no triggers (manual)</span>" }
        guard let entry else { return "<span class=\"muted\">not evaluated yet</span>" }
        let rules = entry.decision.verdicts.map { verdict in
            "<li class=\"\(verdict.fires ? "fires" : "quiet")\">\(HTML.escape(verdict.evidence))</li>"
        }.joined()
        return "<div>\(entry.decision.fires ? "<strong class=\"fires\">fires</strong>" : "does not fire") · \(HTML.time(entry.at))</div>"
            + "<ul class=\"verdicts\">\(rules)</ul>"
    }

    // MARK: Runs

    static func runs(_ request: Request, _ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let query = request.uri.queryParameters
        let pipeline = query["pipeline"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let state = query["state"].flatMap { RunState(rawValue: String($0)) }
        let page = try await backend.operations.runs(
            pipeline: pipeline, state: state, limit: 50, before: query["before"].map { RunID(rawValue: String($0)) })
        let rows = page.runs.map { run in
            let evidence = run.trigger?.objectValue?["evidence"]?.stringValue ?? run.trigger?.objectValue?["type"]?.stringValue ?? ""
            return """
                <tr><td><a href="/runs/\(HTML.url(run.id.rawValue))"><code>\(HTML.escape(run.id.rawValue))</code></a></td>\
                <td>\(HTML.escape(run.pipeline))</td><td>\(HTML.badge(run.state.rawValue))</td><td>\(HTML.time(run.createdAt))</td>\
                <td>\(HTML.duration(run.startedAt, run.finishedAt))</td><td class="muted">\(HTML.escape(evidence))</td></tr>
                """
        }.joined()
        let states = ["" ] + RunState.allCases.map(\.rawValue)
        let filter = """
            <form class="filters" method="get" action="/runs"><label>Pipeline <input name="pipeline" value="\(HTML.escape(pipeline ?? ""))"></label>\
            <label>State <select name="state">\(states.map { "<option\($0 == state?.rawValue ? " selected" : "")>\($0)</option>" }.joined())</select></label>\
            <button>Filter</button></form>
            """
        var next = ""
        if let cursor = page.next {
            var parameters = ["before=\(HTML.url(cursor.rawValue))"]
            if let pipeline { parameters.append("pipeline=\(HTML.url(pipeline))") }
            if let state { parameters.append("state=\(state.rawValue)") }
            next = "<p><a href=\"/runs?\(parameters.joined(separator: "&amp;"))\">Older runs →</a></p>"
        }
        let table = page.runs.isEmpty
            ? "<p class=\"muted\">No runs match.</p>"
            : "<table class=\"list\"><thead><tr><th>Run</th><th>Pipeline</th><th>State</th><th>Created</th><th>Duration</th><th>Why</th></tr></thead><tbody>\(rows)</tbody></table>"
        return ("Runs", "<h1>Runs</h1>\(filter)\(table)\(next)")
    }

    static func run(_ text: String, _ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let operations = backend.operations
        let id = try await operations.resolveRun(text)
        guard let run = try await operations.store.run(id) else { throw OperationError(.notFound, "no run '\(id)'") }
        let tasks = try await operations.store.tasks(of: id)
        let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) })
        let logs = try await operations.store.logs(of: id, task: nil, attempt: nil)
        // Where running tasks run, when workers run them.
        let workers = try await operations.queue?.workers(of: id, tasks: tasks) ?? [:]
        let active = run.state == .queued || run.state == .running || run.state == .waiting
        let waiting = tasks.filter { $0.state == .waiting && $0.decision == nil }.map(\.taskID).sorted()

        var facts = [
            ("Pipeline", "<a href=\"/runs?pipeline=\(HTML.url(run.pipeline))\">\(HTML.escape(run.pipeline))</a>"),
            ("State", "<span id=\"run-state\">\(HTML.badge(run.state.rawValue))</span>"),
            ("Created", HTML.time(run.createdAt)), ("Started", HTML.time(run.startedAt)), ("Finished", HTML.time(run.finishedAt)),
            ("Duration", HTML.duration(run.startedAt, run.finishedAt)),
        ]
        if !run.params.isEmpty {
            facts.append(("Params", "<code>\(HTML.escape(run.params.keys.sorted().map { "\($0)=\(run.params[$0]!.interpolated)" }.joined(separator: " ")))</code>"))
        }
        if let error = run.error { facts.append(("Error", "<span class=\"error\">\(HTML.escape(error))</span>")) }
        let factList = facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined()

        let trigger = run.trigger?.objectValue
        let why = trigger.map { trigger in
            let type = trigger["type"]?.stringValue ?? "unknown"
            let evidence = trigger["evidence"]?.stringValue ?? JSONValue.object(trigger).compactJSON
            let text = evidence.hasPrefix(type + ":") ? evidence : "\(type): \(evidence)"
            return "<section class=\"why\"><h2>Why this run started</h2><p>\(HTML.escape(text))</p></section>"
        } ?? "<section class=\"why\"><h2>Why this run started</h2><p>Started by hand (<code>kiln run</code>).</p></section>"

        var actions = ""
        for task in waiting {
            actions += """
                <div class="decision" data-task="\(HTML.escape(task))">Task <strong>\(HTML.escape(task))</strong> waits for a decision. \
                <input class="reason" placeholder="reason" aria-label="reason">\
                <button data-action="approve" data-run="\(HTML.escape(id.rawValue))" data-task="\(HTML.escape(task))">Approve</button>\
                <button data-action="reject" data-run="\(HTML.escape(id.rawValue))" data-task="\(HTML.escape(task))">Reject</button></div>
                """
        }
        if run.state == .failed || run.state == .cancelled {
            actions += "<button data-action=\"resume\" data-run=\"\(HTML.escape(id.rawValue))\">Resume</button>"
        }
        if run.state == .queued || run.state == .running {
            actions += "<button data-action=\"cancel\" data-run=\"\(HTML.escape(id.rawValue))\">Cancel</button>"
        }

        let states = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0.state.rawValue) })
        let taskRows = run.snapshot.tasks.map { spec -> String in
            let record = byID[spec.id]
            let outputs = record?.outputs.flatMap { $0.isEmpty ? nil : JSONValue.object($0).compactJSON } ?? ""
            let worker = workers[spec.id].map { "on worker \($0)" }
            let detail = [worker, record?.cacheNote, record?.error, record?.decision.map { "decision: \($0.approved ? "approved" : "rejected") by \($0.actor)" + ($0.reason.map { " (\($0))" } ?? "") }]
                .compactMap { $0 }.joined(separator: " · ")
            return """
                <tr data-task="\(HTML.escape(spec.id))"><td><code>\(HTML.escape(spec.id))</code></td>\
                <td class="task-state">\(HTML.badge(record?.state.rawValue ?? "pending"))</td><td>\(record?.attempts ?? 0)</td>\
                <td>\(HTML.duration(record?.startedAt, record?.finishedAt))</td><td class="detail">\(HTML.escape(detail))</td>\
                <td class="outputs"><code>\(HTML.escape(outputs.count > 300 ? String(outputs.prefix(297)) + "..." : outputs))</code></td></tr>
                """
        }.joined()

        let logText = logs.suffix(2_000).map { line in
            "\(line.taskID)#\(line.attempt)\(line.stream == .stderr ? " !" : line.stream == .system ? " *" : "") | \(line.text)"
        }.joined(separator: "\n")
        let html = """
            <h1>Run <code>\(HTML.escape(id.rawValue))</code></h1>
            <div id="run" data-run="\(HTML.escape(id.rawValue))" data-active="\(active)" data-logs="\(logs.count)">
            <dl class="facts">\(factList)</dl>
            \(why)
            <div class="actions">\(actions)</div><p class="status" id="status"></p>
            <section><h2>Graph</h2><div class="graph">\(DAGDiagram.svg(run.snapshot, states: states))</div></section>
            <section><h2>Timeline</h2>\(Timeline.svg(run: run, tasks: run.snapshot.tasks.compactMap { byID[$0.id] }, logs: logs))</section>
            <section><h2>Tasks</h2><table class="list tasks"><thead><tr><th>Task</th><th>State</th><th>Attempts</th><th>Duration</th>\
            <th>Detail</th><th>Outputs</th></tr></thead><tbody>\(taskRows)</tbody></table></section>
            <section><h2>Logs</h2><pre id="logs" class="logs">\(HTML.escape(logText))</pre></section>
            </div>
            """
        return ("Run \(id)", html)
    }

    // MARK: Models

    static func models(_ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let models = try await backend.operations.registry.store.models()
        let rows = models.map { model in
            """
            <tr><td><a href="/models/\(HTML.url(model.name))"><strong>\(HTML.escape(model.name))</strong></a></td>\
            <td>\(model.latest.map { "v\($0.version)" } ?? "–")</td><td>\(model.production.map { "v\($0)" } ?? "–")</td>\
            <td>\(model.versions.count)</td></tr>
            """
        }.joined()
        let table = models.isEmpty
            ? "<p class=\"muted\">No models registered yet; a pipeline's <code>register-model</code> step adds them.</p>"
            : "<table class=\"list\"><thead><tr><th>Model</th><th>Latest</th><th>Production</th><th>Versions</th></tr></thead><tbody>\(rows)</tbody></table>"
        return ("Models", "<h1>Models</h1>\(table)")
    }

    static func model(_ name: String, _ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let model = try await backend.operations.model(name)
        let production = model.production
        let metricNames = Set(model.versions.flatMap(\.metrics.keys)).sorted()
        let charts = metricNames.compactMap { metric in
            MetricChart.svg(
                metric: metric, points: model.versions.compactMap { version in version.metrics[metric].map { (version.version, $0) } },
                production: production)
        }.joined()
        let versionRows = model.versions.reversed().map { version in
            let aliases = model.aliases(of: version.version).map { "<span class=\"alias\">\(HTML.escape($0))</span>" }.joined(separator: " ")
            let metrics = version.metrics.keys.sorted().map { "\($0)=\(JSONValue.format(version.metrics[$0]!))" }.joined(separator: " ")
            let upstream = version.upstream.map { "<a href=\"/models/\(HTML.url($0.name))\">\(HTML.escape($0.description))</a>" }.joined(separator: ", ")
            return """
                <tr data-version="\(version.version)"><td><strong>v\(version.version)</strong> \(aliases)</td><td>\(HTML.time(version.createdAt))</td>\
                <td><code>\(HTML.escape(metrics))</code></td><td><a href="/runs/\(HTML.url(version.runID))"><code>\(HTML.escape(version.runID))</code></a> \
                · \(HTML.escape(version.task))</td><td>\(upstream.isEmpty ? "–" : upstream)</td>\
                <td><code title="\(HTML.escape(version.dataFingerprint))">\(HTML.escape(String(version.dataFingerprint.prefix(19))))</code></td></tr>
                """
        }.joined()
        let history = model.history.reversed().map { change in
            """
            <tr><td>\(HTML.time(change.at))</td><td>\(HTML.escape(change.alias))</td><td>\(change.from.map { "v\($0)" } ?? "–")</td>\
            <td>\(change.to.map { "v\($0)" } ?? "–")</td><td>\(HTML.escape(change.actor))</td><td>\(HTML.escape(change.reason ?? ""))</td></tr>
            """
        }.joined()
        let options = model.versions.reversed().map { "<option value=\"\($0.version)\">v\($0.version)</option>" }.joined()
        let forms = """
            <div class="actions" data-model="\(HTML.escape(model.name))">\
            <label>Promote <select class="version" aria-label="version">\(options)</select></label> \
            <input class="reason" placeholder="reason" aria-label="reason">\
            <button data-action="promote" data-model="\(HTML.escape(model.name))">Promote to production</button>\
            <button data-action="rollback" data-model="\(HTML.escape(model.name))">Roll back production</button></div>
            <p class="status" id="status"></p>
            """
        let html = """
            <h1>Model \(HTML.escape(model.name))</h1>
            <dl class="facts"><dt>Production</dt><dd>\(production.map { "v\($0)" } ?? "none")</dd>\
            <dt>Aliases</dt><dd>\(HTML.escape(model.aliases.sorted { $0.key < $1.key }.map { "\($0.key) → v\($0.value)" }.joined(separator: " · ")))</dd>\
            <dt>Versions</dt><dd>\(model.versions.count)</dd></dl>
            \(forms)
            <section><h2>Metrics by version</h2><div class="charts">\(charts.isEmpty ? "<p class=\"muted\">No metrics recorded.</p>" : charts)</div></section>
            <section><h2>Versions</h2><table class="list"><thead><tr><th>Version</th><th>Created</th><th>Metrics</th><th>Run · task</th>\
            <th>Upstream</th><th>Data</th></tr></thead><tbody>\(versionRows)</tbody></table></section>
            <section><h2>Alias history</h2>\(history.isEmpty ? "<p class=\"muted\">No alias moves yet.</p>" : "<table class=\"list\"><thead><tr><th>At</th><th>Alias</th><th>From</th><th>To</th><th>By</th><th>Reason</th></tr></thead><tbody>\(history)</tbody></table>")</section>
            """
        return ("Model \(model.name)", html)
    }

    // MARK: Triggers

    static func triggers(_ backend: KilnAPIBackend) async throws -> (title: String, html: String) {
        let watched = await backend.catalog.pipelines().sorted { $0.pipeline.name < $1.pipeline.name }
        var sections = ""
        for pipeline in watched {
            let name = pipeline.pipeline.name
            guard let spec = pipeline.pipeline.triggers else {
                sections += "<section><h2>\(HTML.escape(name))</h2><p class=\"muted\">No triggers: runs start by hand.</p></section>"
                continue
            }
            var rules: [String] = []
            if let schedule = spec.schedule { rules.append("schedule: <code>\(HTML.escape(schedule))</code>\(spec.timezone.map { " (\(HTML.escape($0)))" } ?? "")") }
            if let every = spec.every { rules.append("every: <code>\(HTML.escape(every))</code>") }
            if spec.performance != nil { rules.append("performance") }
            if spec.data != nil { rules.append("data") }
            if spec.drift != nil { rules.append("drift") }
            if !spec.upstream.isEmpty { rules.append("upstream: \(HTML.escape(spec.upstream.joined(separator: ", ")))") }
            sections += """
                <section class="trigger" data-pipeline="\(HTML.escape(name))"><h2>\(HTML.escape(name))</h2>\
                <p>Rules: \(rules.joined(separator: " · ")) · combine: \(spec.combine.rawValue)\(spec.cooldown.map { " · cooldown: \(HTML.escape($0))" } ?? "")</p>\
                <h3>Last verdict</h3>\(verdictHTML(backend.verdicts?.latest(of: name), spec: spec))\
                <form class="backtest" data-pipeline="\(HTML.escape(name))"><h3>Backtest</h3>\
                <label>From <input name="from" placeholder="2026-11-01T00:00:00Z" required></label> \
                <label>To <input name="to" placeholder="2026-11-30T00:00:00Z" required></label> <button>Replay</button>\
                <ol class="backtest-results"></ol></form></section>
                """
        }
        let body = watched.isEmpty ? "<p class=\"muted\">No pipelines are watched.</p>" : sections
        return ("Triggers", "<h1>Triggers</h1><p class=\"status\" id=\"status\"></p>\(body)")
    }
}
