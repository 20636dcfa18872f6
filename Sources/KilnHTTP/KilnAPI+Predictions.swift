import Foundation
import Hummingbird
import MLTasks
import ModelRegistry
import PipelineModel

extension KilnAPI {
    // MARK: Predictions

    static let predictionRoutes: [Route] = [
        Route(
            method: .post, path: "/v1/models/{name}/predict",
            summary: "Score rows with the version an alias (production by default) points at; the server follows "
                + "promotions and rollbacks without a restart.",
            query: ["alias": "The alias whose version scores the rows (default production)."],
            body: [
                "rows": ("array", "The rows: objects of column → value (number, string, boolean or null). Without `rows`, the body itself is one row."),
                "request_id": ("string", "An id for the request (default: a new one); rows get it (one row) or ID-0, ID-1, … ."),
                "ids": ("array", "One request id per row, for feedback."),
            ],
            bodyIsOpen: true,
            returns: "{model, alias, model_version, version, request_id, threshold, predictions: [{request_id, score, prediction}]}"
        ) { request, parameters, backend in
            let service = try predictions(of: backend)
            let model = try parameters.require("name")
            let alias = request.uri.queryParameters["alias"].map(String.init) ?? RegistryNames.production
            let body = try await JSONBody.object(of: request)
            var rows: [[String: JSONValue]]
            var requestID: String?
            var ids: [String]?
            if body["rows"] != nil {
                let fields = try Fields(body, known: ["rows", "request_id", "ids"])
                guard let list = body["rows"]?.arrayValue else {
                    throw Problem(.badRequest, "'rows' must be a list of row objects: {\"rows\": [{\"amount\": 12.5, …}]}")
                }
                rows = try list.enumerated().map { index, row in
                    guard let object = row.objectValue else {
                        throw Problem(.badRequest, "row \(index + 1) of 'rows' is \(row.compactJSON); each row is an object of column → value")
                    }
                    return object
                }
                requestID = try fields.string("request_id")
                if let given = body["ids"], given != .null {
                    guard let list = given.arrayValue?.compactMap(\.stringValue), list.count == given.arrayValue?.count else {
                        throw Problem(.badRequest, "'ids' must be a list of strings, one per row")
                    }
                    ids = list
                }
            } else {
                var row = body
                if let id = row.removeValue(forKey: "request_id"), id != .null {
                    guard let text = id.stringValue else { throw Problem(.badRequest, "'request_id' must be a string") }
                    requestID = text
                }
                rows = [row]
            }
            let result = try await service.predict(model: model, alias: alias, rows: rows, requestID: requestID, ids: ids)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: predictText(model: model, alias: alias, result: result) + "\n")))
        },
        Route(
            method: .post, path: "/v1/models/{name}/feedback",
            summary: "Label logged predictions by request id; the labelled rows feed `performance:` rules with `data: feedback:NAME`.",
            body: [
                "request_id": ("string", "The request id a predict response gave the row."),
                "label": ("number", "The true label (a number, boolean or string)."),
                "labels": ("array", "Several: [{request_id, label}, …]."),
            ],
            returns: "{model, labelled}"
        ) { request, parameters, backend in
            let service = try predictions(of: backend)
            let model = try parameters.require("name")
            let fields = try Fields(try await JSONBody.object(of: request), known: ["request_id", "label", "labels"])
            var labels: [(id: String, label: JSONValue)] = []
            if let list = fields.values["labels"], list != .null {
                guard let items = list.arrayValue else {
                    throw Problem(.badRequest, "'labels' must be a list: [{\"request_id\": \"…\", \"label\": 1}, …]")
                }
                for (index, item) in items.enumerated() {
                    guard let object = item.objectValue, let id = object["request_id"]?.stringValue, let label = object["label"],
                        object.count == 2
                    else {
                        throw Problem(.badRequest, "labels[\(index)] must be {\"request_id\": \"…\", \"label\": …}, got \(item.compactJSON)")
                    }
                    labels.append((id, label))
                }
            }
            if let id = try fields.string("request_id") {
                guard let label = fields.values["label"], label != .null else {
                    throw Problem(.badRequest, "give the label of '\(id)': {\"request_id\": \"\(id)\", \"label\": 1}")
                }
                labels.append((id, label))
            } else if fields.values["label"] != nil {
                throw Problem(.badRequest, "say which prediction the label is for: {\"request_id\": \"…\", \"label\": 1}")
            }
            let count = try service.feedback(model: model, labels: labels)
            return JSONBody.response(["model": .string(model), "labelled": .number(Double(count))])
        },
    ]

    /// The predict response as `JSONBody.response` would write the document (keys sorted, compact), written
    /// directly: on the endpoint's hot path, building the tree of dictionaries and sorting its keys cost about a
    /// fifth of scoring a row.
    static func predictText(model: String, alias: String, result: PredictionService.Result) -> String {
        var out = ""
        out.reserveCapacity(200 + result.ids.count * 100)
        func key(_ name: String, first: Bool = false) {
            out += first ? "{\"" : ",\""
            out += name
            out += "\":"
        }
        func number(_ value: Double) { out += value.isFinite ? JSONValue.format(value) : "null" }
        key("alias", first: true)
        JSONValue.writeQuoted(alias, into: &out)
        key("model")
        JSONValue.writeQuoted(model, into: &out)
        key("model_version")
        JSONValue.writeQuoted(result.version.reference, into: &out)
        out += ",\"predictions\":["
        for index in result.ids.indices {
            if index > 0 { out += "," }
            key("prediction", first: true)
            number(Double(result.predictions[index]))
            key("request_id")
            JSONValue.writeQuoted(result.ids[index], into: &out)
            key("score")
            number(result.scores[index])
            out += "}"
        }
        out += "]"
        key("request_id")
        JSONValue.writeQuoted(result.requestID, into: &out)
        key("threshold")
        number(result.threshold)
        key("version")
        number(Double(result.version.version))
        out += "}"
        return out
    }

    /// The backend's prediction service, or a 404 saying this server has none.
    static func predictions(of backend: KilnAPIBackend) throws -> PredictionService {
        guard let service = backend.predictions else {
            throw Problem(.notFound, "this server does not serve predictions; start it with kiln serve")
        }
        return service
    }
}

extension Problem {
    /// A refused prediction or feedback request: invalid 400, not found 404, conflict 409, failed 500.
    static func from(_ error: PredictionError) -> Problem {
        switch error.kind {
        case .invalid: return Problem(.badRequest, error.message)
        case .notFound: return Problem(.notFound, error.message)
        case .conflict: return Problem(.conflict, error.message)
        case .failed: return Problem(.internalServerError, error.message)
        }
    }
}
