import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Testing

@Suite("CommandTaskKind output streaming")
struct CommandTaskKindStreamingTests {
    @Test("stdout and stderr lines are logged in order per stream, including a last line without newline")
    func linesInOrder() async throws {
        let recorder = LogRecorder()
        let script = "echo out1; echo err1 >&2; echo; echo out2; echo err2 >&2; printf 'out3'; printf 'err3' >&2"
        _ = try await CommandTaskKind().run(makeContext(.shell(script), recorder: recorder))
        #expect(recorder.lines(.stdout) == ["out1", "", "out2", "out3"])
        #expect(recorder.lines(.stderr) == ["err1", "err2", "err3"])
    }

    @Test("a large output arrives complete and in order")
    func largeOutput() async throws {
        let recorder = LogRecorder()
        _ = try await CommandTaskKind().run(makeContext(.run(["seq", "1", "100000"]), recorder: recorder))
        let lines = recorder.lines(.stdout)
        #expect(lines.count == 100_000)
        #expect(lines == (1...100_000).map(String.init))
    }

    @Test("lines are logged as they arrive, while the process still runs")
    func linesAreStreamed() async throws {
        try await withTemporaryDirectory { directory in
            let recorder = LogRecorder()
            // The script only finishes once the test has seen its first line and created `go`.
            let script = "echo ready; i=0; while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo finished"
            let context = makeContext(.shell(script), workingDirectory: directory, recorder: recorder)
            async let run = CommandTaskKind().run(context)
            #expect(await eventually { recorder.lines(.stdout) == ["ready"] })
            #expect(FileManager.default.createFile(atPath: directory + "/go", contents: nil))
            _ = try await run
            #expect(recorder.lines(.stdout) == ["ready", "finished"])
        }
    }

    @Test("CRLF and lone CR end lines; invalid UTF-8 is replaced")
    func lineBreaks() async throws {
        let recorder = LogRecorder()
        _ = try await CommandTaskKind().run(makeContext(.run(["printf", "a\r\nb\rc\n\\377d\n"]), recorder: recorder))
        #expect(recorder.lines(.stdout) == ["a", "b", "c", "\u{FFFD}d"])
    }

    @Test("a very long line is cut at the limit, on a character boundary, and the next line is intact")
    func longLinesAreCapped() async throws {
        let recorder = LogRecorder()
        let kind = CommandTaskKind(maxLineBytes: 10)
        // "123456789é..." : é is two bytes at offsets 9-10, so the cut steps back to 9 bytes.
        let script = "printf '123456789é%0200000d\\n' 0; echo next; printf '%070000d' 0"
        _ = try await kind.run(makeContext(.shell(script), recorder: recorder))
        #expect(recorder.lines(.stdout) == [
            "123456789 [line truncated at 10 bytes]", "next", "0000000000 [line truncated at 10 bytes]",
        ])
    }

    @Test("the default limit keeps 64 KiB of a line")
    func defaultLimit() async throws {
        let recorder = LogRecorder()
        _ = try await CommandTaskKind().run(makeContext(.shell("printf '%0100000d\\n' 0; printf '%065536d\\n' 0"), recorder: recorder))
        let lines = recorder.lines(.stdout)
        #expect(lines.count == 2)
        #expect(lines.first == String(repeating: "0", count: 65536) + " [line truncated at 65536 bytes]")
        #expect(lines.last == String(repeating: "0", count: 65536))
    }
}
