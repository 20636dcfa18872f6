import PipelineFile
import PipelineModel
import Testing

/// One file with one problem, and where and how it must be reported.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    /// The whole message, or a part of it when `exact` is false.
    let message: String
    var exact = true

    var testDescription: String { name }

    static let all: [ErrorCase] = [
        ErrorCase(
            name: "unknown task key with a suggestion",
            yaml: "name: p\ntasks:\n  extract:\n    run: [a]\n    retires: 3\n",
            line: 5, column: 5, message: "unknown key 'retires' in task 'extract' (did you mean 'retries'?)"),
        ErrorCase(
            name: "unknown top-level key with a suggestion",
            yaml: "name: p\ndescripton: x\ntasks:\n  a: {run: [a]}\n",
            line: 2, column: 1, message: "unknown key 'descripton' at the top level (did you mean 'description'?)"),
        ErrorCase(
            name: "unknown top-level key without a suggestion lists the keys",
            yaml: "name: p\ncolour: x\ntasks:\n  a: {run: [a]}\n",
            line: 2, column: 1,
            message: "unknown key 'colour' at the top level; expected one of: name, description, params, defaults, tasks, triggers, notify"),
        ErrorCase(
            name: "unknown key in defaults",
            yaml: "name: p\ndefaults:\n  timout: 5m\ntasks:\n  a: {run: [a]}\n",
            line: 3, column: 3, message: "unknown key 'timout' in defaults (did you mean 'timeout'?)"),
        ErrorCase(
            name: "unknown key in cache",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    cache: {key: inputs, expires: 1h}\n",
            line: 5, column: 26, message: "unknown key 'expires' in the cache of task 'a' (did you mean 'expire'?)"),
        ErrorCase(
            name: "top level is not a mapping",
            yaml: "- a\n- b\n",
            line: 1, column: 1,
            message: "the top level must be a mapping with keys such as 'name:' and 'tasks:', not a list"),
        ErrorCase(
            name: "empty file",
            yaml: "# nothing yet\n",
            line: 1, column: 1, message: "the file is empty; a pipeline needs at least 'name:' and 'tasks:'"),
        ErrorCase(
            name: "missing name",
            yaml: "tasks:\n  a: {run: [a]}\n",
            line: 1, column: 1, message: "missing required key 'name'; add e.g. name: nightly"),
        ErrorCase(
            name: "name that is not text",
            yaml: "name: [a]\ntasks:\n  a: {run: [a]}\n",
            line: 1, column: 7, message: "name must be text, e.g. name: nightly"),
        ErrorCase(
            name: "missing tasks",
            yaml: "name: p\n",
            line: 1, column: 1, message: "the pipeline has no tasks; add at least one under 'tasks:'"),
        ErrorCase(
            name: "tasks that is not a mapping",
            yaml: "name: p\ntasks: [a, b]\n",
            line: 2, column: 8,
            message: "tasks must be a mapping from task id to task, e.g. tasks: {extract: {run: [python3, extract.py]}}"),
        ErrorCase(
            name: "task that is not a mapping",
            yaml: "name: p\ntasks:\n  a: [run]\n",
            line: 3, column: 6, message: "task 'a' must be a mapping of fields such as run: or needs:, not a list"),
        ErrorCase(
            name: "retries that is not a number",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    retries: many\n",
            line: 5, column: 14, message: "retries must be a whole number ≥ 0"),
        ErrorCase(
            name: "negative retries",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    retries: -1\n",
            line: 5, column: 14, message: "retries must be a whole number ≥ 0"),
        ErrorCase(
            name: "retry_backoff below 1",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    retry_backoff: 0.5\n",
            line: 5, column: 20,
            message: "retry_backoff must be a number ≥ 1 (1 keeps the delay constant, 2 doubles it each retry)"),
        ErrorCase(
            name: "retry_jitter above 1",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    retry_jitter: 2\n",
            line: 5, column: 19, message: "retry_jitter must be a number between 0 and 1 (a fraction of each delay)"),
        ErrorCase(
            name: "duration with an unknown unit",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    timeout: 90x\n",
            line: 5, column: 14,
            message: "timeout: invalid duration '90x': unknown unit 'x'; write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m"),
        ErrorCase(
            name: "duration written as a bare integer",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    retry_delay: 30\n",
            line: 5, column: 18, message: "the number 30 has no unit; write a number followed by a unit", exact: false),
        ErrorCase(
            name: "task with nothing to do",
            yaml: "name: p\ntasks:\n  a:\n    needs: []\n",
            line: 3, column: 3, message: "task 'a' has nothing to do; give it one of run:, shell: or uses:"),
        ErrorCase(
            name: "task with two actions",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    shell: b\n",
            line: 5, column: 5, message: "task 'a' sets 'run' and 'shell'; give it exactly one of run, shell or uses"),
        ErrorCase(
            name: "with without uses",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    with: {x: 1}\n",
            line: 5, column: 5,
            message: "'with' gives inputs to a task kind, but task 'a' has no 'uses:'; add uses: KIND or remove 'with'"),
        ErrorCase(
            name: "duplicate key in a task",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    timeout: 1m\n    timeout: 2m\n",
            line: 6, column: 5, message: "duplicate key 'timeout': it is already set at line 5, column 5"),
        ErrorCase(
            name: "duplicate task id",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n  a:\n    run: [b]\n",
            line: 5, column: 3, message: "duplicate key 'a': it is already set at line 3, column 3"),
        ErrorCase(
            name: "duplicate quoted key in a flow mapping",
            yaml: "name: p\ntasks:\n  a:\n    uses: noop\n    with: {\"x\": 1, x: 2}\n",
            line: 5, column: 20, message: "duplicate key 'x': it is already set at line 5, column 12"),
        ErrorCase(
            name: "invalid task id",
            yaml: "name: p\ntasks:\n  Extract:\n    run: [a]\n",
            line: 3, column: 3,
            message: "task id 'Extract' is invalid: use lowercase letters, digits, '-' and '_', starting with a letter or digit"),
        ErrorCase(
            name: "needs that is a mapping",
            yaml: "name: p\ntasks:\n  a:\n    needs: {b: 1}\n    run: [a]\n",
            line: 4, column: 12, message: "needs must be a task id or a list of task ids, e.g. needs: [extract]"),
        ErrorCase(
            name: "defaults with needs",
            yaml: "name: p\ndefaults:\n  needs: [a]\ntasks:\n  a: {run: [a]}\n",
            line: 3, column: 3, message: "defaults cannot set needs; list needs on each task"),
        ErrorCase(
            name: "run written as a command line",
            yaml: "name: p\ntasks:\n  a:\n    run: python3 train.py\n",
            line: 4, column: 10,
            message: "run takes a list of arguments (argv), e.g. run: [python3, train.py]; to run a command line through /bin/sh, use shell:"),
        ErrorCase(
            name: "run argument that is a mapping",
            yaml: "name: p\ntasks:\n  a:\n    run: [a, {b: c}]\n",
            line: 4, column: 14, message: "each argument of run must be text, a number or a boolean, not a mapping"),
        ErrorCase(
            name: "env value that is a list",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    env: {A: [1]}\n",
            line: 5, column: 14, message: "env value 'A' must be text, a number or a boolean, not a list"),
        ErrorCase(
            name: "cache without a key",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    cache: {expire: 1h}\n",
            line: 5, column: 5, message: "cache needs 'key: inputs' (the only kind of cache key for now)"),
        ErrorCase(
            name: "cache with another key kind",
            yaml: "name: p\ntasks:\n  a:\n    run: [a]\n    cache: {key: files}\n",
            line: 5, column: 18, message: "cache key must be 'inputs' (the only kind of cache key for now)"),
        ErrorCase(
            name: "YAML syntax error: a colon inside a plain value",
            yaml: "name: p\ntasks:\n  a:\n    shell: echo a: b\n",
            line: 4, column: 18, message: "invalid YAML: mapping values are not allowed in this context", exact: false),
        ErrorCase(
            name: "YAML syntax error: an unclosed quote",
            yaml: "name: p\ntasks:\n  a:\n    shell: \"echo\n",
            line: 5, column: 1, message: "while scanning a quoted scalar at line 4, column 12", exact: false),
        ErrorCase(
            name: "YAML syntax error: a tab used for indentation",
            yaml: "name: p\ntasks:\n\ta:\n",
            line: 3, column: 1, message: "; indent with spaces, not tabs", exact: false),
        ErrorCase(
            name: "YAML syntax error: a second document",
            yaml: "name: p\n---\nname: q\n",
            line: 2, column: 1,
            message: "invalid YAML: a pipeline file holds one document; remove this '---' and what follows, or merge it"),
        ErrorCase(
            name: "merge keys",
            yaml: "name: p\ntasks:\n  a: {run: [a], <<: {x: 1}}\n",
            line: 3, column: 17, message: "merge keys ('<<') are not supported; use 'defaults:' for fields shared by tasks"),
        ErrorCase(
            name: "empty name",
            yaml: "name: \"\"\ntasks:\n  a: {run: [a]}\n",
            line: 1, column: 7, message: "the pipeline needs a name"),
        ErrorCase(
            name: "tasks with no entries",
            yaml: "name: p\ntasks:\n",
            line: 2, column: 1, message: "the pipeline has no tasks; add at least one under 'tasks:'"),
    ]
}

