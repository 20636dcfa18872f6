import PipelineFile
import PipelineModel
import Testing

@Suite struct PipelineFileParsingTests {
    static let example = """
        name: nightly                     # required
        description: optional text
        params:                           # defaults; any YAML values (converted to JSONValue)
          source: data/raw.csv
          min_f1: 0.85
        defaults:                         # any task field, applied to every task unless the task sets it
          timeout: 30m
        tasks:                            # a map; key = task id, [a-z0-9][a-z0-9_-]*; order of the file is kept
          extract:
            run: [python3, extract.py, --source, "${{ params.source }}"]
            retries: 3
            retry_delay: 5m
            retry_backoff: 2.0
            retry_max_delay: 1h
            retry_jitter: 0.1
            cache:
              key: inputs                 # the only key kind for now; required when cache is a map
              expire: 1h
              version: "2"                # optional string mixed into the key
          feature-a:
            needs: [extract]              # list of ids (a single string also accepted)
            run: [python3, features.py, a, "${{ tasks.extract.outputs.path }}"]
          register:
            needs: [train]
            if: ${{ tasks.train.outputs.f1 > params.min_f1 }}
            run: [python3, register.py]
          alert:
            needs: [register]
            if: ${{ failure() }}
            shell: echo "pipeline failed" >&2
          noop-task:
            uses: noop
            with: { rows: "${{ tasks.extract.outputs.rows }}", nested: {a: [1, 2]} }
            env: { MODE: fast }
            workdir: scripts
        """

