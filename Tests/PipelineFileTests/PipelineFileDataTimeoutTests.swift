import Foundation
import PipelineFile
import PipelineModel
import Testing

@Suite("Pipeline file: the data rule's command timeout")
struct PipelineFileDataTimeoutTests {
    @Test("timeout: is read for a command source and survives the snapshot round trip")
    func readsTimeout() throws {
        let pipeline = try PipelineFile.parse(
            "name: p\ntriggers:\n  data: {command: [sh, count.sh], new_rows: 1, timeout: 5s}\ntasks:\n  a: {uses: noop}\n",
            path: "p.yaml")
        #expect(pipeline.triggers?.data == DataRule(source: .command(["sh", "count.sh"]), newRows: 1, timeout: "5s"))
        let decoded = try JSONDecoder().decode(Pipeline.self, from: try JSONEncoder().encode(pipeline))
        #expect(decoded == pipeline)
        let old = #"{"source":{"command":{"_0":["true"]}},"new_rows":3}"#
        #expect(try JSONDecoder().decode(DataRule.self, from: Data(old.utf8)).timeout == nil)
    }

    @Test("a bad, zero, too long or misplaced timeout is located")
    func problems() {
        let found = located(diagnostics(
            """
            name: p
            triggers:
              data: { command: [sh, count.sh], new_rows: 1, timeout: 2h }
            tasks:
              a: { uses: noop }
            """))
        #expect(found == ["3:58: timeout must be more than 0 and at most 1h, e.g. timeout: 2m"])
        let misplaced = located(diagnostics(
            "name: p\ntriggers:\n  data: { path: x/, new_rows: 1, timeout: 5s }\ntasks:\n  a: { uses: noop }\n"))
        #expect(misplaced == ["3:34: timeout applies to command: only; remove it, or count rows with a command"])
        let bad = located(diagnostics(
            "name: p\ntriggers:\n  data: { command: [x], new_rows: 1, timeout: soon }\ntasks:\n  a: { uses: noop }\n"))
        #expect(bad.count == 1 && bad[0].hasPrefix("3:47: timeout: invalid duration 'soon'"), "\(bad)")
    }
}
