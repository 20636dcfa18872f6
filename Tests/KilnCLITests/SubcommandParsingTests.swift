import Foundation
import Testing

/// `kiln SUBCOMMAND …` is parsed with the subcommand as the root (skipping Argument Parser's completion-script
/// check); whatever does not parse that way is parsed again from `kiln`, so help, usage errors and completion scripts
/// read exactly as before.
@Suite("Subcommand parsing")
struct SubcommandParsingTests {
    static let subcommands = [
        "run", "validate", "graph", "runs", "show", "logs", "resume", "approve", "reject", "cache", "models",
        "reproduce", "data", "drift", "predict", "trigger", "triggers", "serve", "worker", "metrics", "test", "gc",
    ]

    @Test("`kiln SUB --help` prints what `kiln help SUB` prints, for every subcommand")
    func helpIsTheSame() async throws {
        let cli = try CLI()
        for name in Self.subcommands {
            let help = try await cli.run(["help", name])
            let flag = try await cli.run([name, "--help"])
            #expect(help.status == 0 && flag.status == 0, "kiln \(name) --help: \(flag.stderr)")
            #expect(flag.stdout == help.stdout, "kiln \(name) --help differs from kiln help \(name)")
            #expect(flag.stdout.contains("USAGE: kiln \(name)"), "\(flag.stdout)")
            #expect(flag.stdout.contains("--version"), "kiln \(name) --help lost kiln's --version:\n\(flag.stdout)")
        }
        let nested = try await cli.run(["models", "list", "-h"])
        #expect(nested.stdout == (try await cli.run(["help", "models", "list"])).stdout)
    }

    @Test("usage errors and completion scripts of a subcommand are reported from the top, as before")
    func errorsAndCompletions() async throws {
        let cli = try CLI()
        let unknown = try await cli.run(["run", "--no-such-option", "p.yaml"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Error: Unknown option '--no-such-option'"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("Usage: kiln run"), "\(unknown.stderr)")

        let invalid = try await cli.run(["runs", "--limit", "0"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("--limit must be at least 1"), "\(invalid.stderr)")

        let completion = try await cli.run(["run", "--generate-completion-script", "bash"])
        #expect(completion.status == 0)
        #expect(completion.stdout == (try await cli.run(["--generate-completion-script", "bash"])).stdout)
        #expect(completion.stdout.contains("complete"), "\(completion.stdout.prefix(200))")
    }
}
