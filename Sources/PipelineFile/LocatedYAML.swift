import Foundation
public import PipelineModel

/// A YAML value with the position of every node, for files other than pipelines (test files) whose readers report
/// problems as `file:line:column`, exactly as ``PipelineFile`` does.
///
/// Scalars follow the YAML 1.2 core schema as pipeline files do: quoted scalars are text, plain `yes` stays text.
/// The same limits apply (size, nesting, alias expansion), and a duplicate key is an error.
///
/// ```swift
/// let root = try LocatedYAML.load(path: "pipeline.test.yaml")
/// if case .mapping(let entries) = root?.value { for entry in entries { print(entry.key, entry.keyLine) } }
/// ```
public struct LocatedYAML: Sendable, Hashable {
    /// One member of a mapping: its key (text) with the key's position, and its value.
    public struct Entry: Sendable, Hashable {
        /// The key, as text.
        public var key: String
        /// The 1-based line of the key.
        public var keyLine: Int
        /// The 1-based column of the key.
        public var keyColumn: Int
        /// The value.
        public var value: LocatedYAML
    }

    /// What a node holds.
    public indirect enum Value: Sendable, Hashable {
        /// A scalar: text, a number, a boolean or null.
        case scalar(JSONValue)
        /// A sequence, in order.
        case sequence([LocatedYAML])
        /// A mapping, in the file's order.
        case mapping([Entry])
    }

    /// The 1-based line where the node starts.
    public var line: Int
    /// The 1-based column where the node starts.
    public var column: Int
    /// What it holds.
    public var value: Value

    /// Creates a node (readers' tests build them by hand).
    public init(line: Int, column: Int, value: Value) {
        self.line = line
        self.column = column
        self.value = value
    }

    /// The node as plain JSON (positions dropped).
    public var json: JSONValue {
        switch value {
        case .scalar(let scalar): return scalar
        case .sequence(let items): return .array(items.map(\.json))
        case .mapping(let entries):
            return .object(Dictionary(entries.map { ($0.key, $0.value.json) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// A short name of the node's shape for messages: `text`, `a number`, `a list`, `a mapping`, ….
    public var kindDescription: String {
        switch value {
        case .scalar(.string): return "text"
        case .scalar(.number): return "a number"
        case .scalar(.bool): return "a boolean"
        case .scalar(.null): return "null"
        case .scalar: return "a value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// Reads a YAML file.
    /// - Returns: The root node, or `nil` for an empty document.
    /// - Throws: ``PipelineFileError`` with every problem located (unreadable file, syntax, limits, duplicate keys).
    public static func load(path: String) throws(PipelineFileError) -> LocatedYAML? {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineFileError(diagnostics: [.init(
                path: path, line: 1, column: 1, message: "cannot read the file as UTF-8 text: check the path and encoding")])
        }
        return try parse(text, path: path)
    }

    /// Parses YAML text.
    /// - Parameters:
    ///   - text: The document.
    ///   - path: The file name used in diagnostics.
    /// - Returns: The root node, or `nil` for an empty document.
    /// - Throws: ``PipelineFileError`` with every problem located.
    public static func parse(_ text: String, path: String) throws(PipelineFileError) -> LocatedYAML? {
        let document: YAMLDocument
        switch YAMLDocument.compose(text) {
        case .failure(let error): throw PipelineFileError(findings: [error.finding], path: path)
        case .success(let composed): document = composed
        }
        guard let root = document.root else { return nil }
        var findings: [Finding] = []
        let located = convert(root, document: document, findings: &findings)
        if !findings.isEmpty { throw PipelineFileError(findings: findings, path: path) }
        return located
    }

    private static func convert(_ node: YAMLNode, document: YAMLDocument, findings: inout [Finding]) -> LocatedYAML {
        let (line, column) = document.position(of: node)
        switch node {
        case .scalar(let scalar):
            let value: JSONValue
            switch ScalarKind(scalar) {
            case .string: value = .string(scalar.string)
            case .null: value = .null
            case .bool: value = .bool(scalar.string.lowercased() == "true")
            case .integer, .float:
                guard let number = ScalarKind.numberValue(scalar.string), number.isFinite else {
                    findings.append(Finding(line: line, column: column,
                        message: "'\(scalar.string)' is not a finite number; quote it to keep it as text"))
                    return LocatedYAML(line: line, column: column, value: .scalar(.null))
                }
                value = .number(number)
            }
            return LocatedYAML(line: line, column: column, value: .scalar(value))
        case .sequence(let sequence):
            return LocatedYAML(line: line, column: column, value: .sequence(sequence.map {
                convert($0, document: document, findings: &findings)
            }))
        case .mapping(let mapping):
            var entries: [Entry] = []
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                let (keyLine, keyColumn) = document.position(of: keyNode)
                guard let key = keyNode.scalarValue?.string else {
                    findings.append(Finding(line: keyLine, column: keyColumn,
                        message: "a key must be text, not \(keyNode.kindDescription)"))
                    continue
                }
                if !seen.insert(key).inserted {
                    findings.append(Finding(line: keyLine, column: keyColumn,
                        message: "duplicate key '\(key)': each key may appear once in a mapping"))
                }
                entries.append(Entry(key: key, keyLine: keyLine, keyColumn: keyColumn,
                                     value: convert(valueNode, document: document, findings: &findings)))
            }
            return LocatedYAML(line: line, column: column, value: .mapping(entries))
        }
    }
}
