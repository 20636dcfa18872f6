import Foundation
public import PipelineEngine

/// The behaviour every ``ArtifactStore`` must have, as named checks to run against a fresh, empty store.
///
/// ```swift
/// @Test("local folder", arguments: ArtifactStoreConformance.checks)
/// func conforms(_ check: ArtifactStoreConformance.Check) async throws {
///     let root = temporaryFolder()
///     try await check.run(.init(store: LocalArtifactStore(root: root), scratch: root + "-scratch") { reference, bytes in
///         try Data(bytes).write(to: URL(fileURLWithPath: LocalArtifactStore(root: root).file(for: reference)))
///     })
/// }
/// ```
public enum ArtifactStoreConformance {
    /// A store under test, and a way to damage what it holds behind its back.
    public struct Subject: Sendable {
        /// The store, empty.
        public var store: any ArtifactStore
        /// A folder the checks may write their source files into.
        public var scratch: String
        /// Replaces the stored bytes of a reference with others, as a failing disk or a partial copy would.
        public var overwrite: @Sendable (_ reference: String, _ bytes: [UInt8]) async throws -> Void

        /// Creates a subject.
        public init(
            store: any ArtifactStore, scratch: String,
            overwrite: @escaping @Sendable (_ reference: String, _ bytes: [UInt8]) async throws -> Void
        ) {
            self.store = store
            self.scratch = scratch
            self.overwrite = overwrite
        }
    }

    /// One requirement and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement.
        public let run: @Sendable (Subject) async throws -> Void

        /// Creates a check.
        public init(_ name: String, run: @escaping @Sendable (Subject) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty store.
    public static let checks: [Check] = [
        Check("a stored file comes back byte for byte under the SHA-256 of its content", run: storedFileReadsBack),
        Check("storing the same bytes twice gives one reference and one object", run: sameBytesOneObject),
        Check("an empty file and a file of 2 MiB and a few bytes are stored and read back", run: emptyAndLargeFiles),
        Check("a malformed reference is refused by every operation", run: malformedReferences),
        Check("an unknown reference is not contained, and reading it names the reference and the store",
              run: unknownReference),
        Check("a corrupt object is an error naming the reference and the store, never returned", run: corruptObject),
        Check("a truncated object is an error, never returned", run: truncatedObject),
        Check("the listing names every artifact with its size; a deleted one is gone, deleting twice is fine",
              run: listAndDelete),
    ]

    static func write(_ bytes: [UInt8], in subject: Subject, name: String = UUID().uuidString) throws -> String {
        try FileManager.default.createDirectory(atPath: subject.scratch, withIntermediateDirectories: true)
        let path = subject.scratch + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func read(_ reference: String, from store: any ArtifactStore) async throws -> [UInt8] {
        let path = try await store.localPath(for: reference)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }

    static func expectFailure(
        _ what: String, containing parts: [String], _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as ArtifactStoreError {
            for part in parts where !error.message.contains(part) {
                throw ConformanceFailure("\(what): the error should name \(part); got: \(error.message)")
            }
            return
        }
        throw ConformanceFailure("\(what): expected an ArtifactStoreError, got success")
    }

    static func storedFileReadsBack(_ subject: Subject) async throws {
        let reference = try await subject.store.put(file: try write(Array("hello\n".utf8), in: subject))
        try expect(
            reference == "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
            "put(file:) of \"hello\\n\" returned \(reference)")
        try expect(try await subject.store.contains(reference), "contains(_:) after put")
        try expect(try await read(reference, from: subject.store) == Array("hello\n".utf8), "localPath(for:) content")
        try expect(try await read(reference, from: subject.store) == Array("hello\n".utf8), "a second read")
    }

    static func sameBytesOneObject(_ subject: Subject) async throws {
        let bytes = Array("same bytes".utf8)
        let first = try await subject.store.put(file: try write(bytes, in: subject))
        let second = try await subject.store.put(file: try write(bytes, in: subject))
        try expect(first == second, "two puts of the same bytes gave \(first) and \(second)")
        let listed = try await subject.store.list()
        try expect(listed.map(\.reference) == [first], "list() after two puts of the same bytes: \(listed)")
    }

    static func emptyAndLargeFiles(_ subject: Subject) async throws {
        let empty = try await subject.store.put(file: try write([], in: subject))
        try expect(
            empty == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty file: \(empty)")
        try expect(try await read(empty, from: subject.store).isEmpty, "the empty artifact read back")
        var generator = SeededRandomNumberGenerator(seed: 7)
        var large: [UInt8] = [1, 2, 3]
        for _ in 0..<(1 << 18) {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { large.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        let reference = try await subject.store.put(file: try write(large, in: subject))
        try expect(try await read(reference, from: subject.store) == large, "the 2 MiB artifact read back")
    }

    static func malformedReferences(_ subject: Subject) async throws {
        for bad in ["md5:abc", "sha256:" + String(repeating: "A", count: 64), "sha256:../../etc/passwd", ""] {
            try await expectFailure("localPath(for: \(bad))", containing: ["not an artifact reference"]) {
                _ = try await subject.store.localPath(for: bad)
            }
            try await expectFailure("contains(\(bad))", containing: ["not an artifact reference"]) {
                _ = try await subject.store.contains(bad)
            }
            try await expectFailure("delete(\(bad))", containing: ["not an artifact reference"]) {
                try await subject.store.delete(bad)
            }
        }
    }

    static func unknownReference(_ subject: Subject) async throws {
        let unknown = "sha256:" + String(repeating: "0", count: 64)
        try expect(try await !subject.store.contains(unknown), "contains(_:) of an unknown reference")
        try await expectFailure("localPath(for:) of an unknown reference", containing: [unknown, subject.store.location]) {
            _ = try await subject.store.localPath(for: unknown)
        }
    }

    static func corruptObject(_ subject: Subject) async throws {
        let reference = try await subject.store.put(file: try write(Array("the real content".utf8), in: subject))
        try await subject.overwrite(reference, Array("the fake content".utf8))
        try await expectFailure("reading a corrupt object", containing: [reference, subject.store.location, "corrupt"]) {
            _ = try await subject.store.localPath(for: reference)
        }
    }

    static func truncatedObject(_ subject: Subject) async throws {
        let content = Array(repeating: UInt8(ascii: "x"), count: 10_000)
        let reference = try await subject.store.put(file: try write(content, in: subject))
        try await subject.overwrite(reference, Array(content.prefix(4_000)))
        try await expectFailure("reading a truncated object", containing: [reference, "corrupt"]) {
            _ = try await subject.store.localPath(for: reference)
        }
    }

    static func listAndDelete(_ subject: Subject) async throws {
        try expect(try await subject.store.list().isEmpty, "list() of an empty store")
        let one = try await subject.store.put(file: try write(Array("one".utf8), in: subject))
        let two = try await subject.store.put(file: try write(Array("second".utf8), in: subject))
        let listed = try await subject.store.list()
        try expect(
            Set(listed.map { "\($0.reference) \($0.size)" }) == ["\(one) 3", "\(two) 6"], "list() sizes: \(listed)")
        try await subject.store.delete(one)
        try expect(try await !subject.store.contains(one), "contains(_:) after delete")
        try expect(try await subject.store.list().map(\.reference) == [two], "list() after delete")
        try await subject.store.delete(one)
        try await expectFailure("reading a deleted artifact", containing: [one]) {
            _ = try await subject.store.localPath(for: one)
        }
        try expect(try await read(two, from: subject.store) == Array("second".utf8), "the other artifact")
    }
}
