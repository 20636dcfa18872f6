import Foundation
import Testing

@Suite("kiln CLI", .serialized) struct CLISmokeTests {
    @Test("runs the example pipeline, then serves the extract step from cache on a second run")
    func runsExample() async throws {
        let cli = try CLI()
        let pipeline = CLI.root.appendingPathComponent("examples/nightly/pipeline.yaml").path
        let first = try await cli.run(["run", pipeline, "--json"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let document = try #require(try first.json() as? [String: Any])
        #expect(document["state"] as? String == "succeeded")
        let tasks = try #require(document["tasks"] as? [String: [String: Any]])
        #expect(Set(tasks.keys) == ["extract", "feature-a", "feature-b", "train", "register", "alert"])
        #expect(tasks["register"]?["state"] as? String == "succeeded")
        #expect(tasks["alert"]?["state"] as? String == "skipped")
        #expect((tasks["extract"]?["outputs"] as? [String: Any])?["rows"] as? Int == 2000)
        #expect(first.stderr.contains("extract"))

        let second = try await cli.run(["run", pipeline, "--json", "--param", "min_f1=0.99"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let secondTasks = try #require((try second.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(secondTasks["extract"]?["state"] as? String == "cached")
        #expect(secondTasks["register"]?["state"] as? String == "skipped")
    }

    @Test("a CSV header and a --param that hold $(…) are printed by a shell: task, never run")
    func noInjectionThroughDataOrParams() async throws {
        let cli = try CLI()
        try cli.write("data.csv", "id,$(touch PWNED)\n1,2\n")
        let pipeline = try cli.write("inject.yaml", """
            name: inject
            params: { who: world }
            tasks:
              ex:
                uses: extract-csv
                with: { path: data.csv }
              show:
                needs: [ex]
                shell: 'echo "${{ tasks.ex.outputs.columns }}"; echo "hi ${{ params.who }}"'
            """)
        let result = try await cli.run(["run", pipeline, "--param", "who=$(touch PWNED2)", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require((try result.json() as? [String: Any])?["id"] as? String)
        let logs = try await cli.run(["logs", id, "show"])
        #expect(logs.stdout.contains(#"["id","$(touch PWNED)"]"#), "\(logs.stdout)")
        #expect(logs.stdout.contains("hi $(touch PWNED2)"), "\(logs.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.scratch.path)
        #expect(!files.contains("PWNED") && !files.contains("PWNED2"), "\(files)")
    }

    @Test("validate reports every problem with file:line:column and exits 2")
    func validate() async throws {
        let cli = try CLI()
        let path = try cli.write("bad.yaml", """
            name: broken
            tasks:
              extract:
                run: [echo, hi]
                retires: 3
              train:
                needs: [extract, evaluate]
                uses: noop
                with: { f1: "${{ tasks.extract.outputs.f1 >  }}" }
              evaluate:
                needs: [train]
                uses: noop
                timeout: 5 minutes
            """)
        let result = try await cli.run(["validate", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:5:5:"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("retries"))
        #expect(result.stderr.contains("cycle"))
        #expect(result.stderr.contains("bad.yaml:13:"))
        let good = try await cli.run(["validate", CLI.root.appendingPathComponent("examples/nightly/pipeline.yaml").path])
        #expect(good.status == 0)
    }

    @Test("a failed run exits 1, shows why, and resume finishes it with a fresh retry budget")
    func failThenResume() async throws {
        let cli = try CLI()
        let path = try cli.write("flaky.yaml", """
            name: flaky
            tasks:
              source: { uses: fail, with: { times: 1, rows: 3 } }
              after: { needs: [source], uses: noop, with: { rows: "${{ tasks.source.outputs.rows }}" } }
            """)
        let failed = try await cli.run(["run", path, "--json"])
        #expect(failed.status == 1)
        let document = try #require(try failed.json() as? [String: Any])
        #expect(document["state"] as? String == "failed")
        let id = try #require(document["id"] as? String)
        #expect(failed.stderr.contains("kiln resume \(id)"))

        let shown = try await cli.run(["show", String(id.prefix(15)), "--json"])
        #expect(shown.status == 0)
        #expect((try shown.json() as? [String: Any])?["id"] as? String == id)

        let resumed = try await cli.run(["resume", id, "--json"])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        let tasks = try #require((try resumed.json() as? [String: Any])?["tasks"] as? [String: [String: Any]])
        #expect(tasks["source"]?["attempts"] as? Int == 2)
        #expect((tasks["after"]?["outputs"] as? [String: Any])?["rows"] as? Int == 3)

        let logs = try await cli.run(["logs", id, "source"])
        #expect(logs.stdout.contains("attempt 1 failed"))
        let runs = try await cli.run(["runs", "--json"])
        #expect((try runs.json() as? [[String: Any]])?.count == 1)
    }

    @Test("exit codes: 2 for usage and unknown params, 0 for graph")
    func usage() async throws {
        let cli = try CLI()
        #expect(try await cli.run(["run"]).status == 2)
        #expect(try await cli.run(["frobnicate"]).status == 2)
        let pipeline = CLI.root.appendingPathComponent("examples/nightly/pipeline.yaml").path
        let unknown = try await cli.run(["run", pipeline, "--param", "min_f2=1"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'min_f1'"))
        let inexact = try await cli.run(["run", pipeline, "--param", "min_f1=[1, {\"n\": 9007199254740993}]"])
        #expect(inexact.status == 2)
        #expect(inexact.stderr.contains("--param min_f1: the integer 9007199254740993 is past 2^53"), "\(inexact.stderr)")
        let graph = try await cli.run(["graph", pipeline, "--format", "dot"])
        #expect(graph.status == 0)
        #expect(graph.stdout.contains("\"extract\" -> \"feature-a\";"))
        let mermaid = try await cli.run(["graph", pipeline])
        #expect(mermaid.stdout.hasPrefix("flowchart LR"))
    }

    @Test("cache list and clear")
    func cache() async throws {
        let cli = try CLI()
        let path = try cli.write("cached.yaml", """
            name: cached
            tasks:
              a: { uses: noop, with: { x: 1 }, cache: { key: inputs, expire: 1h } }
              b: { uses: noop, with: { y: 2 }, cache: { key: inputs } }
            """)
        #expect(try await cli.run(["run", path]).status == 0)
        let list = try await cli.run(["cache", "list", "--json"])
        #expect((try list.json() as? [[String: Any]])?.count == 2)
        #expect(try await cli.run(["cache", "clear"]).status == 2)
        #expect(try await cli.run(["cache", "clear", "--task", "a"]).stdout.contains("deleted 1 cache entry"))
        #expect(try await cli.run(["cache", "clear", "--all"]).stdout.contains("deleted 1 cache entry"))
    }
}
