import Foundation
import Testing

/// The CLI's own errors (options, arguments, files, registry) read like the library ones: a short sentence on stderr,
/// never a printed Swift or Foundation error value. `ErrorMessagesTests` checks the library error types.
@Suite("CLI error output")
struct ErrorOutputTests {
    /// Text that only appears when an error value is printed as it is.
    static let dumpMarkers = [
        "DecodingError", "EncodingError", "dataCorrupted", "Context(", "codingPath", "Debug description:",
        "NSCocoaErrorDomain", "Error Domain=", "UserInfo=", "CocoaError", "Optional(",
    ]

    @Test("bad options, arguments and files give at most two lines of error, and no printed error value")
    func shortHumanErrors() async throws {
        let cli = try CLI()
        let pipeline = CLI.root.appendingPathComponent("examples/nightly/pipeline.yaml").path
        let garbage = try cli.write("garbage.json", "{\"not\": [1, 2")
        let csv = try cli.write("data.csv", "a,b\n1,2\n3,4\n")
        let ragged = try cli.write("ragged.csv", "a,b\n1,2\n3\n")
        let invocations: [[String]] = [
            ["run", cli.scratch.appendingPathComponent("missing.yaml").path],
            ["run", pipeline, "--param", "nameonly"],
            ["run", pipeline, "--parallelism", "0"],
            ["data", "profile", cli.scratch.appendingPathComponent("missing.csv").path],
            ["data", "profile", ragged],
            ["drift", csv, garbage],
            ["drift", csv, csv, "--method", "nonsense"],
            ["models", "show", "no-such-model"],
            ["serve", pipeline, "--tick", "1.5h"],
            ["triggers", pipeline, "--at", "2026-02-30T00:00:00Z"],
            ["resume", "no-such-run"],
            ["logs", "no-such-run", "task"],
        ]
        for arguments in invocations {
            let result = try await cli.run(arguments)
            #expect(result.status != 0, "kiln \(arguments.joined(separator: " ")) succeeded")
            // ArgumentParser follows a usage error with the usage and a pointer to --help; those are not the message.
            let lines = result.stderr.split(separator: "\n").map(String.init).filter {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See '")
            }
            #expect(!lines.isEmpty && lines.count <= 2, "kiln \(arguments.joined(separator: " ")):\n\(result.stderr)")
            for marker in Self.dumpMarkers where result.stderr.contains(marker) {
                Issue.record("kiln \(arguments.joined(separator: " ")) printed an error value ('\(marker)'):\n\(result.stderr)")
            }
        }
    }
}
