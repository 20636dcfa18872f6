import Yams

/// A pipeline file's YAML text composed into nodes, with the source lines kept to locate positions.
///
/// Yams stops at the first duplicate key of a mapping. To report that and every other problem in one pass,
/// composing renames the first occurrence of the duplicated key in a private copy of the text to a placeholder of
/// the same length (so no position moves) and tries again; ``renamedKeys`` maps each placeholder back.
struct YAMLDocument {
    /// The source, one array of Unicode scalars per line (line breaks removed).
    let lines: [[Unicode.Scalar]]
    /// The document's root, or `nil` for an empty document.
    let root: Node?
    /// Placeholder key → the original key it stands for.
    let renamedKeys: [String: String]

    /// Composes `text`, or returns the YAML syntax error located where the parser found it.
    static func compose(_ source: String) -> Result<YAMLDocument, FindingError> {
        // The parser skips a byte order mark without counting it; drop it so columns on line 1 agree.
        let text = source.unicodeScalars.first == "\u{FEFF}" ? String(source.unicodeScalars.dropFirst()) : source
        let size = source.utf8.count
        guard size <= PipelineFile.Limits.maximumBytes else {
            let message = "the file is \(size.formatted) bytes, more than the limit of "
                + "\(PipelineFile.Limits.maximumBytes.formatted) bytes (1 MiB); split the pipeline into smaller files"
            return .failure(FindingError(Finding(line: 1, column: 1, message: message)))
        }
        var scalars = Array(text.unicodeScalars)
        var renamed: [String: String] = [:]
        let lines = splitLines(scalars)
        if let finding = measureAliases(scalars) { return .failure(FindingError(finding)) }
        while true {
            let current = renamed.isEmpty ? text : String(String.UnicodeScalarView(scalars))
            do {
                let (root, finding) = try composeAndCheck(current)
                if let finding { return .failure(FindingError(finding)) }
                return .success(YAMLDocument(lines: lines, root: root, renamedKeys: renamed))
            } catch let error as YamlError {
                if case .duplicatedKeysInMapping(let duplicates, let context) = error, let key = duplicates.first {
                    if renamed.count < maximumRenames(bytes: size),
                        let placeholder = renameKey(key, at: context.mark, in: &scalars, number: renamed.count)
                    {
                        renamed[placeholder] = key
                        continue
                    }
                    let message = "duplicate key '\(key)': each key may appear once in a mapping (the file has more "
                        + "than \(renamed.count) duplicate keys; remove them and validate again)"
                    return .failure(FindingError(Finding(line: context.mark.line, column: context.mark.column, message: message)))
                }
                return .failure(FindingError(finding(for: error, in: text)))
            } catch {
                return .failure(FindingError(Finding(line: 1, column: 1, message: "invalid YAML: \(error)")))
            }
        }
    }

    /// How many duplicate keys are renamed (each costs one more parse of the whole file) before reading stops at the
    /// next one: enough to report every duplicate of a normal file, few enough that a file of thousands of duplicates
    /// is not parsed thousands of times (1,500 in a 30 KB file took over a minute).
    static func maximumRenames(bytes: Int) -> Int {
        max(10, min(6000, 2_000_000 / max(bytes, 1)))
    }

    /// Measures what the file's aliases expand to before the parser expands them (it expands every alias and hashes
    /// mapping keys in full, so a few lines of aliases could take minutes and gigabytes): composes a copy in which
    /// every `*` that may start an alias is replaced by ``AliasScan/marker`` and checks it with ``YAMLLimitCheck``.
    /// Returns the problem, or `nil` when the file has no aliases, stays within the limits, or does not compose (the
    /// real pass reports that).
    private static func measureAliases(_ scalars: [Unicode.Scalar]) -> Finding? {
        let candidates = AliasScan.candidates(in: scalars)
        guard !candidates.isEmpty else { return nil }
        var copy = scalars
        for index in candidates { copy[index] = AliasScan.marker }
        var renames = 0
        while true {
            do {
                return try composeAndCheck(String(String.UnicodeScalarView(copy))).finding
            } catch let error as YamlError {
                if case .duplicatedKeysInMapping(let duplicates, let context) = error, let key = duplicates.first,
                    renames < maximumRenames(bytes: scalars.count), renameKey(key, at: context.mark, in: &copy, number: renames) != nil
                {
                    renames += 1
                    continue
                }
                return nil
            } catch {
                return nil
            }
        }
    }

