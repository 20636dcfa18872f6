import Foundation
public import PipelineFile
public import PipelineModel

/// The test files of a pipeline and the cases they declare.
///
/// For `pipeline.yaml` the files are `pipeline.test.yaml` beside it and every `tests/*.yaml` (or `.yml`) in its
/// folder, in name order. Every problem in any of them is reported at once, located as `file:line:column`, the way
/// `kiln validate` reports a pipeline file.
public enum PipelineTestFile {
    /// The test files declared next to `pipelinePath` that exist, in reading order.
    public static func paths(for pipelinePath: String) -> [String] {
        let url = URL(fileURLWithPath: pipelinePath)
        let folder = url.deletingLastPathComponent()
        var stem = url.lastPathComponent
        for suffix in [".yaml", ".yml"] where stem.hasSuffix(suffix) {
            stem.removeLast(suffix.count)
            break
        }
        var found: [String] = []
        for name in ["\(stem).test.yaml", "\(stem).test.yml"] {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { found.append(relative(candidate, to: pipelinePath)) }
        }
        let tests = folder.appendingPathComponent("tests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            found.append(relative(tests.appendingPathComponent(name).path, to: pipelinePath))
        }
        return found
    }

    /// Reads the cases of `paths`, checking them against `plan`.
    ///
    /// - Parameters:
    ///   - paths: The test files.
    ///   - plan: The checked pipeline they test.
    /// - Returns: Every case, in file order.
    /// - Throws: ``PipelineFileError`` with every problem of every file (unknown keys and tasks, a `to:` that is
    ///   not downstream of `task:`, undeclared params, malformed tables, missing fixtures, duplicate case names).
    public static func load(paths: [String], plan: Plan) throws(PipelineFileError) -> [PipelineTestCase] {
        var diagnostics: [PipelineFileError.Diagnostic] = []
        var cases: [PipelineTestCase] = []
        var seen: [String: String] = [:]
        for path in paths {
            do {
                let root = try LocatedYAML.load(path: path)
                var reader = TestFileReader(path: path, plan: plan)
                let read = reader.read(root)
                diagnostics += reader.diagnostics.enumerated().sorted {
                    ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
                }.map(\.element)
                for testCase in read {
                    if let other = seen[testCase.name] {
                        diagnostics.append(.init(path: path, line: testCase.line, column: 3,
                            message: "case '\(testCase.name)' is already declared in \(other); give each case its own name"))
                    }
                    seen[testCase.name] = "\(path):\(testCase.line)"
                    cases.append(testCase)
                }
            } catch {
                diagnostics += error.diagnostics
            }
        }
        if !diagnostics.isEmpty { throw PipelineFileError(diagnostics: diagnostics) }
        return cases
    }

    private static func relative(_ path: String, to pipelinePath: String) -> String {
        // Keep the spelling the user gave for the pipeline, so messages read `examples/x/pipeline.test.yaml:3:1`.
        let folder = (pipelinePath as NSString).deletingLastPathComponent
        let absoluteFolder = URL(fileURLWithPath: pipelinePath).deletingLastPathComponent().path
        guard path.hasPrefix(absoluteFolder + "/") else { return path }
        let rest = String(path.dropFirst(absoluteFolder.count + 1))
        return folder.isEmpty ? rest : (folder as NSString).appendingPathComponent(rest)
    }
}
