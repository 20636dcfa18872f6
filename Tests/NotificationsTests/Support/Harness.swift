import AsyncHTTPClient
import Logging
import NIOPosix
import Notifications
import PipelineEngine
import PipelineModel

/// A test server, an HTTP client, a clock and a log recorder around one notifier; everything is shut down after `body`.
struct Harness {
    let server: TestHTTPServer
    let client: HTTPClient
    let clock: any PipelineClock
    let logs: LogRecorder
    let notifier: Notifier

    /// Runs `body` with a server answering `script`, then shuts the client and the server down (also on failure).
    static func with<T>(
        script: [ScriptedResponse] = [], clock: any PipelineClock = InstantClock(),
        retry: DeliveryRetryPolicy = DeliveryRetryPolicy(), _ body: (Harness) async throws -> T
    ) async throws -> T {
        let server = try await TestHTTPServer.start(script: script)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Notifier.clientConfiguration)
        let logs = LogRecorder()
        let harness = Harness(
            server: server, client: client, clock: clock, logs: logs,
            notifier: Notifier(client: client, clock: clock, retry: retry, logger: logs.logger))
        do {
            let result = try await body(harness)
            try await client.shutdown()
            try await server.stop()
            return result
        } catch {
            try? await client.shutdown()
            try? await server.stop()
            throw error
        }
    }

    /// Runs `body` with a server answering `statuses` in order.
    static func with<T>(
        statuses: [Int], clock: any PipelineClock = InstantClock(), retry: DeliveryRetryPolicy = DeliveryRetryPolicy(),
        _ body: (Harness) async throws -> T
    ) async throws -> T {
        try await with(script: statuses.map { ScriptedResponse(status: $0) }, clock: clock, retry: retry, body)
    }
}

/// Events used across the tests.
enum Fixture {
    static let at = Timestamp(millisecondsSince1970: 1_764_979_200_000)

    static func failure(pipeline: String = "nightly", runID: String = "2026-11-29T02-00-00-abc123") -> NotificationEvent {
        NotificationEvent(
            kind: .failure, pipeline: pipeline, runID: runID, state: "failed", failedTask: "train",
            error: "exit code 1: CUDA out of memory", link: "https://kiln.example/runs/\(runID)",
            details: ["model": "churn"], at: at)
    }

    static func success(pipeline: String = "nightly", runID: String = "2026-11-30T02-00-00-def456") -> NotificationEvent {
        NotificationEvent(kind: .success, pipeline: pipeline, runID: runID, state: "succeeded", at: at)
    }
}
