import Foundation
import Hummingbird
import PipelineModel

extension KilnAPI {
    /// The OpenAPI 3.1 description of ``routes``, served at `/openapi.json`.
    static func openAPIDocument(version: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for route in routes {
            let mediaType = route.path.hasSuffix("/logs") ? "text/event-stream" : "application/json"
            let success: JSONValue = [
                "description": .string(route.returns), "content": .object([mediaType: ["schema": ["type": "object"]]]),
            ]
            var operation: [String: JSONValue] = [
                "summary": .string(route.summary),
                "operationId": .string(operationID(route)),
                "responses": .object([String(route.status.code): success, "default": ["$ref": "#/components/responses/Problem"]]),
            ]
            var parameters: [JSONValue] = placeholders(in: route.path).map { name in
                ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            for name in route.query.keys.sorted() {
                parameters.append([
                    "name": .string(name), "in": "query", "required": false, "description": .string(route.query[name]!),
                    "schema": ["type": "string"],
                ])
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let body = route.body {
                var properties: [String: JSONValue] = [:]
                for (name, field) in body { properties[name] = ["type": .string(field.type), "description": .string(field.description)] }
                operation["requestBody"] = [
                    "required": false,
                    "content": ["application/json": ["schema": ["type": "object", "properties": .object(properties), "additionalProperties": .bool(route.bodyIsOpen)]]],
                ]
            }
            if route.method != .get { operation["security"] = [["bearer": []]] }
            var item = paths[route.path]?.objectValue ?? [:]
            item[route.method.rawValue.lowercased()] = .object(operation)
            paths[route.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Kiln", "version": .string(version),
                "description": .string(
                    "The HTTP API of kiln serve. Errors are application/problem+json with the command line's messages. "
                        + "State-changing requests need 'Authorization: Bearer TOKEN' (reads too with --auth all)."),
            ],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "responses": [
                    "Problem": [
                        "description": "What is wrong and what to do (RFC 9457).",
                        "content": [
                            "application/problem+json": [
                                "schema": [
                                    "type": "object",
                                    "properties": [
                                        "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                                        "detail": ["type": "string"],
                                    ],
                                ]
                            ]
                        ],
                    ]
                ],
            ],
        ]
    }

    /// `{id}` placeholders of an OpenAPI path, in order.
    static func placeholders(in path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// `getV1RunsId`-style operation ids.
    static func operationID(_ route: Route) -> String {
        let words = route.path.split(separator: "/").map { part -> String in
            let word = part.trimmingPrefix("{").replacingOccurrences(of: "}", with: "")
            return word.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        return route.method.rawValue.lowercased() + words.joined()
    }
}
