import Foundation
import PipelineFile
import PipelineModel
import PipelineTestRunner
import Testing

@Suite("test file errors") struct TestFileErrorTests {
    @Test("every problem of a broken test file is reported at its line and column")
    func locatedErrors() throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", ChapterExampleTests.pipeline)
        let testPath = try fixture.write("pipeline.test.yaml", """
            cases:
              one:
                task: featurs
                expect: { rows: 2 }
              two:
                task: features
                upstream:
                  extract:
                    data: { columns: [a, b], rows: [[1, 2], [3]] }
                params: { lable: x }
                expect: { rowz: 2 }
              three:
                task: train
                to: validate
                expect: {}
              four:
                task: features
                upstream: { train: { data: 1 } }
                expect: { values: { a: [1, "x"] }, scores: { model: model } }
            """)
        let plan = try PipelineFile.loadPlan(path: path, knownKinds: Fixture.kindNames)
        let error = #expect(throws: PipelineFileError.self) {
            try PipelineTestFile.load(paths: PipelineTestFile.paths(for: path), plan: plan)
        }
        let lines = error?.diagnostics.map(\.description) ?? []
        let expected = [
            "\(testPath):3:11: error: unknown task 'featurs' (did you mean 'features'?)",
            "\(testPath):9:49: error: this row has 1 value but there are 2 columns",
            "\(testPath):10:15: error: unknown param 'lable' (did you mean 'label'?)",
            "\(testPath):11:15: error: unknown key 'rowz' in expect (did you mean 'rows'?)",
            "\(testPath):14:9: error: task 'validate' is not downstream of 'train'",
            "\(testPath):18:17: error: task 'train' is not upstream of the tested tasks",
            "\(testPath):19:48: error: scores needs data:",
        ]
        #expect(lines.count == expected.count, "\(lines.joined(separator: "\n"))")
        for (line, prefix) in zip(lines, expected) {
            #expect(line.hasPrefix(prefix), "\(line)")
        }
    }

    @Test("a test file that is not YAML, or names another pipeline, is refused with its position")
    func syntaxAndPipelineName() throws {
        let fixture = try Fixture()
        let path = try fixture.write("pipeline.yaml", ChapterExampleTests.pipeline)
        let testPath = try fixture.write("tests/bad.yaml", "pipeline: other\ncases:\n  a: [unclosed\n")
        let plan = try PipelineFile.loadPlan(path: path, knownKinds: Fixture.kindNames)
        #expect(PipelineTestFile.paths(for: path) == [testPath])
        let error = #expect(throws: PipelineFileError.self) {
            try PipelineTestFile.load(paths: [testPath], plan: plan)
        }
        #expect(error?.diagnostics.count == 1)
        #expect(error?.diagnostics.first?.path == testPath)
        #expect(error?.diagnostics.first?.message.hasPrefix("invalid YAML") == true)

        try fixture.write("tests/bad.yaml", "pipeline: other\ncases:\n  a: { task: features, expect: {} }\n")
        let named = #expect(throws: PipelineFileError.self) {
            try PipelineTestFile.load(paths: [testPath], plan: plan)
        }
        #expect(named?.diagnostics.map(\.description) == [
            "\(testPath):1:11: error: this file tests pipeline 'other', but the pipeline is 'chapter'",
        ])
    }
}
