/// A pipeline file's YAML text composed into nodes, with the source lines kept to locate positions.
struct YAMLDocument {
    /// The document's root, or `nil` for an empty document.
    let root: YAMLNode?
    private let lineTable: LineTable

    /// The source, one array of Unicode scalars per line (line breaks removed), split when first needed: only
    /// positions inside scalars use it.
    var lines: [[Unicode.Scalar]] { lineTable.lines }

    /// Composes `source`, or returns the first problem (syntax, a limit, an undefined alias) located where it is.
    static func compose(_ source: String) -> Result<YAMLDocument, FindingError> {
        let size = source.utf8.count
        guard size <= PipelineFile.Limits.maximumBytes else {
            let message = "the file is \(size.formatted) bytes, more than the limit of "
                + "\(PipelineFile.Limits.maximumBytes.formatted) bytes (1 MiB); split the pipeline into smaller files"
            return .failure(FindingError(Finding(line: 1, column: 1, message: message)))
        }
        // The parser skips a byte order mark without counting it; drop it so columns on line 1 agree.
        let text = source.unicodeScalars.first == "\u{FEFF}" ? String(source.unicodeScalars.dropFirst()) : source
        return YAMLComposer.compose(text).map { YAMLDocument(root: $0, lineTable: LineTable(text)) }
    }

    /// Splits scalars into lines at `\n`, `\r\n` and `\r`, as the YAML parser counts them.
    static func splitLines(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" {
                lines.append(current)
                current = []
                if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            } else {
                current.append(scalar)
            }
            index += 1
        }
        lines.append(current)
        return lines
    }
}

/// The lines of a text, split once on first use.
private final class LineTable {
    private let text: String
    lazy var lines: [[Unicode.Scalar]] = YAMLDocument.splitLines(Array(text.unicodeScalars))

    init(_ text: String) { self.text = text }
}

/// A ``Finding`` that can be thrown or carried in a `Result`.
struct FindingError: Error {
    let finding: Finding
    init(_ finding: Finding) { self.finding = finding }
}
