
extension YAMLDocument {
    /// Where `node` starts: its first character (the opening quote or block indicator for such scalars).
    func position(of node: YAMLNode) -> (line: Int, column: Int) {
        let mark = node.mark
        return (mark.line, mark.column)
    }

    /// Where the character at `offset` of a scalar's value sits in the source.
    ///
    /// Exact for single-line plain and quoted scalars (escapes and the opening quote accounted for) and for literal
    /// block scalars (`|`); for other shapes (folded, multi-line plain), the scalar's start.
    func position(inside node: YAMLNode, offset: Int) -> (line: Int, column: Int) {
        guard case .scalar(let scalar) = node, case let mark = scalar.mark, mark.line >= 1, mark.line <= lines.count
        else { return position(of: node) }
        let value = scalar.string
        let before = value.prefix(max(0, offset))
        let target = before.unicodeScalars.count
        let line = lines[mark.line - 1]
        let start = mark.column - 1
        let located: (Int, Int)?
        switch scalar.style {
        case .plain:
            let valueScalars = Array(value.unicodeScalars)
            let fits =
                !value.contains("\n") && start + valueScalars.count <= line.count
                && Array(line[start..<(start + valueScalars.count)]) == valueScalars
            located = fits ? (mark.line, mark.column + target) : nil
        case .singleQuoted:
            located = quotedColumn(in: line, after: start, target: target, double: false).map { (mark.line, $0) }
        case .doubleQuoted:
            located = quotedColumn(in: line, after: start, target: target, double: true).map { (mark.line, $0) }
        case .literal:
            located = literalPosition(header: mark, value: value, before: before)
        case .folded:
            located = nil
        }
        return located ?? (mark.line, mark.column)
    }

    /// The 1-based column of value scalar `target` inside a quoted scalar opening at `quote`, if on this line.
    private func quotedColumn(in line: [Unicode.Scalar], after quote: Int, target: Int, double: Bool) -> Int? {
        var index = quote + 1
        var produced = 0
        while produced < target {
            guard index < line.count else { return nil }
            let scalar = line[index]
            if double {
                if scalar == "\"" { return nil }
                if scalar == "\\" {
                    guard index + 1 < line.count else { return nil }
                    let escape = line[index + 1]
                    index += 2 + (escape == "x" ? 2 : escape == "u" ? 4 : escape == "U" ? 8 : 0)
                } else {
                    index += 1
                }
            } else {
                if scalar == "'" {
                    guard index + 1 < line.count, line[index + 1] == "'" else { return nil }
                    index += 2
                } else {
                    index += 1
                }
            }
            produced += 1
        }
        return index + 1
    }

    /// Line and column of a position inside a literal block scalar whose indicator (`|`) is at `header`.
    private func literalPosition(header: YAMLNode.Mark, value: String, before: Substring) -> (Int, Int)? {
        let headerText = lines[header.line - 1].dropFirst(header.column - 1)
        let indicator = headerText.prefix(while: { $0 != " " && $0 != "#" })
        // An explicit indentation indicator (`|2`): give up rather than guess.
        guard !indicator.contains(where: { $0.properties.numericType != nil }) else { return nil }
        let contentStart = header.line  // 0-based index of the first content line
        guard
            let firstContent = lines.indices.dropFirst(contentStart).first(where: { lines[$0].contains { $0 != " " } })
        else { return nil }
        let indent = lines[firstContent].prefix { $0 == " " }.count
        let lineIndex = before.filter { $0 == "\n" }.count
        let column = (before.split(separator: "\n", omittingEmptySubsequences: false).last ?? "").unicodeScalars.count
        let valueLines = value.split(separator: "\n", omittingEmptySubsequences: false)
        let sourceIndex = contentStart + lineIndex
        guard lineIndex < valueLines.count, sourceIndex < lines.count,
            Array(lines[sourceIndex].dropFirst(indent)) == Array(valueLines[lineIndex].unicodeScalars)
        else { return nil }
        return (sourceIndex + 1, indent + column + 1)
    }
}
