/// Every problem found in a pipeline file, each located at `file:line:column`, thrown together so a user can fix
/// them all in one pass.
///
/// Its description prints one compiler-style line per problem:
///
/// ```text
/// pipeline.yaml:12:5: error: unknown key 'retires' in task 'extract' (did you mean 'retries'?)
/// ```
public struct PipelineFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem at one place in a file.
    public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
        /// The file, as it was given to ``PipelineFile``.
        public var path: String
        /// The line, starting at 1.
        public var line: Int
        /// The column, starting at 1, counted in Unicode scalars (as YAML parsers count).
        public var column: Int
        /// What is wrong and how to fix it.
        public var message: String

        /// Creates a diagnostic.
        public init(path: String, line: Int, column: Int, message: String) {
            self.path = path
            self.line = line
            self.column = column
            self.message = message
        }

        /// `path:line:column: error: message`.
        public var description: String { "\(path):\(line):\(column): error: \(message)" }
    }

    /// The problems, sorted by line and column.
    public var diagnostics: [Diagnostic]

    /// Wraps `diagnostics`.
    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A problem found while reading, before the file path is attached.
struct Finding: Hashable {
    var line: Int
    var column: Int
    var message: String
}

extension PipelineFileError {
    /// Attaches `path`, drops repeats (a defaults entry is checked once per task), and sorts by position.
    init(findings: [Finding], path: String) {
        var seen = Set<Finding>()
        let unique = findings.filter { seen.insert($0).inserted }
        let sorted = unique.enumerated().sorted { lhs, rhs in
            (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
        }
        self.init(
            diagnostics: sorted.map {
                Diagnostic(path: path, line: $0.element.line, column: $0.element.column, message: $0.element.message)
            })
    }
}
