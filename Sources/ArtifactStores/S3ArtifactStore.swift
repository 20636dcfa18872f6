public import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1
public import PipelineEngine
import PipelineModel

/// Artifacts as objects in an S3-compatible bucket: `PREFIX/sha256/ab/cdef…`, signed with Signature Version 4.
///
/// - **Writes** hash the file first and send its digest as `x-amz-content-sha256`, so the server rejects a body
///   that arrived altered; a PUT is atomic (readers see the whole object or none). An object already there is not
///   sent again, only copied onto itself to refresh its age, which a retention pass reads.
/// - **Reads** download into a local cache folder (a ``LocalArtifactStore``): the bytes go to a temporary file,
///   are hashed on the way, and are renamed into the cache only when they match the reference. A cached copy is
///   checked again on every read (and fetched again when it does not match), so a corrupt or truncated object is
///   an ``ArtifactStoreError`` naming the reference and the bucket, never used.
public struct S3ArtifactStore: ArtifactStore {
    /// The bucket, prefix, endpoint and credentials.
    public let configuration: S3Configuration
    /// Where downloaded artifacts are kept.
    public let cache: LocalArtifactStore
    let client: HTTPClient
    let timeout: TimeAmount
    private let bucketChecked = CheckedFlag()

    /// Creates a store.
    /// - Parameters:
    ///   - configuration: Where the bucket is.
    ///   - cacheFolder: A local folder for downloaded artifacts (created when needed).
    ///   - client: The HTTP client; by default ``sharedClient``.
    ///   - timeout: The longest one request may take (an upload or download of a large artifact included).
    public init(
        configuration: S3Configuration, cacheFolder: String, client: HTTPClient = S3ArtifactStore.sharedClient,
        timeout: TimeAmount = .seconds(600)
    ) {
        self.configuration = configuration
        self.cache = LocalArtifactStore(root: cacheFolder)
        self.client = client
        self.timeout = timeout
    }

