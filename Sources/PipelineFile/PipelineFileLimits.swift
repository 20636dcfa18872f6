import Yams

extension PipelineFile {
    /// The limits a pipeline file must stay within, so that no input can make reading it crash, hang or take
    /// unbounded memory. Each is reported at `file:line:column` with its number (see "Limits" in
    /// `docs/pipeline-file.md`).
    public enum Limits {
        /// The largest pipeline file read: 1 MiB (1,048,576 bytes).
        public static let maximumBytes = 1_048_576

        /// The deepest nesting of mappings and lists, counting the top-level mapping as level 1: 64.
        public static let maximumDepth = 64

        /// The most values (scalars, mappings and lists, keys included) a file may hold once its aliases (`*x`) are
        /// expanded: 200,000. A file without aliases that fits in ``maximumBytes`` rarely comes near it; a file whose
        /// aliases multiply (an "alias bomb") is refused before anything is expanded.
        public static let maximumValues = 200_000

        /// The longest mapping key: 256 characters.
        public static let maximumKeyLength = 256
    }
}

/// Finds the places where the YAML parser may read an alias (`*name`), so that a file's aliases can be measured
/// before the parser expands them.
///
/// The parser reads `*` as an alias only where a token starts: at the start of a line, after a blank or after an
/// indicator. The scan takes every `*` followed by an anchor name (`[0-9A-Za-z_-]+`, as libyaml reads names) after
/// such a character, in quoted text and comments too: taking a few that are not aliases costs nothing, missing one
/// would let it expand unmeasured.
enum AliasScan {
    /// Stands for `*` in the measuring copy of the text; a plain scalar that starts with it is an alias.
    static let marker: Unicode.Scalar = "\u{F8FF}"

    /// Whether `scalar` may appear in an anchor name.
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "A"..."Z", "a"..."z", "_", "-": true
        default: false
        }
    }

    /// Indices of the `*` that may start an alias.
    static func candidates(in scalars: [Unicode.Scalar]) -> [Int] {
        var result: [Int] = []
        for index in scalars.indices where scalars[index] == "*" {
            guard index + 1 < scalars.count, isNameScalar(scalars[index + 1]) else { continue }
            if index == 0 || " \t\r\n[]{},:?-\"'".unicodeScalars.contains(scalars[index - 1]) { result.append(index) }
        }
        return result
    }

    /// The anchor name of a measuring-copy scalar that stands for an alias, or `nil`.
    static func aliasName(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
            scalar.string.unicodeScalars.first == marker
        else { return nil }
        let name = scalar.string.unicodeScalars.dropFirst().prefix(while: isNameScalar)
        return name.isEmpty ? nil : String(String.UnicodeScalarView(name))
    }
}

/// Checks a composed tree against ``PipelineFile/Limits`` without recursion: nesting depth and the number of values
/// after alias expansion. Returns the first problem, located, or `nil`.
///
/// On the measuring copy of a file (aliases replaced by ``AliasScan/marker`` scalars), an alias counts as the size
/// of what its anchor holds, so an alias bomb is refused at the alias that passes the limit without being expanded.
/// On a tree whose aliases the parser has already expanded, a repeated visit of an anchored node is an expansion.
enum YAMLLimitCheck {
    private struct AnchorSite: Hashable {
        let name: String
        let line: Int
        let column: Int
    }

    private enum Step {
        case enter(Node, depth: Int, expansion: AnchorSite?)
        case exit(anchor: String, countBefore: Int, depth: Int)
    }

    static func check(_ root: Node) -> Finding? {
        let maximumValues = PipelineFile.Limits.maximumValues
        let maximumDepth = PipelineFile.Limits.maximumDepth
        var steps = [Step.enter(root, depth: 1, expansion: nil)]
        var visitedAnchors = Set<AnchorSite>()
        /// Expanded size and height of the latest node holding each anchor.
        var anchored: [String: (count: Int, height: Int)] = [:]
        /// For each anchored node being walked, the deepest level reached inside it.
        var deepest: [Int] = []
        var count = 0
        func reach(_ depth: Int) {
            if let last = deepest.indices.last { deepest[last] = max(deepest[last], depth) }
        }
        while let step = steps.popLast() {
            switch step {
            case .exit(let anchor, let countBefore, let depth):
                let reached = deepest.removeLast()
                anchored[anchor] = (count - countBefore, reached - depth + 1)
                reach(reached)
            case .enter(let node, let depth, let outer):
                // Located only for a finding or an anchor: most nodes need no position.
                var line: Int { node.mark?.line ?? 1 }
                var column: Int { node.mark?.column ?? 1 }
                if let name = AliasScan.aliasName(node) {
                    let (size, height) = anchored[name] ?? (1, 1)
                    count += size
                    reach(depth + height - 1)
                    if count > maximumValues {
                        return Finding(
                            line: line, column: column,
                            message: "this alias (*\(name)) expands the file to more than \(maximumValues.formatted) "
                                + "values (the limit); write the values out, use 'defaults:' for shared task fields, "
                                + "or use fewer aliases")
                    }
                    if depth + height - 1 > maximumDepth {
                        return Finding(
                            line: line, column: column,
                            message: "this alias (*\(name)) nests what it stands for more than \(maximumDepth) levels "
                                + "deep (the limit); flatten the structure")
                    }
                    continue
                }
                count += 1
                reach(depth)
                var expansion = outer
                if let anchor = node.anchor {
                    let site = AnchorSite(name: anchor.rawValue, line: line, column: column)
                    if !visitedAnchors.insert(site).inserted { expansion = expansion ?? site }
                    steps.append(.exit(anchor: anchor.rawValue, countBefore: count - 1, depth: depth))
                    deepest.append(depth)
                }
                if count > maximumValues {
                    if let site = expansion {
                        return Finding(
                            line: site.line, column: site.column,
                            message: "aliases of the anchor '&\(site.name)' defined here expand the file to more than "
                                + "\(maximumValues.formatted) values (the limit); write the values out, use "
                                + "'defaults:' for shared task fields, or use fewer aliases")
                    }
                    return Finding(
                        line: line, column: column,
                        message: "the file holds more than \(maximumValues.formatted) values (the limit) by this point; "
                            + "split the pipeline, or read large data from a file instead of writing it in params")
                }
                if depth > maximumDepth { return Finding(line: line, column: column, message: tooDeepMessage) }
                switch node {
                case .scalar, .alias: break
                case .sequence(let sequence):
                    // Last first, by index (Yams' collections are not bidirectional: reversed() would copy them).
                    var index = sequence.endIndex
                    while index > sequence.startIndex {
                        index -= 1
                        steps.append(.enter(sequence[index], depth: depth + 1, expansion: expansion))
                    }
                case .mapping(let mapping):
                    var index = mapping.endIndex
                    while index > mapping.startIndex {
                        index -= 1
                        let (key, value) = mapping[index]
                        steps.append(.enter(value, depth: depth + 1, expansion: expansion))
                        steps.append(.enter(key, depth: depth + 1, expansion: expansion))
                    }
                }
            }
        }
        return nil
    }

    static let tooDeepMessage =
        "mappings and lists nest more than \(PipelineFile.Limits.maximumDepth) levels deep here (the limit); "
        + "flatten the structure, or read deeply nested data from a file"
}

extension Int {
    /// `200,000`: digits grouped by thousands, for messages.
    var formatted: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}
