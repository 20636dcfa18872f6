import PipelineFile
import PipelineModel
import Testing

@Suite struct PipelineFilePlanTests {
    @Test("a cycle names the tasks on it and points at the needs entry that closes it")
    func cycle() {
        let found = diagnostics(
            """
            name: p
            tasks:
              x:
                run: [x]
              a:
                needs: [c]
                run: [a]
              b:
                needs: [x, a]
                run: [b]
              c:
                needs: [b]
                run: [c]
            """, plan: true)
        #expect(located(found) == ["9:16: needs form a cycle: b → c → a → b; remove one of these edges"])
    }

    @Test("an unknown need points at the list entry and suggests the nearest task")
    func unknownNeed() {
        let found = diagnostics(
            "name: p\ntasks:\n  extract:\n    run: [a]\n  b:\n    needs: [extrct]\n    run: [b]\n", plan: true)
        #expect(located(found) == ["6:13: unknown task 'extrct' (did you mean 'extract'?)"])
    }

    @Test("after a needs entry that is not a task id, an unknown need still points at its own entry")
    func unknownNeedAfterInvalidEntry() {
        let found = diagnostics(
            "name: p\ntasks:\n  a:\n    run: [a]\n  b:\n    needs: [[x], a, zz]\n    run: [b]\n", plan: true)
        #expect(located(found) == [
            "6:13: each entry of needs must be a task id, not a list",
            "6:21: unknown task 'zz'",
        ])
    }

    @Test("plan problems of many tasks point at each task's own needs entry and with: value")
    func problemsInManyTasks() {
        var yaml = "name: p\ntasks:\n  source: {uses: noop}\n"
        for index in 0..<30 {
            yaml += "  t\(index):\n    needs: [source, s\(index)]\n    uses: noop\n    with: {v: \"${{ tasks.nope\(index).outputs.x }}\"}\n"
        }
        let found = located(diagnostics(yaml, plan: true))
        // Task t7 starts on line 4 + 4 × 7: needs on the next line, with: two lines below it.
        #expect(found.contains { $0.hasPrefix("33:21: unknown task 's7'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("35:19: unknown task 'nope7'") }, "\(found)")
    }

    @Test("an expression problem in a quoted argument points inside the ${{ }}, past the quote")
    func expressionInQuotedArgument() {
        let found = diagnostics(
            """
            name: p
            params: {source: x}
            tasks:
              a:
                run: [python3, "${{ params.sourc }}"]
            """, plan: true)
        #expect(located(found) == ["5:24: unknown param 'sourc' (did you mean 'source'?); declare it under 'params:'"])
    }

    @Test("a syntax error in a plain if: points at the offending character")
    func expressionInPlainCondition() {
        let found = diagnostics(
            """
            name: p
            tasks:
              a:
                run: [a]
              b:
                needs: [a]
                if: ${{ tasks.a.outputs.x = 1 }}
                run: [b]
            """, plan: true)
        #expect(located(found) == ["7:31: '=' is not an operator; compare with '=='"])
    }

    @Test("an if: without ${{ }} maps offsets directly")
    func conditionWithoutDelimiters() {
        let found = diagnostics(
            "name: p\ntasks:\n  a:\n    run: [a]\n    if: params.x > 1\n", plan: true)
        #expect(located(found) == ["5:9: unknown param 'x'; declare it under 'params:'"])
    }

    @Test("an expression problem in a literal block script points at its line and column")
    func expressionInLiteralBlock() {
        let found = diagnostics(
            """
            name: p
            tasks:
              a:
                shell: |
                  echo start
                  echo ${{ params.nope }}
            """, plan: true)
        #expect(located(found) == ["6:15: unknown param 'nope'; declare it under 'params:'"])
    }

    @Test("an expression problem in single quotes accounts for doubled quotes before it")
    func expressionAfterEscapedQuote() {
        let found = diagnostics(
            "name: p\ntasks:\n  a:\n    shell: 'echo ''hi'' ${{ tasks.zz.outputs.x }}'\n", plan: true)
        // The value "echo 'hi' ${{ " is 13 characters; with the doubled quotes they span 15 after the opening quote.
        #expect(located(found) == ["4:28: unknown task 'zz'"])
    }

    @Test("a problem in a nested with: value points at that value")
    func expressionInNestedInput() {
        let found = diagnostics(
            """
            name: p
            tasks:
              a:
                uses: noop
                with:
                  nested: {list: [1, "${{ failure() }}"]}
            """, plan: true)
        #expect(located(found) == ["6:30: status functions (success(), failure(), always()) belong in 'if:' only"])
    }

    @Test("an unknown kind is reported at uses: with a suggestion when known kinds are given")
    func unknownKind() {
        let yaml = "name: p\ntasks:\n  a:\n    uses: noopp\n"
        #expect(
            located(diagnostics(yaml, plan: true, knownKinds: ["noop", "fail"])) == [
                "4:11: unknown task kind 'noopp' (did you mean 'noop'?); known kinds: fail, noop"
            ])
        #expect(diagnostics(yaml, plan: true, knownKinds: nil).isEmpty)
    }

    @Test("a problem in an expression from defaults is reported once, at defaults")
    func defaultsExpression() {
        let found = diagnostics(
            """
            name: p
            defaults:
              env: {TOKEN: "${{ params.token }}"}
            tasks:
              a: {run: [a]}
              b: {run: [b]}
            """, plan: true)
        #expect(located(found) == ["3:20: unknown param 'token'; declare it under 'params:'"])
    }

    @Test("file-level and plan-level problems come together, sorted")
    func fileAndPlanTogether() {
        let found = diagnostics(
            """
            name: p
            tasks:
              extract:
                run: [a]
                retires: 1
              train:
                needs: [zzz]
                timeout: 0s
                run: [b]
            """, plan: true)
        #expect(
            located(found) == [
                "5:5: unknown key 'retires' in task 'extract' (did you mean 'retries'?)",
                "7:13: unknown task 'zzz'",
                "8:14: timeout must be longer than 0s",
            ])
    }

    @Test("a missing name does not hide plan problems")
    func missingNameAndPlan() {
        let found = diagnostics("tasks:\n  a:\n    needs: [a]\n    run: [a]\n", plan: true)
        #expect(
            located(found) == [
                "1:1: missing required key 'name'; add e.g. name: nightly",
                "3:13: a task cannot need itself",
            ])
    }
}
