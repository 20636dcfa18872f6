import Foundation
import Testing

/// What `kiln run` prints when stderr is a file or a pipe: every change for small runs, a compact view for wide ones.
@Suite("Progress output")
struct ProgressOutputTests {
    /// One source, `width` tasks after it (one of which fails), one fan-in that runs always.
    static func wide(width: Int, failing: Int?) -> String {
        var text = "name: wide\ntasks:\n  source:\n    uses: noop\n"
        for index in 0..<width {
            let kind = index == failing ? "fail\n    with: { times: 9 }" : "noop"
            text += "  work-\(index):\n    needs: [source]\n    uses: \(kind)\n"
        }
        text += "  fan-in:\n    needs: [" + (0..<width).map { "work-\($0)" }.joined(separator: ", ") + "]\n"
        text += "    if: ${{ always() }}\n    uses: noop\n"
        return text
    }

    @Test("a wide run shows failures and counts, not a line per task; --verbose shows every change")
    func wideRunIsCompact() async throws {
        let cli = try CLI()
        let path = try cli.write("wide.yaml", Self.wide(width: 60, failing: 7))
        let compact = try await cli.run(["run", path, "--parallelism", "2"])
        #expect(compact.status == 1, "stderr: \(compact.stderr)")
        let lines = compact.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count < 20, "\(lines.count) lines:\n\(compact.stderr)")
        #expect(lines.contains { $0.hasPrefix("work-7") && $0.contains("failed after 1 attempt") }, "\(compact.stderr)")
        #expect(!lines.contains { $0.hasPrefix("work-8") }, "\(compact.stderr)")
        #expect(lines.contains { $0.hasPrefix("progress: ") && $0.contains("succeeded 61") && $0.contains("failed 1") },
                "\(compact.stderr)")
        #expect(lines.contains { $0.contains("--verbose") }, "\(compact.stderr)")

        let verbose = try await cli.run(["run", path, "--parallelism", "2", "--verbose"])
        #expect(verbose.status == 1)
        let detailed = verbose.stderr.split(separator: "\n")
        #expect(detailed.filter { $0.hasPrefix("work-") && $0.contains("succeeded in") }.count == 59, "\(verbose.stderr)")
        #expect(detailed.filter { $0.hasPrefix("work-") && $0.contains("running (attempt 1)") }.count == 60)
    }

    @Test("a small run still shows every change")
    func smallRunShowsEveryChange() async throws {
        let cli = try CLI()
        let path = try cli.write("small.yaml", Self.wide(width: 5, failing: nil))
        let result = try await cli.run(["run", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let taskLines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("run ") && $0.contains("succeeded in") }
        #expect(taskLines.count == 7, "\(result.stderr)")
        #expect(!result.stderr.contains("progress: "))
    }
}
