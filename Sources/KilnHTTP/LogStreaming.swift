import Foundation
import Hummingbird
import KilnOperations
import PipelineEngine
import PipelineModel

/// `GET /v1/runs/{id}/logs?follow=true`: the lines so far, then new ones as they are committed, as Server-Sent
/// Events (`event: line`, data the line's JSON); an `event: end` with the run's state closes the stream once the run
/// is over. A client that goes away ends it too.
enum LogStreaming {
    /// How often the store is looked at for new lines.
    static let poll: Duration = .milliseconds(250)

    static func response(
        run id: RunID, task: String?, attempt: Int?, already: [LogLine], operations: KilnOperations
    ) -> Response {
        let body = ResponseBody { writer in
            var seen = already.count
            for line in already { try await writer.write(event("line", KilnAPI.logJSON(line))) }
            while true {
                let state = try await operations.store.run(id)?.state
                let lines = try await operations.store.logs(of: id, task: task, attempt: attempt)
                if lines.count > seen {
                    for line in lines[seen...] { try await writer.write(event("line", KilnAPI.logJSON(line))) }
                    seen = lines.count
                }
                guard let state, state == .queued || state == .running || state == .waiting else {
                    try await writer.write(event("end", ["state": state.map { .string($0.rawValue) } ?? .null]))
                    break
                }
                try await operations.clock.sleep(until: operations.clock.now.adding(poll))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func event(_ name: String, _ data: JSONValue) -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(JSONBody.encode(data))\n\n")
    }
}
