import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PipelineModel
import Synchronization

/// A request the test server received.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    /// Header values by lower-cased name (repeated headers joined with `, `).
    var headers: [String: String]
    var body: String

    /// The body parsed as JSON.
    func json() throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
}

/// An answer the test server gives, in script order.
struct ScriptedResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) that records every request and answers from a script
/// (`200` once the script is used up). Every answer says `connection: close`, so stopping it leaves nothing open.
final class TestHTTPServer: Sendable {
    private let log: RequestLog
    private let channel: any Channel
    /// The port the server listens on.
    let port: Int

    private init(log: RequestLog, channel: any Channel, port: Int) {
        self.log = log
        self.channel = channel
        self.port = port
    }

    /// Starts a server answering with `statuses` in order (bodies empty, no extra headers).
    static func start(statuses: [Int]) async throws -> TestHTTPServer {
        try await start(script: statuses.map { ScriptedResponse(status: $0) })
    }

    /// Starts a server answering with `script` in order.
    static func start(script: [ScriptedResponse] = []) async throws -> TestHTTPServer {
        let log = RequestLog(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw CancellationError() }
        return TestHTTPServer(log: log, channel: channel, port: port)
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] { log.requests }

    /// Stops listening: later connections are refused.
    func stop() async throws { try await channel.close() }
}

private final class RequestLog: Sendable {
    private let state: Mutex<(script: [ScriptedResponse], requests: [RecordedRequest])>

    init(script: [ScriptedResponse]) { state = Mutex((script, [])) }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    func record(_ request: RecordedRequest) -> ScriptedResponse {
        state.withLock { state in
            state.requests.append(request)
            return state.script.isEmpty ? ScriptedResponse(status: 200, body: "ok") : state.script.removeFirst()
        }
    }
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let log: RequestLog
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(log: RequestLog) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { "\($0), \(value)" } ?? value
            }
            let answer = log.record(RecordedRequest(
                method: head.method.rawValue, path: head.uri, headers: headers, body: String(buffer: body)))
            var responseHeaders = HTTPHeaders()
            for (name, value) in answer.headers { responseHeaders.add(name: name, value: value) }
            responseHeaders.replaceOrAdd(name: "content-length", value: "\(answer.body.utf8.count)")
            responseHeaders.replaceOrAdd(name: "connection", value: "close")
            let responseHead = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: answer.status), headers: responseHeaders)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }
}
