import Foundation
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite
import SQLiteData
import Testing

@Suite("Row counting for data: rules")
struct RowCounterTests {
    static func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in/sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.path)
    }

    @Test("CSV data rows of a file, a folder (recursively) and a glob; headers, blank lines and quoted line breaks")
    func csvRows() throws {
        try Self.withFolder { base in
            try "id,text\n1,a\n2,\"two\nlines\"\n\n3,c".write(toFile: base + "/in/a.csv", atomically: true, encoding: .utf8)
            try "id\n1\n2\n".write(toFile: base + "/in/sub/b.csv", atomically: true, encoding: .utf8)
            try "not counted\n".write(toFile: base + "/in/notes.txt", atomically: true, encoding: .utf8)
            let counter = RowCounter()
            #expect(try counter.count(.path("in/a.csv"), baseDirectory: base, asOf: nil) == 3)
            #expect(try counter.count(.path("in/"), baseDirectory: base, asOf: nil) == 5)
            #expect(try counter.count(.path("in/*.csv"), baseDirectory: base, asOf: nil) == 3)
            #expect(try counter.count(.path("missing/"), baseDirectory: base, asOf: nil) == 0)
        }
    }

    @Test("as of a past time only files modified by then count; queries and commands cannot be asked about the past")
    func asOf() throws {
        try Self.withFolder { base in
            try "id\n1\n".write(toFile: base + "/in/old.csv", atomically: true, encoding: .utf8)
            try "id\n1\n2\n".write(toFile: base + "/in/new.csv", atomically: true, encoding: .utf8)
            let old = Date(timeIntervalSince1970: 1_700_000_000)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: base + "/in/old.csv")
            let counter = RowCounter()
            let then = Timestamp(nanosecondsSince1970: 1_700_000_100 * 1_000_000_000)
            #expect(try counter.count(.path("in/"), baseDirectory: base, asOf: then) == 1)
            #expect(try counter.count(.command(["echo", "7"]), baseDirectory: base, asOf: then) == nil)
        }
    }

    @Test("a command's printed number and an SQLite query's count")
    func commandAndQuery() throws {
        try Self.withFolder { base in
            let counter = RowCounter(sqliteCount: { file, query in try SQLiteCount.count(file: file, query: query) })
            #expect(try counter.count(.command(["echo", "61,200"]), baseDirectory: base, asOf: nil) == 61_200)
            #expect(throws: RowCountError.self) { try counter.count(.command(["echo", "many"]), baseDirectory: base, asOf: nil) }
            _ = try SQLiteStateStore(path: base + "/events.db")  // any SQLite file with a table
            #expect(try counter.count(
                .query(sqlite: "events.db", query: "SELECT count(*) + 41 FROM runs"), baseDirectory: base, asOf: nil) == 41)
        }
    }
}