    /// The process-wide client S3 stores use by default: connections that cannot be established are retried for
    /// at most 10 s (then the request fails, naming the endpoint), and a response that stalls for 120 s fails.
    public static let sharedClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(120))))

    /// `s3://bucket/prefix`.
    public var location: String { configuration.location }

    /// The object key of `reference`.
    public func key(for reference: String) throws -> String {
        let hex = try ArtifactReference.digest(of: reference)
        return keyPrefix + "sha256/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    private var keyPrefix: String { configuration.prefix.isEmpty ? "" : configuration.prefix + "/" }

    /// Checks that the bucket exists and the credentials may read it.
    /// - Throws: ``ArtifactStoreError``: unreachable endpoint, access denied, no such bucket.
    public func check() async throws {
        if bucketChecked.isSet { return }
        let response = try await send("HEAD", key: nil)
        if response.status != .ok { throw failure(response, body: nil, doing: "checking") }
        bucketChecked.set()
    }

    /// Uploads the file at `path` unless the bucket holds its content already.
    public func put(file path: String) async throws -> String {
        let (digest, size) = try ArtifactDigest.sha256(ofFile: path)
        let reference = "sha256:" + digest
        let key = try key(for: reference)
        if try await contains(reference) {
            // Refresh the object's age: a retention pass must not take an artifact a running task just stored.
            let copy = try await send(
                "PUT", key: key,
                headers: [
                    ("x-amz-copy-source", "/\(configuration.bucket)/" + SigV4Signer.canonicalPath(key)),
                    ("x-amz-metadata-directive", "REPLACE"),
                ])
            let body = try await copy.body.collect(upTo: 1 << 20)
            guard copy.status == .ok else { throw failure(copy, body: body, doing: "refreshing \(reference) in") }
            return reference
        }
        let body = HTTPClientRequest.Body.stream(FileChunks(path: path), length: .known(size))
        let response = try await send(
            "PUT", key: key, headers: [("content-type", "application/octet-stream")], body: body, payloadHash: digest)
        let text = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw failure(response, body: text, doing: "storing \(reference) in") }
        return reference
    }

    /// The cached copy of `reference`, downloaded and verified first when the cache lacks it or holds a bad copy.
    public func localPath(for reference: String) async throws -> String {
        if try await cache.contains(reference), let path = try? await cache.localPath(for: reference) { return path }
        let key = try key(for: reference)
        let response = try await send("GET", key: key)
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 20)
            if response.status == .notFound, S3ErrorDocument(String(buffer: body)).code != "NoSuchBucket" {
                throw ArtifactStoreError("artifact \(reference) is not in \(location) (no object \(key)); "
                    + "was it removed by `kiln gc` or another tool?")
            }
            throw failure(response, body: body, doing: "reading \(reference) from")
        }
        let temporary = try cache.makeTemporaryFile()
        guard let output = FileHandle(forWritingAtPath: temporary) ?? create(temporary) else {
            throw ArtifactStoreError("cannot write under \(cache.root): \(String(cString: strerror(errno)))")
        }
        var hasher = IncrementalDigest()
        var size: Int64 = 0
        do {
            for try await chunk in response.body {
                let bytes = Data(chunk.readableBytesView)
                hasher.update(bytes)
                size += Int64(bytes.count)
                try output.write(contentsOf: bytes)
            }
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            unlink(temporary)
            throw ArtifactStoreError("downloading \(reference) from \(location) failed after \(size) bytes: \(error)")
        }
        let digest = hasher.finalize()
        guard "sha256:" + digest == reference else {
            unlink(temporary)
            throw ArtifactStoreError(
                "artifact \(reference) in \(location) is corrupt: object \(key) (\(size) bytes) hashes to "
                    + "sha256:\(digest); delete the object and run the task that produced it again")
        }
        try cache.install(temporary, as: reference)
        return try cache.file(for: reference)
    }

    /// Whether the object of `reference` exists (a HEAD request).
    public func contains(_ reference: String) async throws -> Bool {
        let response = try await send("HEAD", key: try key(for: reference))
        switch response.status {
        case .ok: return true
        case .notFound:
            // A HEAD response has no body to tell a missing object from a missing bucket.
            try await check()
            return false
        default: throw failure(response, body: nil, doing: "looking up \(reference) in")
        }
    }

    /// Every object under `PREFIX/sha256/` (ListObjectsV2, page by page).
    public func list() async throws -> [StoredArtifact] {
        var found: [StoredArtifact] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", keyPrefix + "sha256/")]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: nil, query: query)
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status == .ok else { throw failure(response, body: body, doing: "listing") }
            let page = S3ListPage(String(buffer: body))
            for object in page.objects {
                let parts = object.key.dropFirst(keyPrefix.count + "sha256/".count).split(separator: "/")
                guard parts.count == 2 else { continue }
                let reference = "sha256:" + parts[0] + parts[1]
                guard ArtifactReference.isValid(reference) else { continue }
                found.append(StoredArtifact(reference: reference, size: object.size, modifiedAt: object.modified))
            }
            token = page.nextToken
        } while token != nil
        return found
    }

    /// Deletes the object of `reference` and its cached copy.
    public func delete(_ reference: String) async throws {
        let response = try await send("DELETE", key: try key(for: reference))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw failure(response, body: body, doing: "deleting \(reference) from")
        }
        try await cache.delete(reference)
    }

    // MARK: Requests

    func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil, payloadHash: String = emptyPayloadHash
    ) async throws -> HTTPClientResponse {
        let base: String
        var path: String
        if let endpoint = configuration.endpoint {
            base = "\(endpoint.scheme!)://\(endpoint.host!)" + (endpoint.port.map { ":\($0)" } ?? "")
            path = "/\(configuration.bucket)"
            if let key { path += "/" + key }
        } else {
            base = "https://\(configuration.bucket).s3.\(configuration.region).amazonaws.com"
            path = "/" + (key ?? "")
        }
        let host = String(base.drop { $0 != "/" }.dropFirst(2))
        let signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
        let signed = signer.sign(
            method: method, path: path, query: query,
            headers: [("host", host), ("x-amz-content-sha256", payloadHash)] + headers, payloadHash: payloadHash,
            date: Date())
        let queryText = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(
            url: base + SigV4Signer.canonicalPath(path) + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = HTTPMethod(rawValue: method)
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = body }
        do {
            return try await client.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ArtifactStoreError("cannot reach the S3 endpoint \(configuration.endpointDescription) for \(location) "
                + "(\(error)); check the endpoint (--s3-endpoint or AWS_ENDPOINT_URL) and that the server is up")
        }
    }

    private func failure(_ response: HTTPClientResponse, body: ByteBuffer?, doing: String) -> ArtifactStoreError {
        failure(status: response.status, body: body.map { String(buffer: $0) } ?? "", doing: doing)
    }

    /// The one-line error for an S3 error response.
    func failure(status: HTTPResponseStatus, body: String, doing: String) -> ArtifactStoreError {
        let document = S3ErrorDocument(body)
        let detail = document.code.map { "\($0)" + (document.message.map { ": \($0)" } ?? "") }
            ?? "HTTP \(status.code)"
        switch (document.code, status) {
        case ("NoSuchBucket", _), (nil, .notFound):
            return ArtifactStoreError("no bucket '\(configuration.bucket)' at \(configuration.endpointDescription) "
                + "(\(detail)); create it or fix the location \(location)")
        case ("InvalidAccessKeyId", _), ("SignatureDoesNotMatch", _), ("AccessDenied", _), (_, .forbidden):
            return ArtifactStoreError("access denied \(doing) \(location) (\(detail)); check AWS_ACCESS_KEY_ID, "
                + "AWS_SECRET_ACCESS_KEY, AWS_REGION and the bucket's permissions")
        default:
            return ArtifactStoreError("\(doing) \(location) failed (\(detail))")
        }
    }

    /// Creates the bucket (for tests and first-time setup against an emulator).
    func createBucket() async throws {
        let response = try await send("PUT", key: nil)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw failure(response, body: body, doing: "creating") }
    }

    /// Writes `bytes` as the object of `reference` without checking them (to damage an artifact in tests).
    func overwriteObject(of reference: String, with bytes: [UInt8]) async throws {
        var hasher = IncrementalDigest()
        hasher.update(Data(bytes))
        let response = try await send(
            "PUT", key: try key(for: reference), body: .bytes(ByteBuffer(bytes: bytes)), payloadHash: hasher.finalize())
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw failure(response, body: body, doing: "overwriting \(reference) in") }
    }

    private func create(_ path: String) -> FileHandle? {
        FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
    }
}

/// Remembers that the bucket was found, once.
final class CheckedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}

/// Hex SHA-256 of an empty body.
let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/// A file read in 1 MiB chunks, as a request body.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            guard let handle else { throw ArtifactStoreError("cannot read the file being uploaded") }
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: path)) }
}
