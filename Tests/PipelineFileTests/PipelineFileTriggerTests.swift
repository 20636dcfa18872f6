import Foundation
import PipelineFile
import PipelineModel
import Testing

@Suite("Pipeline file: triggers")
struct PipelineFileTriggerTests {
    @Test("every trigger key is read into a TriggerSpec that survives the snapshot round trip")
    func fullSection() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: fraud
            triggers:
              schedule: "0 2 * * *"
              timezone: Asia/Seoul
              performance: { model: fraud-detection, metric: f1, below: 0.80, window: 24h, min_samples: 3 }
              data: { query: { sqlite: events.db, query: "SELECT count(*) FROM events" }, new_rows: 50000 }
              drift: { model: fraud-detection, current: data/incoming/, method: auto, share: 0.5 }
              upstream: [recommendation]
              combine: all
              cooldown: 6h
              max_active_runs: 2
              catch_up: none
            tasks:
              a: { uses: noop }
            """, path: "pipeline.yaml")
        let expected = TriggerSpec(
            schedule: "0 2 * * *", timezone: "Asia/Seoul",
            performance: PerformanceRule(model: "fraud-detection", metric: "f1", below: 0.8, window: "24h", minSamples: 3),
            data: DataRule(source: .query(sqlite: "events.db", query: "SELECT count(*) FROM events"), newRows: 50_000),
            drift: DriftRule(model: "fraud-detection", current: "data/incoming/", method: "auto", share: 0.5),
            upstream: ["recommendation"], combine: .all, cooldown: "6h", maxActiveRuns: 2, catchUp: .none)
        #expect(pipeline.triggers == expected)
        let decoded = try JSONDecoder().decode(Pipeline.self, from: try JSONEncoder().encode(pipeline))
        #expect(decoded == pipeline)
    }

    @Test("defaults: combine any, one active run, catch_up latest; path and command sources")
    func defaultsAndSources() throws {
        let path = try PipelineFile.parse(
            "name: p\ntriggers:\n  every: 6h\n  data: {path: data/incoming/, new_rows: 10}\ntasks:\n  a: {uses: noop}\n",
            path: "p.yaml")
        #expect(path.triggers == TriggerSpec(every: "6h", data: DataRule(source: .path("data/incoming/"), newRows: 10)))
        let command = try PipelineFile.parse(
            "name: p\ntriggers:\n  data: {command: [python3, count.py], new_rows: 1}\ntasks:\n  a: {uses: noop}\n",
            path: "p.yaml")
        #expect(command.triggers?.data?.source == .command(["python3", "count.py"]))
    }

    @Test("a snapshot stored before triggers existed decodes with none")
    func oldSnapshot() throws {
        let json = #"{"name":"nightly","params":{},"tasks":[]}"#
        #expect(try JSONDecoder().decode(Pipeline.self, from: Data(json.utf8)).triggers == nil)
        #expect(String(decoding: try JSONEncoder().encode(Pipeline(name: "n", tasks: [])), as: UTF8.self).contains("triggers") == false)
    }

    @Test("problems are located: unknown keys with suggestions, bad cron, bad time zone, durations, enums")
    func problems() {
        let found = located(diagnostics(
            """
            name: p
            triggers:
              schedule: "0 24 * * *"
              timezone: Asia/Seul
              performence: {}
              combine: some
              cooldown: 5
              catch_up: lastest
              max_active_runs: 0
              data: { path: x, query: {sqlite: a, query: b}, new_rows: 1 }
              performance: { model: m, metric: f1, window: 1 day }
            tasks:
              a: { uses: noop }
            """))
        #expect(found == [
            "3:16: schedule: invalid cron expression '0 24 * * *' at character 3: cron field 2 (hour) value 24 is out of range 0–23",
            "4:13: timezone: unknown time zone 'Asia/Seul'; use an IANA name such as UTC, Europe/London or America/New_York",
            "5:3: unknown key 'performence' in triggers (did you mean 'performance'?)",
            "6:12: combine 'some' is not one of: any, all",
            "7:13: cooldown: invalid duration '5': the number 5 has no unit; write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m",
            "8:13: catch_up 'lastest' is not one of: latest, none, all (did you mean 'latest'?)",
            "9:20: max_active_runs must be a whole number of at least 1",
            "10:3: data takes one of path:, query: or command:, not path and query",
            "11:3: performance needs 'below', e.g. below: 0.8",
            "11:48: window: invalid duration '1 day': the number 1 has no unit; write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m",
        ])
    }

    @Test("monitoring keys: drift on predictions / both, performance on labelled data with a time column")
    func monitoringKeys() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: fraud
            triggers:
              performance: { model: fraud, metric: f1, below: 0.8, data: data/labelled/, window: 7d, time_column: labelled_at, min_samples: 500 }
              drift: { model: fraud, current: data/incoming/, on: predictions, method: psi }
            tasks:
              a: { uses: noop }
            """, path: "pipeline.yaml")
        #expect(pipeline.triggers?.performance == PerformanceRule(
            model: "fraud", metric: "f1", below: 0.8, window: "7d", minSamples: 500, data: "data/labelled/",
            timeColumn: "labelled_at"))
        #expect(pipeline.triggers?.drift == DriftRule(model: "fraud", current: "data/incoming/", method: "psi", on: .predictions))
        let decoded = try JSONDecoder().decode(Pipeline.self, from: try JSONEncoder().encode(pipeline))
        #expect(decoded == pipeline)
        // A snapshot stored before `on` existed reads as columns.
        let old = #"{"model":"m","current":"c","method":"auto","share":0.5}"#
        #expect(try JSONDecoder().decode(DriftRule.self, from: Data(old.utf8)).on == .columns)
    }

    @Test("monitoring keys: problems are located")
    func monitoringProblems() {
        let found = located(diagnostics(
            """
            name: p
            triggers:
              drift: { model: m, current: c, on: outputs }
              performance: { model: m, metric: mse, below: 0.8, data: d/ }
            tasks:
              a: { uses: noop }
            """))
        #expect(Set(found) == [
            "3:38: on must be one of columns, predictions, both, e.g. on: predictions",
            "4:36: metric 'mse' cannot be measured on labelled data (d/); use one of accuracy, auc, f1, pr_auc, precision, recall",
        ], "\(found)")
        let orphan = located(diagnostics(
            "name: p\ntriggers:\n  performance: { model: m, metric: f1, below: 0.8, time_column: t }\ntasks:\n  a: { uses: noop }\n"))
        #expect(orphan == ["3:52: time_column applies with data: only; add data: data/labelled/ or remove it"], "\(orphan)")
    }
}
