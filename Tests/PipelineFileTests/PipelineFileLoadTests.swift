import Foundation
import PipelineFile
import PipelineModel
import Testing

@Suite struct PipelineFileLoadTests {
    /// A fresh temporary directory for one test.
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-file-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("load and loadPlan read a file; diagnostics name it")
    func loadsFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.yaml").path
        try "name: p\ntasks:\n  a: {run: [echo, hi]}\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try PipelineFile.load(path: good).tasks.map(\.id) == ["a"])
        #expect(try PipelineFile.loadPlan(path: good, knownKinds: []).order == [0])

        let bad = directory.appendingPathComponent("bad.yaml").path
        try "name: p\ntasks:\n  a: {run: [echo], retries: x}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: PipelineFileError.self) { try PipelineFile.load(path: bad) }
        do {
            _ = try PipelineFile.loadPlan(path: bad, knownKinds: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(bad):3:29: error: retries must be a whole number ≥ 0")
        }
    }

    @Test("a symbolic link to a pipeline file reads as the file; one to a directory or to nothing does not")
    func symbolicLinks() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pipeline.yaml").path
        try "name: p\ntasks:\n  a: {run: [echo, hi]}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let link = directory.appendingPathComponent("link.yaml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        #expect(try PipelineFile.load(path: link).tasks.map(\.id) == ["a"])

        let toDirectory = directory.appendingPathComponent("dir.yaml").path
        try FileManager.default.createSymbolicLink(atPath: toDirectory, withDestinationPath: directory.path)
        let dangling = directory.appendingPathComponent("dangling.yaml").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.path + "/gone.yaml")
        for (path, message) in [
            (toDirectory, "cannot read the pipeline file: it is a directory"),
            (dangling, "cannot read the pipeline file: no such file"),
        ] {
            #expect(throws: PipelineFileError(diagnostics: [.init(path: path, line: 1, column: 1, message: message)])) {
                try PipelineFile.load(path: path)
            }
        }
    }

    @Test("a missing, unreadable or non-UTF-8 file is one diagnostic at line 1")
    func unreadableFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.yaml").path
        let binary = directory.appendingPathComponent("binary.yaml").path
        try Data([0x6E, 0x61, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary))

        let cases = [
            (missing, "cannot read the pipeline file: no such file"),
            (directory.path, "cannot read the pipeline file: it is a directory"),
            (binary, "cannot read the pipeline file: it is not UTF-8 text"),
        ]
        for (path, message) in cases {
            do {
                _ = try PipelineFile.load(path: path)
                Issue.record("expected an error for \(path)")
            } catch {
                #expect(error.diagnostics == [.init(path: path, line: 1, column: 1, message: message)])
            }
        }
    }
}
