import Foundation
import PipelineModel

/// Reads pipeline files (YAML) into ``PipelineModel/Pipeline`` values and checked ``PipelineModel/Plan``s, reporting
/// every problem at once, each at `file:line:column`.
///
/// ```swift
/// do {
///     let plan = try PipelineFile.loadPlan(path: "pipeline.yaml", knownKinds: ["noop", "fail"])
///     // run it
/// } catch {
///     print(error)  // pipeline.yaml:12:5: error: unknown key 'retires' in task 'extract' (did you mean 'retries'?)
/// }
/// ```
///
/// The format is described in `docs/pipeline-file.md`.
public enum PipelineFile {
    /// Parses YAML text into a pipeline, checking the file's structure (keys, types, durations, task ids, actions)
    /// but not the DAG or expressions; use ``planFrom(text:path:knownKinds:)`` for everything.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - path: The file name shown in diagnostics.
    /// - Returns: The pipeline, tasks in file order, defaults applied.
    /// - Throws: ``PipelineFileError`` with every problem found.
    public static func parse(_ text: String, path: String) throws(PipelineFileError) -> Pipeline {
        let reading = read(text)
        guard let pipeline = reading.pipeline, reading.findings.isEmpty else {
            throw PipelineFileError(findings: reading.findings, path: path)
        }
        return pipeline
    }

    /// Reads and parses a file.
    ///
    /// - Parameter path: The file to read; also the name shown in diagnostics.
    /// - Throws: ``PipelineFileError``: the file's problems, or one diagnostic at line 1 when it is missing,
    ///   unreadable or not UTF-8.
    public static func load(path: String) throws(PipelineFileError) -> Pipeline {
        try parse(try readFile(path), path: path)
    }

    /// Reads a file and checks it with ``PipelineModel/Plan``: every problem, file-level and plan-level, in one error.
    ///
    /// - Parameters:
    ///   - path: The file to read; also the name shown in diagnostics.
    ///   - knownKinds: Task kind names `uses:` may name, or `nil` to skip that check.
    /// - Throws: ``PipelineFileError`` with every problem found.
    public static func loadPlan(path: String, knownKinds: Set<String>?) throws(PipelineFileError) -> Plan {
        try planFrom(text: try readFile(path), path: path, knownKinds: knownKinds)
    }

    /// Parses YAML text and checks it with ``PipelineModel/Plan``: every problem, file-level and plan-level, in one
    /// error, with plan issues (cycles, unknown needs, expression errors, unknown kinds) located in the file.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - path: The file name shown in diagnostics.
    ///   - knownKinds: Task kind names `uses:` may name, or `nil` to skip that check.
    /// - Throws: ``PipelineFileError`` with every problem found.
    public static func planFrom(text: String, path: String, knownKinds: Set<String>?) throws(PipelineFileError) -> Plan {
        var reading = read(text)
        var findings = reading.findings
        if let pipeline = reading.pipeline, reading.reader != nil {
            do {
                let plan = try Plan(pipeline, knownKinds: knownKinds)
                if findings.isEmpty {
                    // Taken out, so the queue holds the only reference: the tree is freed there, not here.
                    let reader = reading.reader.take()!
                    let tasks = reader.taskLocations.count
                    Discard.inBackground(consume reader, tasks: tasks)
                    return plan
                }
            } catch {
                let reader = reading.reader!
                for issue in error.issues where !reader.suppressedPlanPaths.contains(issue.path) {
                    let (line, column) = reader.position(of: issue)
                    findings.append(Finding(line: line, column: column, message: issue.message))
                }
            }
        }
        throw PipelineFileError(findings: findings, path: path)
    }

    private static func read(_ text: String) -> (pipeline: Pipeline?, findings: [Finding], reader: PipelineReader?) {
        switch YAMLDocument.compose(text) {
        case .failure(let error):
            return (nil, [error.finding], nil)
        case .success(let document):
            var reader = PipelineReader(document: document)
            let pipeline = reader.read()
            return (pipeline, reader.findings, reader)
        }
    }

    private static func readFile(_ path: String) throws(PipelineFileError) -> String {
        func failure(_ message: String) -> PipelineFileError {
            PipelineFileError(diagnostics: [.init(path: path, line: 1, column: 1, message: message)])
        }
        // One stat(2) (FileManager's attributes would also look up the owner's and group's names).
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot read the pipeline file: no such file") }
        let type = info.st_mode & S_IFMT
        guard type != S_IFDIR else { throw failure("cannot read the pipeline file: it is a directory") }
        guard type == S_IFREG else {
            throw failure(
                "cannot read the pipeline file: it is not a regular file (a device, FIFO or socket); "
                    + "give the path of a YAML file")
        }
        let limit = Limits.maximumBytes
        let size = Int(info.st_size)
        if size > limit {
            throw failure(
                "the file is \(size.formatted) bytes, more than the limit of \(limit.formatted) bytes (1 MiB); "
                    + "split the pipeline into smaller files")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure("cannot read the pipeline file: permission denied or I/O error")
        }
        defer { try? handle.close() }
        // Read at most one byte past the limit: a file that grew since it was checked is still refused.
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else {
            throw failure("cannot read the pipeline file: permission denied or I/O error")
        }
        guard data.count <= limit else {
            throw failure(
                "the file is more than \(limit.formatted) bytes (1 MiB), the limit; split the pipeline into smaller files")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw failure("cannot read the pipeline file: it is not UTF-8 text")
        }
        return text
    }
}
