import CYaml

/// Composes YAML text into ``YAMLNode``s from libyaml's parser events, checking ``PipelineFile/Limits`` as it goes.
///
/// - Aliases are measured, never expanded: an alias counts the values its anchor holds and the levels it nests, so a
///   file whose aliases multiply (an "alias bomb") is refused at the alias that passes the limit, and an accepted
///   alias costs no more than a reference to its anchor's node.
/// - Nesting is refused at the first node past ``PipelineFile/Limits/maximumDepth``, long before libyaml's own bound.
/// - A repeated mapping key is kept: readers report every one, with both positions.
/// - Plain scalars are not resolved here; ``ScalarKind`` gives them their meaning (YAML 1.2 core schema).
///
/// A syntax error anywhere in the file is reported before a limit: once a limit is passed, the rest of the file is
/// only parsed, to find one.
struct YAMLComposer {
    /// Why composing stopped.
    private enum Stop: Error {
        /// libyaml refused the text; its parser holds the problem.
        case syntax
        /// A problem found while composing (a limit, an undefined alias, a second document).
        case finding(Finding, isLimit: Bool)
    }

    /// An anchored node and what an alias of it weighs.
    private struct Anchored {
        let node: YAMLNode
        /// The values the node holds, itself included, its aliases expanded.
        let count: Int
        /// The levels it spans, itself included.
        let height: Int
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private var event = yaml_event_t()
    private var anchors: [String: Anchored] = [:]
    /// Values so far, aliases counted as what they stand for.
    private var count = 0
    /// For each anchored node being composed, the deepest level reached inside it.
    private var deepest: [Int] = []

    private init(parser: UnsafeMutablePointer<yaml_parser_t>) { self.parser = parser }

    /// Composes `text`: its root, `nil` for an empty document, or the first problem, located.
    ///
    /// Text in the shape most pipeline files have is composed by ``YAMLBlockComposer``, the rest by libyaml
    /// (`blockComposer: false` always uses libyaml: the tests compare the two).
    static func compose(_ text: String, blockComposer: Bool = true) -> Result<YAMLNode?, FindingError> {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            if blockComposer, let root = YAMLBlockComposer.compose(bytes) { return .success(root) }
            return compose(bytes: bytes, of: text)
        } ?? .success(nil)  // unreachable: a contiguous string always has contiguous storage
    }

