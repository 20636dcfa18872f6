import Crypto
import Foundation
import PipelineEngine

/// Credentials for AWS Signature Version 4.
public struct S3Credentials: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID`.
    public var accessKeyID: String
    /// `AWS_SECRET_ACCESS_KEY`.
    public var secretAccessKey: String
    /// `AWS_SESSION_TOKEN`, for temporary credentials; sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// Signs HTTP requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256` in the `Authorization` header).
///
/// A pure function of its inputs: it opens nothing and reads no clock (the time comes in as an argument), so the
/// intermediate strings can be checked against AWS's published test suite. The path is used as given, apart from
/// percent-encoding each segment once (S3 does not normalise paths); query parameters are encoded and sorted by
/// byte order; header names are lowercased and their values trimmed, with inner runs of spaces collapsed.
public struct SigV4Signer: Sendable {
    /// The credentials.
    public var credentials: S3Credentials
    /// The region, as in `us-east-1`.
    public var region: String
    /// The service, as in `s3`.
    public var service: String

    /// Creates a signer.
    public init(credentials: S3Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A signed request: the headers to send and how they were derived.
    public struct Signed: Sendable {
        /// The canonical request, the first step of the signature.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// The signature (hex).
        public var signature: String
        /// The `Authorization` header value.
        public var authorization: String
        /// Every header to send: the given ones, `x-amz-date`, `x-amz-security-token` when there is a session
        /// token, and `authorization`.
        public var headers: [(name: String, value: String)]
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, …
    ///   - path: The path, not yet percent-encoded (`/bucket/key`).
    ///   - query: Query parameters, not yet percent-encoded, in any order.
    ///   - headers: Headers to sign; must include `host`.
    ///   - payloadHash: Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    ///   - date: When the request is made.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String,
        date: Date
    ) -> Signed {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        var all = headers.map { (name: $0.0.lowercased(), value: Self.trim($0.1)) }
        all.append((name: "x-amz-date", value: stamp))
        if let token = credentials.sessionToken { all.append((name: "x-amz-security-token", value: token)) }
        var merged: [String: [String]] = [:]
        for header in all { merged[header.name, default: []].append(header.value) }
        let names = merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method, Self.canonicalPath(path), Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization, headers: all + [(name: "authorization", value: authorization)])
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// The path with each segment percent-encoded once (`/` kept).
    public static func canonicalPath(_ path: String) -> String {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
            .joined(separator: "/")
        return encoded.isEmpty ? "/" : encoded
    }

    /// `name=value` pairs, encoded, sorted by name then value, joined with `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0), encode($0.1)) }
            .sorted { left, right in
                left.0 == right.0
                    ? Array(left.1.utf8).lexicographicallyPrecedes(Array(right.1.utf8))
                    : Array(left.0.utf8).lexicographicallyPrecedes(Array(right.0.utf8))
            }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`, with uppercase hex.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
            }
        }
        return out
    }

    /// Lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String { ArtifactDigest.hex(bytes) }

    private static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
