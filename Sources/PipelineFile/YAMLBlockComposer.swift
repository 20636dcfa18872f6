/// Composes the YAML that pipeline files are written in without libyaml, several times faster: block mappings and
/// lists, one-line flow collections (`{ a: 1 }`, `[a, b]`), plain and quoted one-line scalars, literal block scalars
/// (`|`, `|-`, `|+`) and comments.
///
/// Anything else gives `nil`, and ``YAMLComposer`` composes the text with libyaml instead: control characters (tabs
/// and `\r` included) and line breaks other than `\n`, anchors, aliases, tags, folded or multi-line scalars, empty
/// values, complex keys, more than one document, every syntax error, and a document past ``PipelineFile/Limits``.
/// So the nodes, their marks and every message about bad input are libyaml's either way; this only finds the same
/// nodes sooner where it is sure. The tests and the `pipeline-file` fuzz target compose texts both ways and compare
/// (``YAMLComposerCheck``).
struct YAMLBlockComposer {
    /// The text leaves what this composer reads: libyaml composes it.
    private struct Unsupported: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    private var position = 0
    /// The 1-based line of `position`, and where that line starts.
    private var line = 1
    private var lineStart = 0
    /// Values composed so far (keys included), for ``PipelineFile/Limits/maximumValues``.
    private var count = 0
    /// Whether the text is all ASCII: columns (which count characters, as libyaml's do) are then byte offsets.
    private var ascii = true
    /// Otherwise, the last column counted: the byte it was counted at, and its column. Counting goes on from there,
    /// so a long line is counted once, not once per value on it.
    private var counted = (index: 0, column: 1)

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The document's root, or `nil` when the text is not in the subset this composer reads.
    static func compose(_ bytes: UnsafeBufferPointer<UInt8>) -> YAMLNode? {
        guard let ascii = characters(of: bytes) else { return nil }
        var composer = YAMLBlockComposer(bytes: bytes)
        composer.ascii = ascii
        return try? composer.document()
    }