    @Test("the reference example parses into the expected pipeline, field by field")
    func referenceExample() throws {
        let pipeline = try PipelineFile.parse(Self.example, path: "pipeline.yaml")
        #expect(pipeline.name == "nightly")
        #expect(pipeline.description == "optional text")
        #expect(pipeline.params == ["source": "data/raw.csv", "min_f1": 0.85])
        #expect(pipeline.tasks.map(\.id) == ["extract", "feature-a", "register", "alert", "noop-task"])

        let extract = try #require(pipeline.task("extract"))
        #expect(extract.action == .run(["python3", "extract.py", "--source", "${{ params.source }}"]))
        #expect(extract.needs == [])
        #expect(extract.condition == nil)
        #expect(extract.retry == RetryPolicy(retries: 3, delay: .seconds(300), backoff: 2, maxDelay: .seconds(3600), jitter: 0.1))
        #expect(extract.cache == CachePolicy(expire: .seconds(3600), version: "2"))
        #expect(extract.timeout == .seconds(1800))

        let features = try #require(pipeline.task("feature-a"))
        #expect(features.needs == ["extract"])
        #expect(features.action == .run(["python3", "features.py", "a", "${{ tasks.extract.outputs.path }}"]))
        #expect(features.retry == RetryPolicy())
        #expect(features.cache == nil)

        let register = try #require(pipeline.task("register"))
        #expect(register.needs == ["train"])
        #expect(register.condition == "${{ tasks.train.outputs.f1 > params.min_f1 }}")

        let alert = try #require(pipeline.task("alert"))
        #expect(alert.condition == "${{ failure() }}")
        #expect(alert.action == .shell("echo \"pipeline failed\" >&2"))

        let noop = try #require(pipeline.task("noop-task"))
        #expect(noop.action == .uses("noop", with: ["rows": "${{ tasks.extract.outputs.rows }}", "nested": ["a": [1, 2]]]))
        #expect(noop.env == ["MODE": "fast"])
        #expect(noop.workdir == "scripts")
        #expect(noop.timeout == .seconds(1800))

        #expect(
            pipeline
                == Pipeline(
                    name: "nightly", description: "optional text", params: ["source": "data/raw.csv", "min_f1": 0.85],
                    tasks: [extract, features, register, alert, noop]))
    }

    @Test("defaults apply to every task, and a field set on a task overrides them")
    func defaultsApplyAndAreOverridden() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            defaults:
              timeout: 10m
              retries: 2
              retry_delay: 1s
              env: {MODE: slow}
              workdir: jobs
              cache: {key: inputs, expire: 1d}
              if: ${{ always() }}
            tasks:
              plain:
                run: [a]
              custom:
                run: [b]
                timeout: 1h
                retries: 0
                env: {MODE: fast}
                workdir: other
                cache: false
                if: ${{ success() }}
            """, path: "pipeline.yaml")
        let plain = try #require(pipeline.task("plain"))
        #expect(plain.timeout == .seconds(600))
        #expect(plain.retry == RetryPolicy(retries: 2, delay: .seconds(1)))
        #expect(plain.env == ["MODE": "slow"])
        #expect(plain.workdir == "jobs")
        #expect(plain.cache == CachePolicy(expire: .seconds(86_400)))
        #expect(plain.condition == "${{ always() }}")

        let custom = try #require(pipeline.task("custom"))
        #expect(custom.timeout == .seconds(3600))
        #expect(custom.retry == RetryPolicy(retries: 0, delay: .seconds(1)))
        #expect(custom.env == ["MODE": "fast"])
        #expect(custom.workdir == "other")
        #expect(custom.cache == nil)
        #expect(custom.condition == "${{ success() }}")
    }

    @Test("a default action applies only to tasks that set none of run, shell or uses")
    func defaultAction() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            defaults:
              uses: noop
              with: {rows: 1}
            tasks:
              a: {}
              b: {with: {rows: 2}}
              c: {run: [echo]}
            """, path: "pipeline.yaml")
        #expect(pipeline.task("a")?.action == .uses("noop", with: ["rows": 1]))
        #expect(pipeline.task("b")?.action == .uses("noop", with: ["rows": 2]))
        #expect(pipeline.task("c")?.action == .run(["echo"]))
    }

    @Test("with: values keep their YAML types; quoted scalars stay strings")
    func inputTypes() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            tasks:
              a:
                uses: noop
                with:
                  int: 3
                  quoted: "3"
                  single: '3'
                  float: 2.5
                  exponent: 1e3
                  hex: 0x10
                  yes-is-text: yes
                  date-is-text: 2024-01-01
                  bool: true
                  null: ~
                  empty:
                  tagged: !!str 42
                  list: [1, two, false]
                  map: {k: v}
                  block: |
                    line one
                    line two
                  after: end
            """, path: "pipeline.yaml")
        guard case .uses(_, let inputs) = try #require(pipeline.task("a")).action else {
            Issue.record("expected a uses action")
            return
        }
        let expected: [String: JSONValue] = [
            "int": 3, "quoted": "3", "single": "3", "float": 2.5, "exponent": 1000, "hex": 16, "yes-is-text": "yes",
            "date-is-text": "2024-01-01", "bool": true, "null": nil, "empty": nil, "tagged": "42",
            "list": [1, "two", false], "map": ["k": "v"], "block": "line one\nline two\n", "after": "end",
        ]
        #expect(inputs == expected)
    }

    @Test("plain scalars follow the YAML 1.2 core schema, whatever their first character")
    func coreSchemaSpellings() throws {
        let spellings: [(String, JSONValue)] = [
            ("TRUE", true), ("False", false), ("NULL", nil), ("Null", nil), ("~", nil), ("+1", 1), ("-2.5e3", -2500), (".5", 0.5), ("0o17", 15), ("1E2", 100),
            ("e5", "e5"), ("E", "E"), ("Yes", "Yes"), ("nothing", "nothing"), ("tree", "tree"), ("fast", "fast"),
            ("inf", "inf"), ("nan", "nan"), ("Infinity", "Infinity"), ("-x", "-x"), ("+x", "+x"), ("1.2.3", "1.2.3"),
            ("é1", "é1"), ("null-ish", "null-ish"), ("truely", "truely"), ("~x", "~x"), ("-7", -7), ("007", 7),
            ("123456789012345", 123_456_789_012_345), ("-1234567890123456", -1_234_567_890_123_456), ("0x1F", 31),
        ]
        let lines = spellings.enumerated().map { "          v\($0.offset): \($0.element.0)" }.joined(separator: "\n")
        let pipeline = try PipelineFile.parse(
            "name: p\ntasks:\n  a:\n    uses: noop\n    with:\n" + lines + "\n", path: "pipeline.yaml")
        guard case .uses(_, let inputs) = try #require(pipeline.task("a")).action else {
            Issue.record("expected a uses action")
            return
        }
        for (index, (text, expected)) in spellings.enumerated() {
            #expect(inputs["v\(index)"] == expected, "\(text)")
        }
        // Infinities are numbers, which a JSON value cannot hold: refused, not read as text.
        for text in [".Inf", "-.inf", ".NAN"] {
            let found = diagnostics("name: p\ntasks:\n  a:\n    uses: noop\n    with: {v: \(text)}\n")
            #expect(found.first?.message.hasPrefix("\(text) is not a finite number") == true, "\(located(found))")
        }
    }

    @Test("scalars in run and env become their text; needs accepts a single id")
    func scalarsAsText() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            tasks:
              a:
                run: [sleep, 1.5, true, 007]
              b:
                needs: a
                shell: env
                env: {N: 3, FLAG: true, EMPTY: }
            """, path: "pipeline.yaml")
        #expect(pipeline.task("a")?.action == .run(["sleep", "1.5", "true", "007"]))
        #expect(pipeline.task("b")?.needs == ["a"])
        #expect(pipeline.task("b")?.env == ["N": "3", "FLAG": "true", "EMPTY": ""])
    }

    @Test("notify and triggers are read; an if: may omit the ${{ }}")
    func reservedKeys() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            triggers:
              every: 1h
            notify:
              - on: [failure, deployed]
                slack: { webhook: "${{ env.SLACK_WEBHOOK }}" }
              - on: success
                webhook: { url: "https://example.com/hook", headers: { X-Token: "${{ env.TOKEN }}" } }
            tasks:
              a:
                if: params.go == true
                run: [a]
            """, path: "pipeline.yaml")
        #expect(pipeline.tasks.count == 1)
        #expect(pipeline.notify == [
            NotificationRule(on: [.failure, .deployed], destination: .slack(webhook: "${{ env.SLACK_WEBHOOK }}")),
            NotificationRule(on: [.success], destination: .webhook(url: "https://example.com/hook", headers: ["X-Token": "${{ env.TOKEN }}"])),
        ])
        #expect(pipeline.triggers == TriggerSpec(every: "1h"))
        #expect(pipeline.task("a")?.condition == "params.go == true")
    }

    @Test("notify rules report unknown events, missing or double destinations, and non-env references, located")
    func notifyErrors() {
        let found = diagnostics("""
            name: p
            tasks:
              a: {run: [a]}
            notify:
              - on: [failur]
                slack: { webhook: x }
              - on: [failure]
              - on: [failure]
                slack: { webhook: x }
                webhook: { url: y }
              - on: [success]
                pagerduty: { routing_key: "${{ params.key }}" }
            """)
        #expect(located(found) == [
            "5:10: unknown event 'failur' (did you mean 'failure'?); events are: failure, success, deployed, rolled_back, approval_needed, retrying",
            "7:5: a notify rule needs one destination: slack:, pagerduty: or webhook:",
            "10:5: a notify rule has one destination; split 'slack' and 'webhook' into two rules",
            "12:31: notify values may only read the environment (env.NAME), not 'params.key'",
        ])
    }

    @Test("a byte order mark and CRLF line ends do not move positions")
    func byteOrderMarkAndCRLF() {
        let found = diagnostics("\u{FEFF}name: p\r\ntasks:\r\n  a: {run: [a], retires: 1}\r\n")
        #expect(located(found) == ["3:17: unknown key 'retires' in task 'a' (did you mean 'retries'?)"])
    }

    @Test("anchors and aliases are expanded")
    func anchorsAndAliases() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p
            tasks:
              a:
                uses: noop
                with: &inputs {rows: 3}
                env: &env {MODE: fast}
              b:
                uses: noop
                with: *inputs
                env: *env
            """, path: "pipeline.yaml")
        #expect(pipeline.task("b")?.action == .uses("noop", with: ["rows": 3]))
        #expect(pipeline.task("b")?.env == ["MODE": "fast"])
    }

    @Test("parse checks the file only; the DAG and expressions are checked by planFrom")
    func parseLeavesPlanChecks() throws {
        let yaml = "name: p\ntasks:\n  a: {needs: [b], run: [a]}\n  b: {needs: [a], run: [\"${{ params.nope }}\"]}\n"
        #expect(try PipelineFile.parse(yaml, path: "pipeline.yaml").tasks.count == 2)
        #expect(diagnostics(yaml, plan: true).count == 2)
    }

    @Test("planFrom returns a checked plan for a valid file")
    func validPlan() throws {
        let plan = try PipelineFile.planFrom(
            text: """
                name: p
                params: {min_f1: 0.8}
                tasks:
                  train:
                    uses: noop
                    with: {f1: 0.9}
                  register:
                    needs: [train]
                    if: ${{ tasks.train.outputs.f1 > params.min_f1 }}
                    run: [echo, "${{ tasks.train.outputs.f1 }}"]
                """, path: "pipeline.yaml", knownKinds: ["noop"])
        #expect(plan.pipeline.tasks.map(\.id) == ["train", "register"])
        #expect(plan.needs == [[], [0]])
    }
}
