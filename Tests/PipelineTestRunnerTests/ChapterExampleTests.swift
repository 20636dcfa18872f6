import Foundation
import PipelineModel
import PipelineTestRunner
import Testing

/// The three example tests of the pipeline chapter, written as a test file, and what a failing case reports.
@Suite("kiln test cases") struct ChapterExampleTests {
    static let pipeline = """
        name: chapter
        params: { label: label }
        tasks:
          extract: { uses: extract-csv, with: { path: data.csv } }
          features:
            needs: [extract]
            uses: features
            with:
              data: "${{ tasks.extract.outputs.data }}"
              transforms:
                - ratio: { numerator: amount, denominator: count, as: amount_per_count }
          validate:
            needs: [extract]
            uses: validate
            with: { data: "${{ tasks.extract.outputs.data }}", max_null_ratio: 0.05 }
          train:
            needs: [features]
            uses: train
            with:
              data: "${{ tasks.features.outputs.data }}"
              label: "${{ params.label }}"
              params: { n_estimators: 10, max_depth: 2 }
        """

    static let tests = """
        cases:
          ratio-feature:
            task: features
            upstream:
              extract:
                data: { columns: [amount, count], rows: [[100, 5], [200, 10]] }
            expect:
              values: { amount_per_count: [20.0, 20.0] }
          validation-rejects-nulls:
            task: validate
            upstream:
              extract:
                data: { columns: [col1], rows: [[null]], repeat: 100 }
            expect:
              fails: null cells
          predictions-in-unit-interval:
            task: features
            to: train
            upstream:
              extract:
                data:
                  columns: [amount, count, label]
                  rows: [[100, 5, 0], [200, 10, 1], [50, 1, 0], [400, 2, 1]]
                  repeat: 5
            expect:
              scores:
                data:
                  columns: [amount, count, amount_per_count]
                  rows: [[100, 5, 20.0], [300, 3, 100.0], [0, 7, 0.0]]
                min: 0
                max: 1
        """

    @Test("the ratio, null-validation and model-score examples pass as written")
    func chapterExamplesPass() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", Self.pipeline)
        try fixture.write("pipeline.test.yaml", Self.tests)
        let (plan, cases) = try fixture.load(path)
        #expect(cases.map(\.name) == ["ratio-feature", "validation-rejects-nulls", "predictions-in-unit-interval"])
        #expect(cases.map(\.layer) == ["unit", "unit", "integration"])
        for testCase in cases {
            let result = await fixture.runner(plan).run(testCase)
            #expect(result.passed, "\(result.lines.joined(separator: "\n"))")
        }
    }

    @Test("a failing case reports the expected and actual values and the rows that differ")
    func failingCaseReportsDiff() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", Self.pipeline)
        try fixture.write("pipeline.test.yaml", """
            cases:
              wrong-ratio:
                task: features
                upstream:
                  extract:
                    data: { columns: [amount, count], rows: [[100, 5], [200, 8]] }
                expect:
                  values: { amount_per_count: [20.0, 20.0] }
                  outputs: { rows: 3 }
              should-fail:
                task: features
                upstream:
                  extract:
                    data: { columns: [amount, count], rows: [[1, 1]] }
                expect: { fails: division }
            """)
        let (plan, cases) = try fixture.load(path)
        let wrong = await fixture.runner(plan).run(cases[0])
        #expect(!wrong.passed)
        let text = wrong.lines.joined(separator: "\n")
        #expect(wrong.lines.first?.hasPrefix("FAIL wrong-ratio (unit: features)") == true)
        #expect(text.contains("values of amount_per_count:"))
        #expect(text.contains("expected: [20.0, 20.0]"))
        #expect(text.contains("actual:   [20.0, 25.0]"))
        #expect(text.contains("row 1: expected 20.0, actual 25.0"))
        #expect(text.contains("outputs.rows:"))
        #expect(text.contains("expected: 3.0") && text.contains("actual:   2.0"))

        let notFailing = await fixture.runner(plan).run(cases[1])
        #expect(notFailing.failures.map(\.check) == ["failure of features"])
        #expect(notFailing.failures.first?.actual == "succeeded (nothing failed)")
    }
}

@Suite("kiln test commands") struct CommandCaseTests {
    @Test("a command task of a case sees KILN_TEST and the sandbox's KILN_HOME, and its upstream outputs")
    func commandEnvironment() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", """
            name: commands
            tasks:
              source: { run: [sh, -c, "exit 1"] }
              report:
                needs: [source]
                shell: |
                  case "$KILN_HOME" in */kiln-sandbox-*) sandboxed=true ;; *) sandboxed=false ;; esac
                  printf '{"layer": "%s", "sandboxed": %s, "rows": %s}' "$KILN_TEST" "$sandboxed" "${{ tasks.source.outputs.rows }}" > "$KILN_OUTPUTS"
            """)
        try fixture.write("pipeline.test.yaml", """
            cases:
              report-reads-rows:
                task: report
                upstream: { source: { rows: 42 } }
                expect: { outputs: { layer: unit, sandboxed: true, rows: 42 } }
            """)
        let (plan, cases) = try fixture.load(path)
        let result = await fixture.runner(plan).run(cases[0])
        #expect(result.passed, "\(result.lines.joined(separator: "\n"))")
    }
}