    /// Composes `text` and checks it with ``YAMLLimitCheck`` while the parser is alive: nodes hold their anchors
    /// weakly, and the parser owns them.
    ///
    /// The parser resolves no implicit tags (`Resolver.basic`): what a plain scalar means is decided by ``ScalarKind``
    /// (YAML 1.2 core schema), and the default resolver's regular expressions, which the parser runs on every mapping
    /// key to find duplicates, took a fifth of the time of reading a large file. Keys are compared as text, as the
    /// reader compares them.
    private static func composeAndCheck(_ text: String) throws -> (root: Node?, finding: Finding?) {
        let parser = try Parser(yaml: text, resolver: .basic)
        return try withExtendedLifetime(parser) {
            let root = try parser.singleRoot()
            return (root, root.flatMap(YAMLLimitCheck.check))
        }
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

    /// Replaces the key token at `mark` (plain, or quoted without escapes) by a unique placeholder of equal length.
    private static func renameKey(_ key: String, at mark: Mark, in scalars: inout [Unicode.Scalar], number: Int) -> String? {
        var lineStart = 0
        var line = 1
        var index = 0
        while line < mark.line, index < scalars.count {
            if scalars[index] == "\n" || (scalars[index] == "\r" && (index + 1 == scalars.count || scalars[index + 1] != "\n")) {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        let start = lineStart + mark.column - 1
        let keyScalars = Array(key.unicodeScalars)
        guard line == mark.line, start < scalars.count, !keyScalars.isEmpty else { return nil }
        var length = keyScalars.count
        let first = scalars[start]
        if first == "\"" || first == "'" {
            let end = start + 1 + keyScalars.count
            guard end < scalars.count, Array(scalars[(start + 1)..<end]) == keyScalars, scalars[end] == first,
                !keyScalars.contains(first), !keyScalars.contains("\\")
            else { return nil }
            length += 2
        } else {
            guard start + length <= scalars.count, Array(scalars[start..<(start + length)]) == keyScalars else { return nil }
        }
        // Private-use scalars never appear in pipeline keys; a distinct scalar per rename keeps placeholders unique.
        let placeholder = [Unicode.Scalar](repeating: Unicode.Scalar(0xE000 + UInt32(number))!, count: length)
        scalars.replaceSubrange(start..<(start + length), with: placeholder)
        return String(String.UnicodeScalarView(placeholder))
    }

    /// Turns a Yams error into a located message.
    private static func finding(for error: YamlError, in text: String) -> Finding {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level reached") {
                return Finding(line: mark.line, column: mark.column, message: YAMLLimitCheck.tooDeepMessage)
            }
            if problem == "but found another document" {
                let message = "invalid YAML: a pipeline file holds one document; remove this '---' and what follows, or merge it"
                return Finding(line: mark.line, column: mark.column, message: message)
            }
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            let lines = splitLines(Array(text.unicodeScalars))
            if mark.line >= 1, mark.line <= lines.count, mark.column >= 1, mark.column <= lines[mark.line - 1].count,
                lines[mark.line - 1][mark.column - 1] == "\t"
            {
                message += "; indent with spaces, not tabs"
            }
            return Finding(line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            var line = 1
            var column = 1
            if let offset {
                for character in text.prefix(offset) {
                    if character == "\n" || character == "\r\n" || character == "\r" {
                        line += 1
                        column = 1
                    } else {
                        column += character.unicodeScalars.count
                    }
                }
            }
            return Finding(line: line, column: column, message: "cannot read the text as YAML: \(problem)")
        default:
            return Finding(line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }
}

/// A ``Finding`` that can be thrown or carried in a `Result`.
struct FindingError: Error {
    let finding: Finding
    init(_ finding: Finding) { self.finding = finding }
}
