import Foundation
import Hummingbird
import PipelineModel

/// Small helpers for server-rendered HTML: escaping, times the browser shows in the viewer's zone, the page frame.
enum HTML {
    /// Escapes text for element content and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Percent-encodes a path segment or query value.
    static func url(_ text: String) -> String {
        text.addingPercentEncodingForURL()
    }

    /// A `<time>` the page's script shows in the viewer's time zone (UTC without script).
    static func time(_ value: Timestamp?) -> String {
        guard let value else { return "–" }
        return "<time datetime=\"\(value.iso8601)\">\(escape(value.iso8601))</time>"
    }

    /// `1.2 s`, `3 min 4 s`, or `–`.
    static func duration(_ start: Timestamp?, _ end: Timestamp?) -> String {
        guard let start, let end, end >= start else { return "–" }
        let milliseconds = (end.nanosecondsSince1970 - start.nanosecondsSince1970) / 1_000_000
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        let seconds = Double(milliseconds) / 1_000
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        if whole < 3_600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3_600) h \(whole % 3_600 / 60) min"
    }

    /// A state badge.
    static func badge(_ state: String) -> String {
        "<span class=\"badge state-\(escape(state))\">\(escape(state))</span>"
    }

    /// A whole page: header with navigation, the content, the shared script.
    static func page(title: String, active: String, _ body: String) -> Response {
        let navigation = [("/", "Pipelines"), ("/runs", "Runs"), ("/models", "Models"), ("/triggers", "Triggers")]
            .map { path, name in
                "<a href=\"\(path)\"\(name == active ? " class=\"active\"" : "")>\(name)</a>"
            }.joined()
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Kiln</title>
            <link rel="stylesheet" href="/assets/kiln.css">
            </head><body>
            <header><a class="brand" href="/">Kiln</a><nav>\(navigation)</nav></header>
            <main>
            \(body)
            </main>
            <script src="/assets/kiln.js"></script>
            </body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page for a problem (unknown run, model, …), with its status.
    static func problemPage(_ problem: Problem, active: String) -> Response {
        var response = page(
            title: problem.status.reasonPhrase, active: active,
            "<h1>\(escape(problem.status.reasonPhrase))</h1><p class=\"problem\">\(escape(problem.detail))</p>")
        response.status = problem.status
        return response
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters.
    func addingPercentEncodingForURL() -> String {
        var encoded = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(Character(UnicodeScalar(byte)))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
