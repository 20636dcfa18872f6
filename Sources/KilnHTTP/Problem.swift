import Foundation
public import Hummingbird
import KilnOperations
import Logging
import MLTasks
import PipelineModel

/// An error answered as `application/problem+json` (RFC 9457): `{type, title, status, detail}`, where `detail` is the
/// message the command line prints for the same mistake.
public struct Problem: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What is wrong and what to do.
    public var detail: String

    /// The detail.
    public var description: String { detail }

    /// Creates a problem.
    public init(_ status: HTTPResponse.Status, _ detail: String) {
        self.status = status
        self.detail = detail
    }

    /// The problem for an error a handler threw: operation refusals keep their message with a matching status;
    /// anything unexpected is a 500 whose detail still says what failed.
    static func from(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        if let refusal = error as? PredictionError { return from(refusal) }
        if let refusal = OperationError.classify(error) {
            switch refusal.kind {
            case .invalid: return Problem(.badRequest, refusal.message)
            case .notFound: return Problem(.notFound, refusal.message)
            case .conflict, .contention, .busy: return Problem(.conflict, refusal.message)
            }
        }
        if let http = error as? HTTPError {
            let detail = http.body ?? (http.status == .notFound ? "no such endpoint; the API is described at /openapi.json" : http.status.reasonPhrase)
            return Problem(http.status, detail)
        }
        return Problem(.internalServerError, "\(error)")
    }

    /// The response.
    func response() -> Response {
        let document: JSONValue = [
            "type": "about:blank", "title": .string(status.reasonPhrase), "status": .number(Double(status.code)),
            "detail": .string(detail),
        ]
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"kiln\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONBody.encode(document) + "\n")))
    }
}

/// Turns every error below it into a problem document, and logs unexpected ones.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status == .internalServerError {
                context.logger.error("Request failed", metadata: ["http.path": "\(request.uri.path)", "error.message": "\(error)"])
            }
            return problem.response()
        }
    }
}

/// JSON request and response bodies.
enum JSONBody {
    /// Bodies above this size are refused.
    static let maxRequestBytes = 1 << 20

    /// Sorted-key JSON text of a value: compact (``JSONValue/compactJSON``, a direct writer many times faster than
    /// `JSONEncoder`), or indented for documents people read (`/openapi.json`).
    static func encode(_ value: JSONValue, pretty: Bool = false) -> String {
        guard pretty else { return value.compactJSON }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? value.compactJSON
    }

    /// A `200 OK` (or `status`) JSON response.
    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: encode(value) + "\n")))
    }

    /// The request's JSON object body (an empty body reads as `{}`).
    static func object(of request: Request) async throws -> [String: JSONValue] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxRequestBytes)
        } catch {
            throw Problem(.contentTooLarge, "the request body is larger than \(maxRequestBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { return [:] }
        // The direct parser (JSONDecoder cost a fifth of a one-row prediction request).
        guard let value = JSONValue(parsing: String(buffer: buffer)) else {
            throw Problem(.badRequest, "the request body is not valid JSON; send an object such as {\"reason\": \"reviewed\"}")
        }
        guard let object = value.objectValue else {
            throw Problem(.badRequest, "the request body must be a JSON object, such as {\"reason\": \"reviewed\"}")
        }
        return object
    }
}

/// Typed reads of request fields, each refusal naming the field.
struct Fields {
    let values: [String: JSONValue]
    let known: Set<String>

    init(_ values: [String: JSONValue], known: Set<String>) throws {
        self.values = values
        self.known = known
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem(.badRequest, "unknown field '\(unknown)'; this endpoint takes: \(known.sorted().joined(separator: ", "))")
        }
    }

    func string(_ name: String) throws -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw Problem(.badRequest, "'\(name)' must be a string") }
        guard text.count <= 10_000, !text.contains("\0") else {
            throw Problem(.badRequest, "'\(name)' must be at most 10,000 characters, without NUL")
        }
        return text
    }

    func integer(_ name: String) throws -> Int? {
        guard let value = values[name], value != .null else { return nil }
        guard let number = value.numberValue, number == number.rounded(), abs(number) < 1e15 else {
            throw Problem(.badRequest, "'\(name)' must be a whole number")
        }
        return Int(number)
    }

    func object(_ name: String) throws -> [String: JSONValue]? {
        guard let value = values[name], value != .null else { return nil }
        guard let object = value.objectValue else { throw Problem(.badRequest, "'\(name)' must be an object") }
        return object
    }
}
