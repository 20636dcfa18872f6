@testable import ArtifactStores
import AsyncHTTPClient
import NIOCore
import Foundation
import NIOHTTP1
import PipelineEngine
import PipelineTesting
import Testing

func temporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kiln-artifacts-\(UUID().uuidString)").path
}

/// Both artifact stores pass one contract.
@Suite struct ArtifactStoreConformanceTests {
    @Test("LocalArtifactStore", arguments: ArtifactStoreConformance.checks)
    func local(_ check: ArtifactStoreConformance.Check) async throws {
        let root = temporaryFolder()
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-scratch")
        }
        let store = LocalArtifactStore(root: root)
        try await check.run(.init(store: store, scratch: root + "-scratch") { reference, bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: try store.file(for: reference)))
        })
    }

    /// Every check on its own bucket of one moto server (started once for the suite: it takes seconds).
    @Test("S3ArtifactStore against moto's server mode")
    func s3() async throws {
        guard let emulator = try await S3Emulator.start() else {
            print("S3ArtifactStore conformance skipped: \(S3Emulator.skipReason)")
            return
        }
        defer { emulator.stop() }
        for (index, check) in ArtifactStoreConformance.checks.enumerated() {
            let bucket = "conformance-\(index)"
            try await emulator.createBucket(bucket)
            let cache = temporaryFolder()
            defer {
                try? FileManager.default.removeItem(atPath: cache)
                try? FileManager.default.removeItem(atPath: cache + "-scratch")
            }
            let store = S3ArtifactStore(
                configuration: try S3Configuration(location: "s3://\(bucket)/team/artifacts", environment: emulator.environment),
                cacheFolder: cache)
            do {
                try await check.run(.init(store: store, scratch: cache + "-scratch") { reference, bytes in
                    try await store.overwriteObject(of: reference, with: bytes)
                })
            } catch {
                Issue.record("\(check.name): \(error)")
            }
        }
    }
}

/// What an S3 store says when it cannot work, in one line.
@Suite struct S3ArtifactStoreErrorTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    @Test("malformed locations and endpoints, and missing credentials, are refused with what to fix")
    func configuration() throws {
        func message(_ location: String, _ environment: [String: String], endpoint: String? = nil) -> String {
            do {
                _ = try S3Configuration(location: location, environment: environment, endpoint: endpoint)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("s3://", Self.credentials).contains("is not a bucket name"))
        #expect(message("s3://Upper_Case/x", Self.credentials).contains("'Upper_Case' is not a bucket name"))
        #expect(message("s3://bucket", Self.credentials, endpoint: "localhost:9000").contains("is not an S3 endpoint"))
        #expect(message("s3://bucket", [:]).contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        let parsed = try S3Configuration(
            location: "s3://bucket//a/b/", environment: Self.credentials.merging(["AWS_DEFAULT_REGION": "eu-west-3"]) { $1 })
        #expect(parsed.prefix == "a/b" && parsed.region == "eu-west-3" && parsed.endpoint == nil)
        #expect(parsed.location == "s3://bucket/a/b")
        let custom = try S3Configuration(
            location: "s3://bucket", environment: Self.credentials.merging(["AWS_ENDPOINT_URL": "http://env:1"]) { $1 },
            endpoint: "http://flag:2")
        #expect(custom.endpoint?.absoluteString == "http://flag:2")
    }

    @Test("an unreachable endpoint names the endpoint and what to check")
    func unreachable() async throws {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .milliseconds(300))))
        let store = S3ArtifactStore(
            configuration: try S3Configuration(location: "s3://bucket", environment: Self.credentials, endpoint: "http://127.0.0.1:1"),
            cacheFolder: temporaryFolder(), client: client)
        await #expect {
            _ = try await store.contains("sha256:" + String(repeating: "0", count: 64))
        } throws: { error in
            "\(error)".contains("cannot reach the S3 endpoint http://127.0.0.1:1") && "\(error)".contains("--s3-endpoint")
        }
        try await client.shutdown()
    }

    @Test("access denied and no such bucket are told apart from the server's error code")
    func errorCodes() throws {
        let store = S3ArtifactStore(
            configuration: try S3Configuration(location: "s3://bucket/p", environment: Self.credentials, endpoint: "http://h:1"),
            cacheFolder: temporaryFolder())
        let denied = store.failure(
            status: .forbidden, body: "<Error><Code>InvalidAccessKeyId</Code><Message>no such key</Message></Error>",
            doing: "listing")
        #expect(denied.message.hasPrefix("access denied listing s3://bucket/p (InvalidAccessKeyId: no such key)"))
        #expect(denied.message.contains("AWS_SECRET_ACCESS_KEY"))
        let missing = store.failure(status: .notFound, body: "<Error><Code>NoSuchBucket</Code></Error>", doing: "listing")
        #expect(missing.message.hasPrefix("no bucket 'bucket' at http://h:1"))
    }

    @Test("a missing bucket on a real server is reported as such")
    func noSuchBucket() async throws {
        guard let emulator = try await S3Emulator.start() else {
            print("skipped: \(S3Emulator.skipReason)")
            return
        }
        defer { emulator.stop() }
        let store = S3ArtifactStore(
            configuration: try S3Configuration(location: "s3://missing-bucket", environment: emulator.environment),
            cacheFolder: temporaryFolder())
        let source = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: source) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: source))
        await #expect {
            _ = try await store.put(file: source)
        } throws: { error in
            "\(error)".contains("no bucket 'missing-bucket' at \(emulator.endpoint)")
        }
        await #expect {
            _ = try await store.list()
        } throws: { error in
            "\(error)".contains("no bucket 'missing-bucket'")
        }
    }
}
