import Foundation
import Testing

@Suite("kiln deployment crash recovery", .serialized) struct DeploymentCrashTests {
    /// `train` writes "model one" on the first run and "model two" after; `deploy` exports it, and its `on_deploy`
    /// hook sleeps (after the file is swapped in, before the alias moves) when the file `slow` exists.
    func pipeline(_ cli: CLI) throws -> String {
        try cli.write("deploy.yaml", """
            name: crashdeploy
            tasks:
              train:
                shell: if [ -f first.done ]; then echo "model two" > model.bin; else echo "model one" > model.bin; touch first.done; fi
              register:
                needs: [train]
                uses: register-model
                with: { name: toy, model: model.bin, metrics: { f1: 0.9 } }
              deploy:
                needs: [register]
                uses: deploy
                with:
                  name: toy
                  version: "${{ tasks.register.outputs.version }}"
                  export_to: serving/model.bin
                  on_deploy: [sh, -c, "if [ -f slow ]; then rm slow; echo $$ > hook.tmp && mv hook.tmp hook.pid; sleep 60; fi"]
            """)
    }

    /// The production version of `toy` and the bytes of its artifact, from `kiln models show toy --json`.
    func production(_ cli: CLI) async throws -> (version: Int?, bytes: Data?) {
        let shown = try await cli.run(["models", "show", "toy", "--json"])
        #expect(shown.status == 0, "stderr: \(shown.stderr)")
        let document = try #require(try shown.json() as? [String: Any])
        guard let version = (document["aliases"] as? [String: Int])?["production"] else { return (nil, nil) }
        let versions = try #require(document["versions"] as? [[String: Any]])
        let artifact = try #require(versions.first { $0["version"] as? Int == version }?["artifact"] as? String)
        let hex = artifact.dropFirst("sha256:".count)
        let path = cli.home.appendingPathComponent("artifacts/sha256/\(hex.prefix(2))/\(hex.dropFirst(2))").path
        return (version, FileManager.default.contents(atPath: path))
    }

    @Test("kill -9 while on_deploy runs (file swapped, alias not moved), then resume: file and production agree, no leftovers")
    func killDuringHookThenResume() async throws {
        let cli = try CLI()
        let path = try pipeline(cli)
        let serving = cli.scratch.appendingPathComponent("serving")
        let exported = serving.appendingPathComponent("model.bin").path
        let first = try await cli.run(["run", path, "--no-cache"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(FileManager.default.contents(atPath: exported) == Data("model one\n".utf8))

        try cli.write("slow", "")
        let process = try cli.start(["run", path, "--no-cache"])
        let pidFile = cli.scratch.appendingPathComponent("hook.pid").path
        #expect(await CLI.waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: pidFile) })
        // Meanwhile another process cannot move the alias: deployments of one alias run one at a time.
        let promote = try await cli.run(["models", "promote", "toy", "1"])
        #expect(promote.status == 1)
        #expect(promote.stderr.contains("alias 'production' of model 'toy' is being deployed already (to version 2, by run "))
        #expect(promote.stderr.contains("in process \(process.processIdentifier), since "))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(-pid, SIGKILL)  // the hook's sleep, orphaned by the kill
            }
        }
        // The crash left them apart: the new file is in place, production still on version 1.
        #expect(FileManager.default.contents(atPath: exported) == Data("model two\n".utf8))
        await #expect(try await production(cli).version == 1)

        let runs = try #require(try await cli.run(["runs", "--json"]).json() as? [[String: Any]])
        let id = try #require(runs.first { $0["state"] as? String == "running" }?["id"] as? String)
        let resumed = try await cli.run(["resume", id])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("kiln: recovered: toy production: the deployment of version 2"))

        let (version, bytes) = try await production(cli)
        #expect(version == 2)
        #expect(bytes != nil && FileManager.default.contents(atPath: exported) == bytes)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: serving.path).filter { $0 != "model.bin" }
        #expect(leftovers == [], "leftover files: \(leftovers)")
        // The killed run's hook (in its own process group) was stopped before the deploy task ran again.
        let hook = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        // Gone, or a zombie nobody reaped yet (its parent, the killed kiln, is gone): no longer running either way.
        let state = (try? String(contentsOfFile: "/proc/\(hook)/stat", encoding: .utf8))?
            .split(separator: ")").last?.split(separator: " ").first
        #expect(kill(hook, 0) != 0 || state == "Z", "the on_deploy hook of the killed run still runs")
    }
}