    /// Whether the text is all ASCII (a column is then a byte offset), or `nil` when it holds a character libyaml
    /// treats specially: a control character (tab and `\r` included), a line break other than `\n` (U+0085,
    /// U+2028, U+2029), a byte order mark, or U+FFFE/U+FFFF. The bytes are valid UTF-8: they come from a `String`.
    private static func characters(of bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var ascii = true
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while they are all printable ASCII or `\n` (most of a file); any other byte is
            // looked at below.
            if index + 8 <= bytes.count, Self.printable(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(
                as: UInt64.self))
            {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte < 0x80 {
                guard byte >= 0x20 && byte != 0x7F || byte == newline else { return nil }
                index += 1
                continue
            }
            ascii = false
            let width = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
            var scalar = UInt32(byte) & (0xFF >> (width + 1))
            for offset in 1..<width { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
            switch scalar {
            case 0x80..<0xA0, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return nil
            default: index += width
            }
        }
        return ascii
    }

    /// Whether each byte of `word` is printable ASCII (0x20…0x7E) or `\n`: per byte, without branches.
    static func printable(_ word: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        guard word & high == 0 else { return false }  // a byte ≥ 0x80
        // With every byte below 0x80, no sum below carries into the next byte: high bits are per-byte answers.
        let atLeastSpace = (word &+ 0x6060_6060_6060_6060) & high
        func nonzero(_ value: UInt64) -> UInt64 { ((value & low) &+ low | value) & high }
        let notDelete = nonzero(word ^ low)
        let newline = ~nonzero(word ^ 0x0A0A_0A0A_0A0A_0A0A) & high
        return (atLeastSpace & notDelete) | newline == high
    }

    // MARK: Structure

    private mutating func document() throws(Unsupported) -> YAMLNode {
        guard try nextContentLine() else { throw Unsupported() }  // an empty document
        let root = try blockNode(depth: 1)
        guard position == bytes.count else { throw Unsupported() }  // text less indented than the root
        return root
    }

    /// The block mapping or list at `position` (the first character of its line).
    private mutating func blockNode(depth: Int) throws(Unsupported) -> YAMLNode {
        if current == dash, isBlankOrEnd(at: position + 1) {
            return try blockSequence(indent: column, indentless: false, depth: depth)
        }
        let mark = mark
        try enter(depth: depth)
        let key = try scalar(depth: depth + 1, flow: false)
        return try blockMapping(startingWith: key, at: mark, depth: depth)
    }

    /// A block mapping whose first key, at `mark`, is composed; `position` is at the `:` that should follow it.
    private mutating func blockMapping(startingWith firstKey: YAMLNode, at mark: YAMLNode.Mark, depth: Int)
        throws(Unsupported) -> YAMLNode
    {
        let indent = mark.column
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        pairs.reserveCapacity(Self.usualCount)
        var key = firstKey
        while true {
            // A simple key: on one line, followed by ':' and a blank, shorter than libyaml's 1,024 characters.
            guard current == colon, isBlankOrEnd(at: position + 1), column - indent < 1000 else { throw Unsupported() }
            position += 1
            pairs.append((key, try blockValue(owner: indent, inMapping: true, depth: depth + 1)))
            guard position < bytes.count, column >= indent else { break }
            guard column == indent, !(current == dash && isBlankOrEnd(at: position + 1)) else { throw Unsupported() }
            key = try scalar(depth: depth + 1, flow: false)
        }
        return .mapping(YAMLNode.Mapping(pairs: pairs, mark: mark))
    }

    /// Room made for a collection's entries before the first: most hold a few (a task's fields, its inputs, its
    /// needs), and an array grown from empty is reallocated at one, two and four entries.
    private static var usualCount: Int { 4 }

    /// A block list whose first `-` is at `position`. An indentless list (the value of a key, its `-` in the key's
    /// column) ends at the next key; a nested one must end at a less indented line.
    private mutating func blockSequence(indent: Int, indentless: Bool, depth: Int) throws(Unsupported) -> YAMLNode {
        let mark = mark
        try enter(depth: depth)
        var items: [YAMLNode] = []
        items.reserveCapacity(Self.usualCount)
        while true {
            position += 1  // the '-'
            skipSpaces()
            if current == quote || current == doubleQuote || canStartPlain(flow: false) {
                // A scalar, or the first key of a mapping written on the entry's line (`- name: x`).
                let itemMark = self.mark
                let scalar = try scalar(depth: depth + 1, flow: false)
                if current == colon {
                    // The mapping is the item (one level down), its key one level further.
                    guard depth + 2 <= PipelineFile.Limits.maximumDepth else { throw Unsupported() }
                    try enter(depth: depth + 1)
                    items.append(try blockMapping(startingWith: scalar, at: itemMark, depth: depth + 1))
                } else {
                    try finishLine()
                    _ = try nextContentLine()
                    items.append(scalar)
                }
            } else {
                items.append(try blockValue(owner: indent, inMapping: false, depth: depth + 1))
            }
            guard position < bytes.count, column >= indent else { break }
            guard column == indent else { throw Unsupported() }
            guard current == dash, isBlankOrEnd(at: position + 1) else {
                if indentless { break }  // the next key of the mapping that holds the list
                throw Unsupported()
            }
        }
        return .sequence(YAMLNode.Sequence(items: items, mark: mark))
    }

    /// The value after a key's `:` or a list's `-`, in a collection at column `owner`: on the same line, or on the
    /// lines below. Returns at the first character of the next line with content (or at the end).
    private mutating func blockValue(owner: Int, inMapping: Bool, depth: Int) throws(Unsupported) -> YAMLNode {
        skipSpaces()
        let node: YAMLNode
        switch current {
        case newline, end, hash:
            try finishLine()
            guard try nextContentLine() else { throw Unsupported() }  // an empty value (null) at the end
            if column > owner { return try blockNode(depth: depth) }
            if inMapping, column == owner, current == dash, isBlankOrEnd(at: position + 1) {
                return try blockSequence(indent: owner, indentless: true, depth: depth)
            }
            throw Unsupported()  // an empty value (null)
        case pipe:
            return try literal(owner: owner, depth: depth)
        case openBrace, openBracket:
            node = try flowNode(depth: depth)
        default:
            node = try scalar(depth: depth, flow: false)  // `a: b: c` stops at the second ':', refused below
        }
        try finishLine()
        _ = try nextContentLine()
        return node
    }

    // MARK: Flow collections (on one line)

    private mutating func flowNode(depth: Int) throws(Unsupported) -> YAMLNode {
        switch current {
        case openBrace: return try flowCollection(closing: closeBrace, depth: depth)
        case openBracket: return try flowCollection(closing: closeBracket, depth: depth)
        default: return try scalar(depth: depth, flow: true)
        }
    }

    /// `{ key: value, … }` or `[item, …]`, closed on the same line, without a trailing comma.
    private mutating func flowCollection(closing: UInt8, depth: Int) throws(Unsupported) -> YAMLNode {
        let mark = mark
        let isMapping = closing == closeBrace
        try enter(depth: depth)
        position += 1
        skipSpaces()
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var items: [YAMLNode] = []
        if isMapping { pairs.reserveCapacity(Self.usualCount) } else { items.reserveCapacity(Self.usualCount) }
        if current == closing {
            position += 1
        } else {
            while true {
                if isMapping {
                    guard current != openBrace, current != openBracket else { throw Unsupported() }  // a complex key
                    let keyColumn = column
                    let key = try scalar(depth: depth + 1, flow: true)
                    guard current == colon, byte(at: position + 1) == space, column - keyColumn < 1000 else {
                        throw Unsupported()
                    }
                    position += 1
                    skipSpaces()
                    pairs.append((key, try flowNode(depth: depth + 1)))
                } else {
                    items.append(try flowNode(depth: depth + 1))
                }
                skipSpaces()
                if current == comma {
                    position += 1
                    skipSpaces()
                    guard current != closing else { throw Unsupported() }  // a trailing comma
                } else if current == closing {
                    position += 1
                    break
                } else {
                    throw Unsupported()  // `[a: b]`, a line break, a comment, …
                }
            }
        }
        return isMapping
            ? .mapping(YAMLNode.Mapping(pairs: pairs, mark: mark))
            : .sequence(YAMLNode.Sequence(items: items, mark: mark))
    }

    // MARK: Scalars

    /// A plain, single-quoted or double-quoted scalar on the current line; `position` ends after it (before a plain
    /// scalar's trailing spaces).
    private mutating func scalar(depth: Int, flow: Bool) throws(Unsupported) -> YAMLNode {
        let mark = mark
        try enter(depth: depth)
        let string: String, style: YAMLNode.Scalar.Style
        switch current {
        case quote: (string, style) = (try singleQuoted(), .singleQuoted)
        case doubleQuote: (string, style) = (try doubleQuoted(), .doubleQuoted)
        default:
            guard canStartPlain(flow: flow) else { throw Unsupported() }
            (string, style) = (try plain(flow: flow), .plain)
        }
        return .scalar(YAMLNode.Scalar(string: string, style: style, tag: style == .plain ? .implicit : .string,
                                       mark: mark))
    }

    /// Whether a plain scalar may start here (libyaml's rule, narrowed: never `?` or `:`, and `-` only before a
    /// character that cannot end the scalar).
    private func canStartPlain(flow: Bool) -> Bool {
        switch current {
        case space, newline, end, comma, openBracket, closeBracket, openBrace, closeBrace, hash, ampersand, star,
            exclamation, pipe, greater, quote, doubleQuote, percent, at, backtick, question, colon:
            return false
        case dash:
            let next = byte(at: position + 1)
            return !(next == space || next == newline || next == end || next == colon || next == hash)
                && !(flow && isFlowIndicator(next))
        default:
            return true
        }
    }

    /// A one-line plain scalar: up to `: `, ` #`, the line's end and, in a flow collection, `,[]{}`.
    private mutating func plain(flow: Bool) throws(Unsupported) -> String {
        let start = position
        var contentEnd = position
        scan: while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case newline:
                break scan
            case colon:
                if isBlankOrEnd(at: position + 1) { break scan }
                if flow { throw Unsupported() }  // `a:b` in a flow collection: libyaml reads it its own way
            case hash:
                if bytes[position - 1] == space { break scan }
            case comma, openBracket, closeBracket, openBrace, closeBrace:
                if flow { break scan }
            default:
                break
            }
            position += 1
            if byte != space { contentEnd = position }
        }
        position = contentEnd
        return text(start..<contentEnd)
    }

    /// `'…'` on one line, `''` standing for `'`.
    private mutating func singleQuoted() throws(Unsupported) -> String {
        position += 1
        let start = position
        var doubled = false
        while true {
            guard position < bytes.count, bytes[position] != newline else { throw Unsupported() }
            if bytes[position] == quote {
                guard byte(at: position + 1) == quote else { break }
                doubled = true
                position += 1
            }
            position += 1
        }
        let string = text(start..<position)
        position += 1
        return doubled ? string.replacing("''", with: "'") : string
    }

    /// `"…"` on one line, with the escapes `\\ \" \/ \n \t` (any other is left to libyaml).
    private mutating func doubleQuoted() throws(Unsupported) -> String {
        position += 1
        let start = position
        var escaped: [UInt8]?
        while true {
            guard position < bytes.count, bytes[position] != newline else { throw Unsupported() }
            let byte = bytes[position]
            if byte == doubleQuote { break }
            if byte == backslash {
                let meaning: UInt8
                switch self.byte(at: position + 1) {
                case backslash: meaning = backslash
                case doubleQuote: meaning = doubleQuote
                case slash: meaning = slash
                case UInt8(ascii: "n"): meaning = newline
                case UInt8(ascii: "t"): meaning = UInt8(ascii: "\t")
                default: throw Unsupported()
                }
                if escaped == nil { escaped = Array(bytes[start..<position]) }
                escaped?.append(meaning)
                position += 2
                continue
            }
            escaped?.append(byte)
            position += 1
        }
        let string = escaped.map { String(decoding: $0, as: UTF8.self) } ?? text(start..<position)
        position += 1
        return string
    }

    /// A literal block scalar (`|`, `|-`, `|+`, optionally followed by a comment) in a collection at column `owner`.
    /// Its indentation is its first line's, which must come right after the header: leading empty lines, an
    /// indentation indicator and an empty scalar are left to libyaml. Returns at the next line with content.
    private mutating func literal(owner: Int, depth: Int) throws(Unsupported) -> YAMLNode {
        let mark = mark
        try enter(depth: depth)
        position += 1
        var chomping = 0  // -1 strip, 0 clip, 1 keep
        if current == dash { chomping = -1; position += 1 } else if current == plus { chomping = 1; position += 1 }
        guard current == space || current == newline else { throw Unsupported() }
        try finishLine()
        var first = position
        while first < bytes.count, bytes[first] == space { first += 1 }
        let indent = first - position  // spaces before the content
        guard first < bytes.count, bytes[first] != newline, indent >= owner else { throw Unsupported() }

        // As libyaml joins them: a line break before each line after the first, one per empty line in between; at
        // the end, the last line's break unless stripped, and the empty lines after it when kept.
        var string: [UInt8] = []
        var leadingBreak = false
        var emptyLines = 0
        while position < bytes.count {
            var index = position
            while index < bytes.count, bytes[index] == space, index - position < indent { index += 1 }
            if index == bytes.count || bytes[index] == newline {
                guard index < bytes.count else { position = index; break }  // spaces at the very end
                emptyLines += 1
                startLine(after: index)
                continue
            }
            if index - position < indent { break }  // a less indented line ends the scalar
            if leadingBreak { string.append(newline) }
            string.append(contentsOf: repeatElement(newline, count: emptyLines))
            leadingBreak = false
            emptyLines = 0
            var lineEnd = index
            while lineEnd < bytes.count, bytes[lineEnd] != newline { lineEnd += 1 }
            string.append(contentsOf: bytes[index..<lineEnd])
            guard lineEnd < bytes.count else { position = lineEnd; break }
            leadingBreak = true
            startLine(after: lineEnd)
        }
        if chomping != -1, leadingBreak { string.append(newline) }
        if chomping == 1 { string.append(contentsOf: repeatElement(newline, count: emptyLines)) }
        _ = try nextContentLine()
        return .scalar(YAMLNode.Scalar(string: String(decoding: string, as: UTF8.self), style: .literal, tag: .string,
                                       mark: mark))
    }

    // MARK: Lines

    /// From the start of a line, skips empty and comment-only lines and the next line's indentation. Returns whether
    /// a line with content is left (`position` at its first character). A document marker (`---` or `...` at the
    /// start of a line) is left to libyaml.
    private mutating func nextContentLine() throws(Unsupported) -> Bool {
        while position < bytes.count {
            var index = position
            while index < bytes.count, bytes[index] == space { index += 1 }
            guard index < bytes.count else { break }
            if bytes[index] == hash {
                while index < bytes.count, bytes[index] != newline { index += 1 }
                guard index < bytes.count else { break }
            }
            if bytes[index] == newline {
                startLine(after: index)
                continue
            }
            position = index
            if position == lineStart, isDocumentMarker { throw Unsupported() }
            return true
        }
        position = bytes.count
        return false
    }

    /// Whether the line at `position` starts with `---` or `...` followed by a blank or the end.
    private var isDocumentMarker: Bool {
        let first = byte(at: position)
        return (first == dash || first == UInt8(ascii: "."))
            && byte(at: position + 1) == first && byte(at: position + 2) == first && isBlankOrEnd(at: position + 3)
    }

    /// After a value: spaces and a comment to the end of the line, then past the line break.
    private mutating func finishLine() throws(Unsupported) {
        skipSpaces()
        if current == hash {
            guard bytes[position - 1] == space else { throw Unsupported() }  // `"a"#b` is no comment
            while position < bytes.count, bytes[position] != newline { position += 1 }
        }
        guard position < bytes.count else { return }
        guard bytes[position] == newline else { throw Unsupported() }
        startLine(after: position)
    }

    private mutating func startLine(after lineBreak: Int) {
        position = lineBreak + 1
        line += 1
        lineStart = position
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == space { position += 1 }
    }

    /// Counts a value, refusing the document past the limits (libyaml's composer then reports them).
    private mutating func enter(depth: Int) throws(Unsupported) {
        count += 1
        guard count <= PipelineFile.Limits.maximumValues, depth <= PipelineFile.Limits.maximumDepth else {
            throw Unsupported()
        }
    }

    // MARK: Bytes

    private var current: UInt8 { byte(at: position) }
    private var column: Int {
        mutating get {
            guard !ascii else { return position - lineStart + 1 }
            // One character per byte that does not continue a UTF-8 sequence, counted on from the last count when it
            // was on this line, before `position` (a column is only ever asked for further along).
            if counted.index < lineStart || counted.index > position { counted = (lineStart, 1) }
            for index in counted.index..<position where bytes[index] & 0xC0 != 0x80 { counted.column += 1 }
            counted.index = position
            return counted.column
        }
    }
    private var mark: YAMLNode.Mark { mutating get { YAMLNode.Mark(line: line, column: column) } }

    /// The byte at `index`, or ``end`` past the text (a NUL byte never gets here: ``characters(of:)``).
    private func byte(at index: Int) -> UInt8 { index < bytes.count ? bytes[index] : end }

    private func isBlankOrEnd(at index: Int) -> Bool {
        let byte = byte(at: index)
        return byte == space || byte == newline || byte == end
    }

    private func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == comma || byte == openBracket || byte == closeBracket || byte == openBrace || byte == closeBrace
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

private let end: UInt8 = 0
private let newline = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let hash = UInt8(ascii: "#")
private let colon = UInt8(ascii: ":")
private let dash = UInt8(ascii: "-")
private let plus = UInt8(ascii: "+")
private let comma = UInt8(ascii: ",")
private let pipe = UInt8(ascii: "|")
private let quote = UInt8(ascii: "'")
private let doubleQuote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let slash = UInt8(ascii: "/")
private let openBracket = UInt8(ascii: "[")
private let closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{")
private let closeBrace = UInt8(ascii: "}")
private let ampersand = UInt8(ascii: "&")
private let star = UInt8(ascii: "*")
private let exclamation = UInt8(ascii: "!")
private let greater = UInt8(ascii: ">")
private let percent = UInt8(ascii: "%")
private let at = UInt8(ascii: "@")
private let backtick = UInt8(ascii: "`")
private let question = UInt8(ascii: "?")