@Suite struct PipelineFileErrorTests {
    @Test("each file-level problem is reported alone, at its exact line and column", arguments: ErrorCase.all)
    func reportsAtExactPosition(_ errorCase: ErrorCase) {
        let found = diagnostics(errorCase.yaml)
        #expect(found.count == 1, "\(located(found))")
        let diagnostic = found.first
        #expect(diagnostic?.path == "pipeline.yaml")
        #expect(diagnostic?.line == errorCase.line)
        #expect(diagnostic?.column == errorCase.column)
        if errorCase.exact {
            #expect(diagnostic?.message == errorCase.message)
        } else {
            #expect(diagnostic?.message.contains(errorCase.message) == true, "\(diagnostic?.message ?? "")")
        }
    }

    @Test("the same problems are reported by planFrom, which also runs the plan checks", arguments: ErrorCase.all)
    func planFromReportsTheSame(_ errorCase: ErrorCase) {
        #expect(located(diagnostics(errorCase.yaml, plan: true)) == located(diagnostics(errorCase.yaml)))
    }

    @Test("several problems are reported together, sorted by position, in compiler style")
    func severalAtOnce() throws {
        let found = diagnostics(
            """
            name: p
            params: {source: x}
            tasks:
              extract:
                run: [a]
                retires: 3
                timeout: 30
              Bad:
                needs: extract
              c:
                with: {a: 1}
            """)
        #expect(found.map { "\($0.line):\($0.column)" } == ["6:5", "7:14", "8:3", "8:3", "10:3", "11:5"])
        #expect(found.first?.description == "pipeline.yaml:6:5: error: unknown key 'retires' in task 'extract' (did you mean 'retries'?)")
        #expect(found[2].message.hasPrefix("task id 'Bad' is invalid"))
        #expect(found[3].message == "task 'Bad' has nothing to do; give it one of run:, shell: or uses:")
        let error = PipelineFileError(diagnostics: found)
        #expect(error.description.split(separator: "\n").count == 6)
    }

