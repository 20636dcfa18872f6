import CommandTasks
import DeploymentTasks
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import KilnHTTP
import KilnOperations
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Testing

@Suite("Prometheus /metrics")
struct MetricsEndpointTests {
    /// One sample: name, labels, value.
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the text exposition format, checking its rules: every sample belongs to a family declared by `# TYPE`
    /// before it, names and labels are well formed, values are numbers, histogram buckets are cumulative and end with
    /// `+Inf` equal to `_count`, and each histogram has `_sum` and `_count`.
    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    static func ensure(_ condition: Bool, _ message: String) throws {
        guard condition else { throw FormatError(description: message) }
    }

    static func ensure<T>(_ value: T?, _ message: String) throws -> T {
        guard let value else { throw FormatError(description: message) }
        return value
    }

    static func parse(_ text: String) throws -> [Sample] {
        var types: [String: String] = [:]
        var samples: [Sample] = []
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                try ensure(parts.count == 4, "a TYPE line has a name and a type: \(line)")
                try ensure(["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])), "\(line)")
                try ensure(types[String(parts[2])] == nil, "a family is declared once: \(line)")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let match = try ensure(line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)/), "a sample line: \(line)")
            var labels: [String: String] = [:]
            if let body = match.output.3 {
                for pair in try Self.labelPairs(String(body)) {
                    try ensure(pair.0.wholeMatch(of: name) != nil, "label name \(pair.0)")
                    labels[pair.0] = pair.1
                }
            }
            let value = try ensure(Double(match.output.4) ?? (match.output.4 == "+Inf" ? .infinity : nil), "value of \(line)")
            let sampleName = String(match.output.1)
            let family = types[sampleName] != nil ? sampleName
                : ["_bucket", "_sum", "_count"].compactMap { suffix in sampleName.hasSuffix(suffix) ? String(sampleName.dropLast(suffix.count)) : nil }
                    .first { types[$0] == "histogram" } ?? sampleName
            try ensure(types[family] != nil, "\(sampleName) has no # TYPE line before it")
            samples.append(Sample(name: sampleName, labels: labels, value: value))
        }
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(Double, Double)]] = [:]
            for sample in samples where sample.name == family + "_bucket" {
                var key = sample.labels
                let le = key.removeValue(forKey: "le")
                let bound = try ensure(le, "a bucket has le")
                series[key, default: []].append((bound == "+Inf" ? .infinity : try ensure(Double(bound), "numeric le"), sample.value))
            }
            for (key, buckets) in series {
                let sorted = buckets.sorted { $0.0 < $1.0 }
                try ensure(zip(sorted, sorted.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "\(family) buckets are cumulative")
                try ensure(sorted.last?.0 == .infinity, "\(family) ends with +Inf")
                let count = samples.first { $0.name == family + "_count" && $0.labels == key }
                try ensure(count?.value == sorted.last?.1, "\(family) +Inf bucket equals _count")
                try ensure(samples.contains { $0.name == family + "_sum" && $0.labels == key }, "\(family) has _sum")
            }
        }
        return samples
    }

    static func labelPairs(_ body: String) throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            let equals = try ensure(rest.firstIndex(of: "="), "label pair in \(body)")
            let key = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            try ensure(rest.first == "\"", "quoted label value in \(body)")
            rest = rest.dropFirst()
            var value = ""
            while let character = rest.first, character != "\"" {
                if character == "\\" {
                    rest = rest.dropFirst()
                    let escaped = try ensure(rest.first, "escape in \(body)")
                    try ensure(["\\", "\"", "n"].contains(escaped), "only \\\\, \\\" and \\n escapes: \(body)")
                    value.append(escaped == "n" ? "\n" : escaped)
                } else {
                    value.append(character)
                }
                rest = rest.dropFirst()
            }
            try ensure(rest.first == "\"", "closed label value in \(body)")
            rest = rest.dropFirst()
            if rest.first == "," { rest = rest.dropFirst() }
            pairs.append((key, value))
        }
        return pairs
    }

    @Test("after known runs the exposition parses and counts them: runs, task durations, commits, triggers, queue depth")
    func exposition() async throws {
        let fixture = try APIFixture()
        let (metrics, registry) = ServeMetrics.prometheus()
        var kinds = TaskKindRegistry.builtIn
        kinds.registerDeploymentKinds(
            registry: fixture.registry, artifacts: LocalArtifactStore(root: fixture.folder + "/artifacts"), legacyLedgerPath: nil,
            scoring: nil)
        kinds.register("flaky") { context in
            if context.attempt < 2 { throw TaskFailure("not yet") }
            return [:]
        }
        let executor = PipelineExecutor(
            store: MeasuredStateStore(fixture.store, metrics: metrics), kinds: kinds, clock: fixture.clock, events: metrics)
        _ = try await executor.run(APIFixture.plain, baseDirectory: fixture.folder)
        _ = try await executor.run(APIFixture.review, baseDirectory: fixture.folder)
        let retrying = try Plan(
            Pipeline(name: "retrying", tasks: [TaskSpec(id: "flaky", action: .uses("flaky", with: [:]), retry: RetryPolicy(retries: 2, delay: .zero))]),
            knownKinds: nil)
        _ = try await executor.run(retrying, baseDirectory: fixture.folder)
        metrics.record([
            TriggerDecision(
                pipeline: "plain", verdicts: [RuleVerdict(type: "schedule", fires: true, evidence: "schedule: now")], fires: true,
                fired: nil, startsQueued: false, note: nil, state: TriggerState(pipeline: "plain", since: fixture.clock.now)),
        ])
        metrics.recordDelivery(succeeded: false)

        var backend = fixture.backend
        backend.prometheus = (registry, { metrics.recordQueueDepth(3) })
        let application = Application(router: KilnAPI.router(backend: backend, token: APIFixture.token))
        try await application.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try Self.parse(String(buffer: response.body))
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples.first { $0.name == name && $0.labels == labels }?.value
            }
            #expect(value("kiln_runs_started_total", ["pipeline": "plain"]) == 1)
            #expect(value("kiln_runs_finished_total", ["pipeline": "plain", "state": "succeeded"]) == 1)
            #expect(value("kiln_runs_finished_total", ["pipeline": "review", "state": "waiting"]) == 1)
            #expect(value("kiln_task_duration_seconds_count", ["kind": "noop", "state": "succeeded"]) == 2)
            #expect(value("kiln_task_retries_total", ["kind": "flaky"]) == 1)
            #expect((value("kiln_store_commit_seconds_count") ?? 0) >= 4)
            #expect(value("kiln_trigger_evaluations_total", ["pipeline": "plain"]) == 1)
            #expect(value("kiln_trigger_fires_total", ["type": "schedule"]) == 1)
            #expect(value("kiln_notification_deliveries_total", ["outcome": "failed"]) == 1)
            #expect(value("kiln_queue_depth") == 3)
        }
    }

    @Test("the parser refuses what the format forbids")
    func parserIsStrict() {
        #expect(throws: (any Error).self) { try Self.parse("kiln_x 1\n") }
        #expect(throws: (any Error).self) { try Self.parse("# TYPE kiln_x counter\nkiln_x{a=\"b} 1\n") }
        #expect(throws: (any Error).self) {
            try Self.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")
        }
    }
}
