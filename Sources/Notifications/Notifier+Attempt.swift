import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import PipelineModel

extension Notifier {
    /// What one HTTP request came to.
    enum AttemptOutcome {
        /// A 2xx answer.
        case delivered(status: Int)
        /// An answer that retrying will not change (a 4xx other than 429, a 3xx).
        case rejected(status: Int, reason: String)
        /// A 429, a 5xx or a network error; `retryAfter` is the server's `Retry-After`, if any.
        case retryable(status: Int?, reason: String, retryAfter: Duration?)

        /// The HTTP status, when the server answered.
        var status: Int? {
            switch self {
            case .delivered(let status), .rejected(let status, _): return status
            case .retryable(let status, _, _): return status
            }
        }
    }

    /// Makes one request and classifies its outcome; error texts are scrubbed of `secrets`.
    func attempt(_ request: NotificationRequest, secrets: [String]) async -> AttemptOutcome {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .POST
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        outgoing.body = .bytes(ByteBuffer(string: request.body))
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(retry.requestTimeout.nanoseconds))
            let status = Int(response.status.code)
            // Read (a bounded part of) the body so the connection can be reused, and to explain a refusal.
            let body = (try? await response.body.collect(upTo: 16 * 1024)).map { String(buffer: $0) } ?? ""
            if (200..<300).contains(status) { return .delivered(status: status) }
            let reason = Self.reason(status: status, body: body, secrets: secrets)
            if status == 429 || (500..<600).contains(status) {
                let honoured = status == 429 || status == 503
                let retryAfter = honoured ? Self.retryAfter(response.headers.first(name: "retry-after")) : nil
                return .retryable(status: status, reason: reason, retryAfter: retryAfter)
            }
            return .rejected(status: status, reason: reason)
        } catch {
            let text = String(describing: error).scrubbing(secrets).truncated(to: 300)
            return .retryable(status: nil, reason: "request failed: \(text)", retryAfter: nil)
        }
    }

    /// `HTTP 503` followed by the first line of the answer's body (scrubbed, at most 200 characters), if any.
    static func reason(status: Int, body: String, secrets: [String]) -> String {
        let line = body.split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingSpaces.scrubbing(secrets).truncated(to: 200) ?? ""
        return line.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(line)"
    }

    /// A `Retry-After` value in delta-seconds; `nil` when absent or in the HTTP-date form (the backoff applies then).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int64(value.trimmingSpaces), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
