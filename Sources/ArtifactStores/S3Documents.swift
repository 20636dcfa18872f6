import Crypto
import Foundation
import PipelineModel

/// The `<Code>` and `<Message>` of an S3 error response.
struct S3ErrorDocument {
    var code: String?
    var message: String?

    init(_ text: String) {
        code = XMLText.first("Code", in: Substring(text))
        message = XMLText.first("Message", in: Substring(text))
    }
}

/// One page of a ListObjectsV2 response.
struct S3ListPage {
    struct Object {
        var key: String
        var size: Int64
        var modified: Timestamp
    }

    var objects: [Object] = []
    var nextToken: String?

    init(_ text: String) {
        for contents in XMLText.all("Contents", in: Substring(text)) {
            guard let key = XMLText.first("Key", in: contents) else { continue }
            let size = XMLText.first("Size", in: contents).flatMap { Int64($0) } ?? 0
            let modified = XMLText.first("LastModified", in: contents).flatMap(Self.parseDate) ?? .earliest
            objects.append(Object(key: key, size: size, modified: modified))
        }
        if XMLText.first("IsTruncated", in: Substring(text)) == "true" {
            nextToken = XMLText.first("NextContinuationToken", in: Substring(text))
        }
    }

    /// `2024-05-01T10:00:00.000Z` (fractional seconds optional).
    static func parseDate(_ text: String) -> Timestamp? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
        return date.map { Timestamp(nanosecondsSince1970: Int64($0.timeIntervalSince1970 * 1e9)) }
    }
}

/// The text of simple, attribute-free XML elements, as S3 responses have them.
enum XMLText {
    /// The unescaped text of the first `<name>` element in `text`.
    static func first(_ name: String, in text: Substring) -> String? {
        all(name, in: text).first.map { unescape(String($0)) }
    }

    /// The raw contents of every `<name>` element in `text`.
    static func all(_ name: String, in text: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = text
        while let open = rest.range(of: "<\(name)>") {
            guard let close = rest[open.upperBound...].range(of: "</\(name)>") else { break }
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// SHA-256 fed piece by piece, as hex.
struct IncrementalDigest {
    private var hasher = SHA256()

    mutating func update(_ data: Data) { hasher.update(data: data) }

    func finalize() -> String { SigV4Signer.hex(hasher.finalize()) }
}