    @Test("a key repeated three times is reported twice, each pointing back at the first")
    func repeatedKey() {
        let found = diagnostics("name: p\nname: q\nname: r\ntasks:\n  a: {run: [a]}\n")
        #expect(
            located(found) == [
                "2:1: duplicate key 'name': it is already set at line 1, column 1",
                "3:1: duplicate key 'name': it is already set at line 1, column 1",
            ])
    }

    @Test("thousands of duplicate keys are all reported from one parse, each pointing back at the first")
    func manyDuplicateKeys() {
        // 3,000 keys of which 1,500 repeat, in 30 KB: the file is parsed once, whatever the number of duplicates.
        let keys = (0..<3000).map { "  k\($0 % 1500): 1" }.joined(separator: "\n")
        let found = diagnostics("name: p\nparams:\n" + keys + "\ntasks:\n  a: {run: [a]}\n")
        #expect(found.count == 1500)
        #expect(found.first.map { "\($0.line):\($0.column): \($0.message)" }
            == "1503:3: duplicate key 'k0': it is already set at line 3, column 3")
        #expect(found.last.map { "\($0.line):\($0.column): \($0.message)" }
            == "3002:3: duplicate key 'k1499': it is already set at line 1502, column 3")
    }

    @Test("an invalid value in defaults is reported once, at defaults, even with several tasks")
    func defaultsReportedOnce() {
        let found = diagnostics("name: p\ndefaults:\n  retries: lots\ntasks:\n  a: {run: [a]}\n  b: {run: [b]}\n")
        #expect(located(found) == ["3:12: retries must be a whole number ≥ 0"])
    }
}
