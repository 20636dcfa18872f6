import Foundation
import PipelineEngine
import PipelineModel
import Testing

@Suite struct LocalArtifactStoreTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-artifacts-\(UUID().uuidString)").path

    @Test("stores files by content: same bytes, same reference and one copy")
    func contentAddressed() async throws {
        let store = LocalArtifactStore(root: root)
        let source = root + "-source.txt"
        try "hello\n".write(toFile: source, atomically: true, encoding: .utf8)
        let reference = try await store.put(file: source)
        #expect(reference == "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        #expect(try await store.put(file: source) == reference)
        #expect(try String(contentsOfFile: try store.path(for: reference), encoding: .utf8) == "hello\n")
    }

    @Test("rejects malformed and unknown references with a clear message")
    func badReferences() throws {
        let store = LocalArtifactStore(root: root)
        #expect(throws: ArtifactStoreError.self) { try store.path(for: "md5:abc") }
        #expect {
            try store.path(for: "sha256:" + String(repeating: "0", count: 64))
        } throws: { error in
            "\(error)".contains("is not in \(root)")
        }
    }
}
