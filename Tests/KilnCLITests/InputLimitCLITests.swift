import Foundation
import Testing

/// Bad input reaches the user as a located message and exit code 2: never a trap, a hang or a Swift error dump.
@Suite("kiln input limits", .serialized) struct InputLimitCLITests {
    @Test("kiln run of a 106751d timeout exits 2 with the located message (it crashed in SystemClock.sleep)")
    func longTimeout() async throws {
        let cli = try CLI()
        let file = try cli.write("pipeline.yaml", "name: p\ntasks:\n  a:\n    run: [echo, hi]\n    timeout: 106751d\n")
        for command in ["validate", "run"] {
            let result = try await cli.run([command, file])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(
                result.stderr.contains(
                    "pipeline.yaml:5:14: error: timeout: invalid duration '106751d': it is longer than 100 years "
                        + "(36500d), the longest duration Kiln accepts; use a shorter one"),
                "\(command): \(result.stderr)")
        }
    }

    @Test("kiln run of a 100,000-'!' condition exits 2 with the located message (it crashed with SIGSEGV)")
    func deepCondition() async throws {
        let cli = try CLI()
        let nots = String(repeating: "!", count: 100_000)
        let file = try cli.write("pipeline.yaml", "name: p\ntasks:\n  a:\n    if: ${{ \(nots)true }}\n    run: [echo, hi]\n")
        let result = try await cli.run(["run", file])
        #expect(result.status == 2, "\(result.stderr.prefix(2000))")
        #expect(
            result.stderr.contains("pipeline.yaml:4:12: error: the expression is 100006 characters long, more than the limit"),
            "\(result.stderr.prefix(2000))")
    }

    @Test("an integer past 2^53 or .inf in params is a located error, not a rounded argv or an EncodingError dump")
    func numbers() async throws {
        let cli = try CLI()
        let file = try cli.write(
            "pipeline.yaml",
            "name: p\nparams: {id: 12345678901234567, x: .inf}\ntasks:\n  a:\n    run: [echo, \"${{ params.id }}\"]\n")
        let result = try await cli.run(["run", file])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("pipeline.yaml:2:14: error: the integer 12345678901234567 is too large"), "\(result.stderr)")
        #expect(result.stderr.contains("pipeline.yaml:2:36: error: .inf is not a finite number"), "\(result.stderr)")
        #expect(!result.stderr.contains("EncodingError") && !result.stdout.contains("e+16"), "\(result.stderr)")
    }

    @Test(
        "time options outside 1970…2261 or naming impossible dates exit 2 with one line",
        arguments: [
            (["triggers", "FILE", "--at", "1600-01-01"],
             "kiln: error: --at: invalid time '1600-01-01': it is outside the supported range"),
            (["triggers", "FILE", "--at", "2026-02-30"],
             "kiln: error: --at: invalid time '2026-02-30': day 30 does not exist in 2026-02, which has 28 days"),
            (["triggers", "backtest", "FILE", "--from", "2026-01-01", "--to", "2300-01-01"],
             "kiln: error: --to: invalid time '2300-01-01': it is outside the supported range"),
            (["metrics", "push", "m", "f1=0.5", "--at", "9999-12-31"],
             "kiln: error: --at: invalid time '9999-12-31': it is outside the supported range"),
        ])
    func times(arguments: [String], message: String) async throws {
        let cli = try CLI()
        let file = try cli.write("pipeline.yaml", "name: p\ntasks:\n  a: {run: [echo]}\ntriggers:\n  every: 1h\n")
        let result = try await cli.run(arguments.map { $0 == "FILE" ? file : $0 })
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("kiln serve --tick 1000000d exits 2 with one line (it trapped on overflow)")
    func serveTick() async throws {
        let cli = try CLI()
        let result = try await cli.run(["serve", cli.scratch.path, "--tick", "1000000d"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr == "kiln: error: --tick: invalid duration '1000000d': it is longer than 100 years (36500d), "
                + "the longest duration Kiln accepts; use a shorter one\n")
    }
}