    private static func compose(bytes: UnsafeBufferPointer<UInt8>, of text: String) -> Result<YAMLNode?, FindingError> {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .success(nil) }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return .failure(FindingError(Finding(line: 1, column: 1, message: "invalid YAML: out of memory")))
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, base, bytes.count)
        var composer = YAMLComposer(parser: parser)
        defer { yaml_event_delete(&composer.event) }
        do throws(Stop) {
            return .success(try composer.document())
        } catch {
            switch error {
            case .syntax: return .failure(FindingError(composer.syntaxFinding(in: text)))
            case .finding(let finding, isLimit: false): return .failure(FindingError(finding))
            case .finding(let finding, isLimit: true): return .failure(FindingError(composer.drain(in: text) ?? finding))
            }
        }
    }

    // MARK: Events

    /// Reads the next event (releasing the previous one) and returns its type.
    @discardableResult
    private mutating func next() throws(Stop) -> yaml_event_type_t {
        yaml_event_delete(&event)
        guard yaml_parser_parse(parser, &event) == 1 else { throw .syntax }
        return event.type
    }

    /// The current event's start.
    private var mark: YAMLNode.Mark {
        YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
    }

    /// A NUL-terminated libyaml string (an anchor, a tag), or `nil`.
    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    // MARK: Composing

    private mutating func document() throws(Stop) -> YAMLNode? {
        try next()  // stream start
        guard try next() != YAML_STREAM_END_EVENT else { return nil }
        try next()  // the document start is read: its first node
        let root = try node(depth: 1)
        try next()  // document end
        if try next() != YAML_STREAM_END_EVENT { throw .finding(anotherDocument(at: mark), isLimit: false) }
        return root
    }

    /// Composes the node the current event starts, at `depth` (the root is 1).
    private mutating func node(depth: Int) throws(Stop) -> YAMLNode {
        let mark = mark
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw .finding(Finding(line: mark.line, column: mark.column, message: "invalid YAML: found undefined alias"),
                               isLimit: false)
            }
            count += anchored.count
            let reached = depth + anchored.height - 1
            reach(reached)
            if count > PipelineFile.Limits.maximumValues {
                throw .finding(Finding(
                    line: mark.line, column: mark.column,
                    message: "this alias (*\(name)) expands the file to more than "
                        + "\(PipelineFile.Limits.maximumValues.formatted) values (the limit); write the values out, use "
                        + "'defaults:' for shared task fields, or use fewer aliases"), isLimit: true)
            }
            if reached > PipelineFile.Limits.maximumDepth {
                throw .finding(Finding(
                    line: mark.line, column: mark.column,
                    message: "this alias (*\(name)) nests what it stands for more than "
                        + "\(PipelineFile.Limits.maximumDepth) levels deep (the limit); flatten the structure"), isLimit: true)
            }
            return anchored.node
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let anchor = Self.text(scalar.anchor)
            try enter(depth: depth, at: mark, anchored: anchor != nil)
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let node = YAMLNode.scalar(YAMLNode.Scalar(
                string: value, style: Self.style(scalar.style),
                tag: scalar.quoted_implicit == 1 ? .string : Self.tag(scalar.tag), mark: mark))
            if let anchor { leave(anchor, node: node, depth: depth, countBefore: count - 1) }
            return node
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Self.text(event.data.sequence_start.anchor)
            try enter(depth: depth, at: mark, anchored: anchor != nil)
            let countBefore = count - 1
            var items: [YAMLNode] = []
            while try next() != YAML_SEQUENCE_END_EVENT {
                items.append(try node(depth: depth + 1))
            }
            let node = YAMLNode.sequence(YAMLNode.Sequence(items: items, mark: mark))
            if let anchor { leave(anchor, node: node, depth: depth, countBefore: countBefore) }
            return node
        case YAML_MAPPING_START_EVENT:
            let anchor = Self.text(event.data.mapping_start.anchor)
            try enter(depth: depth, at: mark, anchored: anchor != nil)
            let countBefore = count - 1
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            while try next() != YAML_MAPPING_END_EVENT {
                let key = try node(depth: depth + 1)
                try next()
                pairs.append((key, try node(depth: depth + 1)))
            }
            let node = YAMLNode.mapping(YAMLNode.Mapping(pairs: pairs, mark: mark))
            if let anchor { leave(anchor, node: node, depth: depth, countBefore: countBefore) }
            return node
        default:
            // libyaml only starts nodes where a node is due.
            throw .finding(Finding(line: mark.line, column: mark.column, message: "invalid YAML: a node was expected here"),
                           isLimit: false)
        }
    }

    /// Counts a node that is not an alias and checks the limits at it.
    private mutating func enter(depth: Int, at mark: YAMLNode.Mark, anchored: Bool) throws(Stop) {
        count += 1
        reach(depth)
        if anchored { deepest.append(depth) }
        if count > PipelineFile.Limits.maximumValues {
            throw .finding(Finding(
                line: mark.line, column: mark.column,
                message: "the file holds more than \(PipelineFile.Limits.maximumValues.formatted) values (the limit) by "
                    + "this point; split the pipeline, or read large data from a file instead of writing it in params"),
                isLimit: true)
        }
        if depth > PipelineFile.Limits.maximumDepth {
            throw .finding(Finding(line: mark.line, column: mark.column, message: Self.tooDeepMessage), isLimit: true)
        }
    }

    /// Records an anchored node once composed: what its aliases will count.
    private mutating func leave(_ anchor: String, node: YAMLNode, depth: Int, countBefore: Int) {
        let reached = deepest.removeLast()
        anchors[anchor] = Anchored(node: node, count: count - countBefore, height: reached - depth + 1)
        reach(reached)
    }

    /// Notes that the anchored node being composed (if any) reaches `depth`.
    private mutating func reach(_ depth: Int) {
        if let last = deepest.indices.last, deepest[last] < depth { deepest[last] = depth }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private static func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> YAMLNode.Scalar.Tag {
        guard let name = text(pointer) else { return .implicit }
        switch name {
        case "!": return .nonSpecific
        case "tag:yaml.org,2002:str": return .string
        case "tag:yaml.org,2002:int": return .integer
        case "tag:yaml.org,2002:float": return .float
        case "tag:yaml.org,2002:bool": return .bool
        case "tag:yaml.org,2002:null": return .null
        default: return .other
        }
    }

    // MARK: Problems

    static let tooDeepMessage =
        "mappings and lists nest more than \(PipelineFile.Limits.maximumDepth) levels deep here (the limit); "
        + "flatten the structure, or read deeply nested data from a file"

    private func anotherDocument(at mark: YAMLNode.Mark) -> Finding {
        Finding(line: mark.line, column: mark.column,
                message: "invalid YAML: a pipeline file holds one document; remove this '---' and what follows, or merge it")
    }

    /// After a limit: parses the rest of the file and returns the syntax error or second document found there, if any
    /// (libyaml's own nesting bound does not count: the limit was passed first).
    private mutating func drain(in text: String) -> Finding? {
        while true {
            yaml_event_delete(&event)
            guard yaml_parser_parse(parser, &event) == 1 else {
                let finding = syntaxFinding(in: text)
                return finding.message == Self.tooDeepMessage ? nil : finding
            }
            switch event.type {
            case YAML_STREAM_END_EVENT: return nil
            case YAML_DOCUMENT_START_EVENT: return anotherDocument(at: mark)  // the limit was passed in the first
            default: break
            }
        }
    }

    /// libyaml's error, located, as a message that says what to do where it can.
    private func syntaxFinding(in text: String) -> Finding {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_READER_ERROR:
            let (line, column) = Self.position(ofByte: state.problem_offset, in: text)
            return Finding(line: line, column: column, message: "cannot read the text as YAML: \(problem)")
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            let line = Int(state.problem_mark.line) + 1, column = Int(state.problem_mark.column) + 1
            if problem.hasPrefix("Maximum nesting level reached") {
                return Finding(line: line, column: column, message: Self.tooDeepMessage)
            }
            var message = "invalid YAML: \(problem)"
            if let context = state.context.map({ String(cString: $0) }) {
                message += " (\(context) at line \(state.context_mark.line + 1), column \(state.context_mark.column + 1))"
            }
            let lines = YAMLDocument.splitLines(Array(text.unicodeScalars))
            if line <= lines.count, column <= lines[line - 1].count, lines[line - 1][column - 1] == "\t" {
                message += "; indent with spaces, not tabs"
            }
            return Finding(line: line, column: column, message: message)
        default:
            return Finding(line: 1, column: 1, message: "invalid YAML: \(problem)")
        }
    }

    /// Line and column (in Unicode scalars) of the byte at `offset` of `text`.
    private static func position(ofByte offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1, consumed = 0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            guard consumed < offset else { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n" {
                if previous != "\r" { line += 1 }
                column = 1
            } else if scalar == "\r" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            previous = scalar
        }
        return (line, column)
    }
}
