import Foundation
import Hummingbird
import HummingbirdTesting
@testable import KilnHTTP
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization
import Testing

@Suite("HTTP API")
struct KilnAPITests {
    // MARK: Description and errors

    @Test("/openapi.json describes every route, with its path parameters, and every described route is served")
    func openAPIMatchesTheRoutes() async throws {
        let fixture = try APIFixture()
        try await fixture.application().test(.router) { client in
            let (status, document, _) = try await client.json(.get, "/openapi.json", token: nil)
            #expect(status == .ok)
            #expect(document["openapi"] == "3.1.0")
            let paths = try #require(document["paths"]?.objectValue)
            #expect(paths.count == Set(KilnAPI.routes.map(\.path)).count)
            for route in KilnAPI.routes {
                let operation = try #require(paths[route.path]?[route.method.rawValue.lowercased()], "\(route.method) \(route.path) is not described")
                let parameters = operation["parameters"]?.arrayValue ?? []
                for name in KilnAPI.placeholders(in: route.path) {
                    #expect(parameters.contains { $0["name"] == .string(name) && $0["in"] == "path" }, "\(route.path): {\(name)} undescribed")
                }
                #expect(operation["responses"]?[String(route.status.code)] != nil)
                // Served: an unknown id gets the operation's own answer, never "no such endpoint".
                let uri = route.path.replacingOccurrences(of: "{id}", with: "nope").replacingOccurrences(of: "{name}", with: "nope")
                let answer = try await client.json(route.method, uri, body: route.method == .get ? nil : "{}")
                #expect(answer.status != .methodNotAllowed)
                #expect(answer.body["detail"]?.stringValue?.contains("no such endpoint") != true, "\(route.method) \(uri) is not served")
            }
        }
    }

