import Foundation
import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite struct LineageTests {
    @Test("a lineage's stored text is its JSON form's compact text, for every field")
    func storedTextIsTheCompactJSON() {
        let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)
        let lineages = [
            TaskLineage(startedAt: start),
            TaskLineage(
                kiln: "0.2.0-dev \"quoted\"", platform: "linux-x86_64", startedAt: Timestamp(nanosecondsSince1970: -5),
                files: [
                    "data/x.csv": FileFacts(digest: "sha256:ab", bytes: 1_180_839, rows: 20_000),
                    "é/model\n.json": FileFacts(digest: "sha256:cd", bytes: 0, rows: nil),
                ],
                seeds: [42, -1, 7, 42, 9_007_199_254_740_993]),
            TaskLineage(host: "gpu-1 \"β\"", startedAt: start, seeds: [1]),
        ]
        for lineage in lineages {
            #expect(lineage.storedText == lineage.json.compactJSON)
            #expect(JSONValue(parsing: lineage.storedText).flatMap(TaskLineage.init(json:)) != nil)
        }
        #expect(JSONValue(parsing: lineages[2].storedText).flatMap(TaskLineage.init(json:)) == lineages[2])
    }

    @Test("lineage stored without a host (before Kiln kept it) reads back with none; a host that is not text is malformed")
    func hostIsOptional() {
        let old = JSONValue(parsing: #"{"files":{},"kiln":"0.1.0","platform":"linux-x86_64","seeds":[],"started_at":"5"}"#)
        #expect(old.flatMap(TaskLineage.init(json:))?.host == nil)
        #expect(old.flatMap(TaskLineage.init(json:)) != nil)
        let bad = JSONValue(parsing: #"{"files":{},"host":7,"kiln":"0.1.0","platform":"linux-x86_64","seeds":[],"started_at":"5"}"#)
        #expect(bad.flatMap(TaskLineage.init(json:)) == nil)
    }

    @Test("a task's lineage holds the digest, size and rows of the files its inputs name, large ones included")
    func namedFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-lineage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Past `largeFiles` (4 MiB) the files are hashed on a thread of their own.
        let big = Data((0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: URL(fileURLWithPath: folder + "/big.bin"))
        try "a,b\n1,2\n3,4".write(toFile: folder + "/small.csv", atomically: true, encoding: .utf8)
        var kinds = TaskKindRegistry()
        kinds.register("read") { context in
            context.recordSeed(9)
            return [:]
        }
        let store = InMemoryStateStore()
        let start = Timestamp(millisecondsSince1970: 1_764_979_200_000)
        let executor = PipelineExecutor(store: store, kinds: kinds, clock: ManualClock(now: start))
        let run = try await executor.run(
            Plan(Pipeline(name: "lineage", tasks: [
                TaskSpec(id: "read", action: .uses("read", with: [
                    "data": "big.bin", "table": ["path": "small.csv"], "missing": "nowhere.csv", "folder": ".", "seed": 4,
                ])),
            ])),
            baseDirectory: folder)
        let lineage = try #require(try await store.tasks(of: run.id).first?.lineage)
        let reference = try await LocalArtifactStore(root: folder + "/artifacts").put(file: folder + "/big.bin")
        #expect(lineage.files.keys.sorted() == ["big.bin", "small.csv"])
        #expect(lineage.files["big.bin"] == FileFacts(digest: reference, bytes: 5 << 20, rows: nil))
        #expect(lineage.files["small.csv"]?.rows == 2)
        #expect(lineage.seeds == [4, 9])
        #expect(lineage.startedAt == start)
        #expect(lineage.host == RunOwner.thisHost, "the machine that ran the attempt")
        #expect(TaskLineage(json: lineage.json) == lineage)
    }
}
