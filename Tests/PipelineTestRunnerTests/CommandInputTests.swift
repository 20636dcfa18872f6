import Foundation
import PipelineModel
import PipelineTestRunner
import Testing

/// Inline tables given to command tasks, which cannot read a dataset reference.
@Suite("kiln test: inline tables for commands") struct CommandInputTests {
    @Test("a command task reads an upstream inline table as a CSV file in the sandbox")
    func inlineTableReachesCommandAsCSV() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let pipeline = try fixture.write("p.yaml", """
            name: p
            tasks:
              extract: { uses: extract-csv, with: { path: data.csv } }
              count:
                needs: [extract]
                shell: |
                  file='${{ tasks.extract.outputs.data }}'
                  rows=$(( $(wc -l < "$file") - 1 ))
                  header=$(head -n 1 "$file")
                  printf '{"rows": %d, "header": "%s", "path": "%s"}' "$rows" "$header" "$file" > "$KILN_OUTPUTS"
              train:
                needs: [extract]
                uses: validate
                with: { data: "${{ tasks.extract.outputs.data }}" }
            """)
        try fixture.write("p.test.yaml", """
            cases:
              counts-rows:
                task: count
                upstream:
                  extract:
                    data: { columns: [amount, label], rows: [[1, a], [2, b], [3, c]] }
                expect:
                  outputs: { rows: 3, header: "amount,label" }
              ml-kind-still-gets-a-reference:
                task: train
                upstream:
                  extract:
                    data: { columns: [amount], rows: [[1]] }
                expect: { state: succeeded }
            """)
        let (plan, cases) = try fixture.load(pipeline)
        let runner = fixture.runner(plan)
        let result = await runner.run(try #require(cases.first { $0.name == "counts-rows" }))
        #expect(result.passed, "\(result.lines.joined(separator: "\n"))")
        let other = await runner.run(try #require(cases.first { $0.name == "ml-kind-still-gets-a-reference" }))
        #expect(other.passed, "\(other.lines.joined(separator: "\n"))")
    }
}