    @Test("errors are problem documents with the command line's message; unknown paths say where the API is described")
    func problems() async throws {
        let fixture = try APIFixture()
        try await fixture.application().test(.router) { client in
            let run = try await client.json(.get, "/v1/runs/nope")
            #expect(run.status == .notFound)
            #expect(run.contentType == "application/problem+json")
            #expect(run.body["detail"] == "no run 'nope'; list runs with `kiln runs`")
            #expect(run.body["status"] == 404)

            let model = try await client.json(.get, "/v1/models/fraud")
            #expect(model.status == .notFound)
            #expect(model.body["detail"] == .string(RegistryError.unknownModel("fraud").description))

            let nowhere = try await client.json(.get, "/v2/anything")
            #expect(nowhere.status == .notFound)
            #expect(nowhere.body["detail"]?.stringValue?.contains("/openapi.json") == true)

            let badJSON = try await client.json(.post, "/v1/runs", body: "{\"pipeline\": ")
            #expect(badJSON.status == .badRequest)
            #expect(badJSON.body["detail"]?.stringValue?.contains("not valid JSON") == true)

            let notObject = try await client.json(.post, "/v1/runs", body: "[1]")
            #expect(notObject.status == .badRequest)

            let unknownField = try await client.json(.post, "/v1/runs", body: #"{"pipelin": "plain"}"#)
            #expect(unknownField.status == .badRequest)
            #expect(unknownField.body["detail"]?.stringValue?.contains("unknown field 'pipelin'") == true)

            let wrongType = try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": "two"}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.body["detail"] == "'version' must be a whole number")
        }
    }

    // MARK: Auth

    @Test("state changes need the token; reads do not unless auth is all; the token is never echoed")
    func auth() async throws {
        let fixture = try APIFixture()
        try await fixture.application().test(.router) { client in
            let missing = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "plain"}"#, token: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.contentType == "application/problem+json")
            let wrong = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "plain"}"#, token: "0123456789abcdef-test-tokeX")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.compactJSON.contains(APIFixture.token) == false)
            let prefix = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "plain"}"#, token: "0123456789abcdef")
            #expect(prefix.status == .unauthorized)
            #expect(try await client.json(.get, "/v1/runs", token: nil).status == .ok)
            #expect(try await fixture.store.runs(pipeline: nil, limit: 10).isEmpty, "nothing started without the token")
            #expect(try await client.json(.post, "/v1/runs", body: #"{"pipeline": "plain"}"#).status == .created)
        }
        try await fixture.application(auth: .all).test(.router) { client in
            let anonymous = try await client.json(.get, "/v1/runs", token: nil)
            #expect(anonymous.status == .unauthorized)
            let authorised = try await client.json(.get, "/v1/runs")
            #expect(authorised.status == .ok)
            let description = try await client.json(.get, "/openapi.json", token: nil)
            #expect(description.status == .ok)
        }
    }

    @Test("the token comparison does not stop at the first difference, and lengths must match")
    func constantTimeComparison() {
        #expect(TokenAuthMiddleware<BasicRequestContext>.equal(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!TokenAuthMiddleware<BasicRequestContext>.equal(Array("secret-toke".utf8), Array("secret-token".utf8)))
        #expect(!TokenAuthMiddleware<BasicRequestContext>.equal(Array("secret-tokenX".utf8), Array("secret-token".utf8)))
        #expect(!TokenAuthMiddleware<BasicRequestContext>.equal([], Array("secret-token".utf8)))
    }

    @Test("listening beyond loopback without a token is refused, saying why; short tokens are refused")
    func serverConfiguration() throws {
        let outside = try KilnHTTPServer.Address.parse("0.0.0.0:8080")
        #expect(throws: KilnHTTPError.self) { try KilnHTTPServer(address: outside, token: nil) }
        do {
            _ = try KilnHTTPServer(address: outside, token: nil)
        } catch {
            #expect("\(error)".contains("without a token"))
        }
        #expect(throws: KilnHTTPError.self) { try KilnHTTPServer(address: outside, token: "short") }
        #expect(throws: KilnHTTPError.self) { try KilnHTTPServer(address: try .parse(":8080"), token: nil, auth: .all) }
        _ = try KilnHTTPServer(address: outside, token: APIFixture.token)
        _ = try KilnHTTPServer(address: try .parse("127.0.0.1:0"), token: nil)
        #expect(try KilnHTTPServer.Address.parse(":9000") == .init(host: "127.0.0.1", port: 9000))
        #expect(try KilnHTTPServer.Address.parse("[::1]:9000").isLoopback)
        #expect(throws: KilnHTTPError.self) { try KilnHTTPServer.Address.parse("localhost") }
        #expect(throws: KilnHTTPError.self) { try KilnHTTPServer.Address.parse("localhost:99999") }
    }

    // MARK: Runs

    @Test("starting a run creates it queued with its params and a manual trigger, and refuses unknown pipelines and params")
    func startRun() async throws {
        let fixture = try APIFixture()
        try await fixture.application().test(.router) { client in
            let started = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "review", "params": {"rows": 3}, "reason": "backfill"}"#)
            #expect(started.status == .created)
            let id = RunID(rawValue: try #require(started.body["id"]?.stringValue))
            let run = try #require(try await fixture.store.run(id))
            #expect(run.state == .queued)
            #expect(run.params["rows"] == 3)
            #expect(run.trigger?["type"] == "manual")
            #expect(run.trigger?["reason"] == "backfill")

            let unknown = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "reveiw"}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.body["detail"]?.stringValue?.contains("did you mean 'review'") == true)
            let badParam = try await client.json(.post, "/v1/runs", body: #"{"pipeline": "plain", "params": {"x": 1}}"#)
            #expect(badParam.status == .badRequest)
            #expect(badParam.body["detail"]?.stringValue?.hasPrefix("unknown param 'x'") == true)
            let none = try await client.json(.post, "/v1/runs", body: "{}")
            #expect(none.status == .badRequest)
        }
    }

    @Test("runs are listed newest first, filtered by pipeline and state, a page at a time")
    func listRuns() async throws {
        let fixture = try APIFixture()
        var ids: [RunID] = []
        for index in 0..<5 {
            fixture.clock.advance(by: .seconds(1))
            let plan = index.isMultiple(of: 2) ? APIFixture.plain : APIFixture.review
            ids.append(try await fixture.executor.run(plan, baseDirectory: fixture.folder).id)
        }
        let created = ids
        try await fixture.application().test(.router) { client in
            let first = try await client.json(.get, "/v1/runs?limit=2")
            #expect(first.body["runs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created[4].rawValue, created[3].rawValue])
            let next = try #require(first.body["next"]?.stringValue)
            let second = try await client.json(.get, "/v1/runs?limit=2&before=\(next)")
            #expect(second.body["runs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created[2].rawValue, created[1].rawValue])
            let last = try await client.json(.get, "/v1/runs?limit=2&before=\(try #require(second.body["next"]?.stringValue))")
            #expect(last.body["runs"]?.arrayValue?.count == 1)
            #expect(last.body["next"] == .null)

            let waiting = try await client.json(.get, "/v1/runs?state=waiting&pipeline=review")
            #expect(waiting.body["runs"]?.arrayValue?.count == 2)
            let plain = try await client.json(.get, "/v1/runs?pipeline=plain&state=succeeded")
            #expect(plain.body["runs"]?.arrayValue?.count == 3)

            #expect(try await client.json(.get, "/v1/runs?state=done").status == .badRequest)
            #expect(try await client.json(.get, "/v1/runs?limit=0").status == .badRequest)
            #expect(try await client.json(.get, "/v1/runs?limit=ten").status == .badRequest)
        }
    }

    @Test("the run document names the worker that holds a running task")
    func runDocumentNamesTheWorker() async throws {
        let fixture = try APIFixture()
        let id = try await fixture.runHeldByWorker()
        try await fixture.application().test(.router) { client in
            let document = try await client.json(.get, "/v1/runs/\(id)")
            #expect(document.body["tasks"]?["only"]?["worker"] == ["name": "w1", "host": "gpu-1", "pid": 4242])
        }
        let done = TaskRecord(taskID: "only", state: .succeeded, attempts: 1, startedAt: fixture.clock.now)
        try await fixture.store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: done, expected: nil)]))
        try await fixture.application().test(.router) { client in
            let document = try await client.json(.get, "/v1/runs/\(id)")
            #expect(document.body["tasks"]?["only"]?["worker"] == nil, "a task that is no longer running has no worker")
        }
    }

    @Test("the run document and its logs; following the logs of a finished run streams them and ends")
    func runDocumentAndLogs() async throws {
        let fixture = try APIFixture()
        let id = try await fixture.waitingRun()
        try await fixture.application().test(.router) { client in
            let document = try await client.json(.get, "/v1/runs/\(id.rawValue.prefix(12))")
            #expect(document.status == .ok)
            #expect(document.body["id"] == .string(id.rawValue))
            #expect(document.body["state"] == "waiting")

            let logs = try await client.json(.get, "/v1/runs/\(id)/logs")
            #expect(logs.status == .ok)
            #expect(logs.body["lines"]?.arrayValue != nil)
            let noTask = try await client.json(.get, "/v1/runs/\(id)/logs?task=trian")
            #expect(noTask.status == .notFound)
        }
        try await fixture.executor.decide(
            Decision(approved: false, reason: nil, actor: "test", at: fixture.clock.now), task: "gate", of: id)
        let finished = try await fixture.executor.resume(id)
        #expect(finished.state == .failed)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/runs/\(id)/logs?follow=true", method: .get)
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            #expect(text.hasSuffix("event: end\ndata: {\"state\":\"failed\"}\n\n"))
        }
    }

    // MARK: Decisions

    @Test("approve records the decision and hands the run back to the daemon; a task that is not waiting is a conflict")
    func approve() async throws {
        let fixture = try APIFixture()
        let id = try await fixture.waitingRun()
        try await fixture.application().test(.router) { client in
            let notWaiting = try await client.json(.post, "/v1/runs/\(id)/approve", body: #"{"task": "prepare"}"#)
            #expect(notWaiting.status == .conflict)
            #expect(notWaiting.body["detail"] == .string("task 'prepare' of run \(id) is not waiting for a decision; waiting: gate"))

            let approved = try await client.json(.post, "/v1/runs/\(id)/approve", body: #"{"reason": "reviewed", "actor": "ana"}"#)
            #expect(approved.status == .ok)
            #expect(approved.body["task"] == "gate")
            let gate = try await fixture.store.tasks(of: id).first { $0.taskID == "gate" }
            #expect(gate?.decision?.approved == true)
            #expect(gate?.decision?.actor == "ana")
            #expect(fixture.continued.withLock { $0 } == [id])

            let again = try await client.json(.post, "/v1/runs/\(id)/reject", body: "{}")
            #expect(again.status == .conflict)
        }
        #expect(try await fixture.executor.resume(id).state == .succeeded)
    }

    @Test("of an approve and a reject sent at once, exactly one wins and the other is told it lost")
    func decisionRace() async throws {
        for _ in 0..<10 {
            let fixture = try APIFixture()
            let id = try await fixture.waitingRun()
            try await fixture.application().test(.router) { client in
                async let approve = client.json(.post, "/v1/runs/\(id)/approve", body: "{}")
                async let reject = client.json(.post, "/v1/runs/\(id)/reject", body: "{}")
                let statuses = try await [approve.status, reject.status]
                #expect(statuses.filter { $0 == .ok }.count == 1, "statuses: \(statuses)")
                #expect(statuses.filter { $0 == .conflict }.count == 1, "statuses: \(statuses)")
                let winner = statuses[0] == .ok
                let decision = try await fixture.store.tasks(of: id).first { $0.taskID == "gate" }?.decision
                #expect(decision?.approved == winner)
            }
        }
    }

    @Test("resume hands a failed run to the daemon; a succeeded run and a run another process holds are conflicts; cancel asks the daemon")
    func resumeAndCancel() async throws {
        let fixture = try APIFixture()
        let done = try await fixture.executor.run(APIFixture.plain, baseDirectory: fixture.folder)
        let waiting = try await fixture.waitingRun()
        try await fixture.application().test(.router) { client in
            let succeeded = try await client.json(.post, "/v1/runs/\(done.id)/resume")
            #expect(succeeded.status == .conflict)
            #expect(succeeded.body["detail"] == .string("run \(done.id) already succeeded: nothing to resume"))

            let notHere = try await client.json(.post, "/v1/runs/\(waiting)/cancel")
            #expect(notHere.status == .conflict)
            #expect(notHere.body["detail"]?.stringValue?.contains("not executed by this kiln serve") == true)
            fixture.cancellable.withLock { _ = $0.insert(waiting) }
            #expect(try await client.json(.post, "/v1/runs/\(waiting)/cancel").status == .accepted)
            #expect(try await client.json(.post, "/v1/runs/\(done.id)/cancel").status == .conflict)

            #expect(try await client.json(.post, "/v1/runs/\(waiting)/resume").status == .accepted)
            #expect(fixture.continued.withLock { $0 } == [waiting])
        }
    }

    @Test("the cache is listed and cleared by task or whole; a request naming neither is refused")
    func cache() async throws {
        let fixture = try APIFixture()
        let cached = try Plan(
            Pipeline(name: "cached", tasks: [TaskSpec(id: "only", action: .uses("noop", with: [:]), cache: CachePolicy())]), knownKinds: nil)
        _ = try await fixture.executor.run(cached, baseDirectory: fixture.folder)
        try await fixture.application().test(.router) { client in
            let listed = try await client.json(.get, "/v1/cache")
            #expect(listed.body["entries"]?.arrayValue?.count == 1)
            #expect(try await client.json(.post, "/v1/cache/clear", body: "{}").status == .badRequest)
            let none = try await client.json(.post, "/v1/cache/clear", body: #"{"task": "other"}"#)
            #expect(none.body["deleted"] == 0)
            let cleared = try await client.json(.post, "/v1/cache/clear", body: #"{"all": true}"#)
            #expect(cleared.body["deleted"] == 1)
        }
        #expect(try await fixture.store.cacheEntries().isEmpty)
    }

    // MARK: Models, metrics, triggers

    @Test("models: list, show, promote and roll back with reasons; unknown versions are 404, a rollback with no history 409")
    func models() async throws {
        let fixture = try APIFixture()
        try await fixture.registerVersions(3)
        try await fixture.application().test(.router) { client in
            let list = try await client.json(.get, "/v1/models")
            #expect(list.body["models"]?.arrayValue?.count == 1)
            #expect(try await client.json(.post, "/v1/models/fraud/rollback", body: "{}").status == .conflict)

            let promoted = try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": 2, "reason": "best f1"}"#)
            #expect(promoted.status == .ok)
            #expect(promoted.body["changed"] == true)
            #expect(try await fixture.registry.resolve("fraud@production").version == 2)
            _ = try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": 3}"#)
            let rolledBack = try await client.json(.post, "/v1/models/fraud/rollback", body: #"{"reason": "latency"}"#)
            #expect(rolledBack.status == .ok)
            #expect(try await fixture.registry.resolve("fraud@production").version == 2)

            let shown = try await client.json(.get, "/v1/models/fraud")
            #expect(shown.body["versions"]?.arrayValue?.count == 3)
            let history = try await fixture.registry.model("fraud").history
            #expect(history.last?.reason == "latency")
            #expect(history.last?.actor == "http")

            #expect(try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": 9}"#).status == .notFound)
            #expect(try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": 1, "alias": "Bad Alias"}"#).status == .badRequest)
        }
    }

    @Test("metrics are recorded for the production version by default, refused for a model without one")
    func metrics() async throws {
        let fixture = try APIFixture()
        try await fixture.registerVersions(2)
        try await fixture.application().test(.router) { client in
            let early = try await client.json(.post, "/v1/metrics", body: #"{"model": "fraud", "values": {"f1": 0.7}}"#)
            #expect(early.status == .conflict)
            _ = try await client.json(.post, "/v1/models/fraud/promote", body: #"{"version": 1}"#)
            let pushed = try await client.json(
                .post, "/v1/metrics", body: #"{"model": "fraud", "values": {"f1": 0.7, "auc": 0.9}, "at": "2026-12-01T00:00:00Z"}"#)
            #expect(pushed.status == .created)
            #expect(pushed.body["version"] == 1)
            let samples = try await fixture.registryStore.metricSamples(
                model: "fraud", version: nil, metric: "f1", from: Timestamp(nanosecondsSince1970: 0), through: try Timestamp.parse("2027-01-01T00:00:00Z"))
            #expect(samples.map(\.value) == [0.7])
            #expect(try await client.json(.post, "/v1/metrics", body: #"{"model": "fraud", "values": {"f1": "high"}}"#).status == .badRequest)
            #expect(try await client.json(.post, "/v1/metrics", body: #"{"model": "nope", "values": {"f1": 1}}"#).status == .notFound)
            #expect(try await client.json(.post, "/v1/metrics", body: #"{"model": "fraud", "values": {"f1": 1}, "at": "yesterday"}"#).status == .badRequest)
        }
    }

    @Test("pipelines are listed with their recent runs; triggers are evaluated on request; unknown names are 404")
    func pipelinesAndTriggers() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.executor.run(APIFixture.plain, baseDirectory: fixture.folder)
        try await fixture.application().test(.router) { client in
            let list = try await client.json(.get, "/v1/pipelines")
            let plain = list.body["pipelines"]?.arrayValue?.first { $0["name"] == "plain" }
            #expect(plain?["recent_runs"]?.arrayValue?.first?["state"] == "succeeded")
            #expect(plain?["next_fire"] == .null)

            let evaluated = try await client.json(.post, "/v1/triggers/evaluate", body: #"{"pipelines": ["plain"]}"#)
            #expect(evaluated.status == .ok)
            #expect(evaluated.body["decisions"]?.arrayValue?.count == 1)
            #expect(evaluated.body["decisions"]?.arrayValue?.first?["fires"] == false)
            #expect(try await client.json(.post, "/v1/triggers/evaluate", body: #"{"pipelines": ["nope"]}"#).status == .notFound)

            let backtest = try await client.json(
                .post, "/v1/pipelines/plain/backtest", body: #"{"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"}"#)
            #expect(backtest.status == .ok)
            #expect(backtest.body["count"] == 0)
            let backwards = try await client.json(
                .post, "/v1/pipelines/plain/backtest", body: #"{"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"}"#)
            #expect(backwards.status == .badRequest)
        }
    }
}
