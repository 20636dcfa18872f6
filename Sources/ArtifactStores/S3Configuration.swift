import Foundation

/// Where an S3-compatible artifact store is and how to sign requests to it.
///
/// Read from an `s3://bucket/prefix` location and the usual AWS variables, which the composition root passes in
/// (this module reads no environment itself):
///
/// | variable | use |
/// |---|---|
/// | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` | credentials (required) |
/// | `AWS_SESSION_TOKEN` | temporary credentials' token (optional) |
/// | `AWS_REGION`, else `AWS_DEFAULT_REGION` | the signing region (default `us-east-1`) |
/// | `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` | another endpoint than AWS's (MinIO, Ceph, moto, …) |
///
/// With a custom endpoint, objects are addressed path-style (`ENDPOINT/bucket/key`), which every S3-compatible
/// server understands; on AWS itself virtual-hosted style (`https://bucket.s3.REGION.amazonaws.com/key`).
public struct S3Configuration: Sendable, Hashable {
    /// The bucket.
    public var bucket: String
    /// The key prefix under which artifacts are kept (no leading or trailing `/`; may be empty).
    public var prefix: String
    /// A custom endpoint (`http://127.0.0.1:9000`), or `nil` for AWS.
    public var endpoint: URL?
    /// The signing region.
    public var region: String
    /// The credentials.
    public var credentials: S3Credentials

    /// Creates a configuration.
    public init(bucket: String, prefix: String, endpoint: URL?, region: String, credentials: S3Credentials) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
    }

    /// Reads `s3://bucket[/prefix]` and the AWS variables in `environment`.
    /// - Parameters:
    ///   - location: `s3://bucket` or `s3://bucket/prefix`.
    ///   - environment: The process environment (or a test's).
    ///   - endpoint: An endpoint given on the command line; it wins over the environment.
    /// - Throws: ``S3Error`` naming what is wrong: a malformed location or endpoint, or missing credentials.
    public init(location: String, environment: [String: String], endpoint: String? = nil) throws {
        guard location.hasPrefix("s3://") else {
            throw S3Error("'\(location)' is not an S3 location: use s3://BUCKET or s3://BUCKET/PREFIX")
        }
        let rest = location.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard Self.isValidBucket(bucket) else {
            throw S3Error("'\(location)': '\(bucket)' is not a bucket name (3–63 characters: lowercase letters, digits, "
                + "'.' and '-'); use s3://BUCKET/PREFIX")
        }
        let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
        let chosen = endpoint ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
        var endpointURL: URL?
        if let chosen, !chosen.isEmpty {
            guard let url = URL(string: chosen), let scheme = url.scheme, scheme == "http" || scheme == "https",
                url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil
            else {
                throw S3Error("'\(chosen)' is not an S3 endpoint: use http(s)://HOST[:PORT], as in http://127.0.0.1:9000")
            }
            endpointURL = url
        }
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw S3Error("\(location): no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "(and AWS_SESSION_TOKEN for temporary ones)")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }
            .first { !$0.isEmpty } ?? "us-east-1"
        self.init(
            bucket: bucket, prefix: prefix, endpoint: endpointURL, region: region,
            credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token))
    }

    /// `s3://bucket/prefix`.
    public var location: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    /// Where requests go: the custom endpoint, or AWS's regional one.
    public var endpointDescription: String {
        endpoint?.absoluteString ?? "https://\(bucket).s3.\(region).amazonaws.com"
    }

    static func isValidBucket(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
            && name.first!.isASCII && (name.first!.isLetter || name.first!.isNumber)
    }
}

/// What went wrong with an S3 location or request, in one line.
public struct S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to check.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
