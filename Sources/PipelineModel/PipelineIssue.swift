/// One problem found in a pipeline, located by the path of the field that holds it.
///
/// The YAML layer turns ``path`` (plus ``offset`` inside a string) into `file:line:column`.
public struct PipelineIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// One step of a field path.
    public enum PathComponent: Sendable, Hashable, CustomStringConvertible {
        /// A mapping key.
        case key(String)
        /// A sequence index.
        case index(Int)

        /// `key` or `[index]`.
        public var description: String {
            switch self {
            case .key(let key): return key
            case .index(let index): return "[\(index)]"
            }
        }
    }

    /// Where the problem is, e.g. `tasks`, `train`, `needs`, `[1]`.
    public var path: [PathComponent]
    /// What is wrong and how to fix it.
    public var message: String
    /// Character offset inside the string at ``path`` (for expressions), if known.
    public var offset: Int?
    /// Whether the problem points at the mapping key itself rather than its value.
    public var atKey: Bool

    /// Creates an issue.
    public init(_ message: String, at path: [PathComponent], offset: Int? = nil, atKey: Bool = false) {
        self.path = path
        self.message = message
        self.offset = offset
        self.atKey = atKey
    }

    /// The dotted path, e.g. `tasks.train.needs[1]`.
    public var pathText: String {
        var out = ""
        for component in path {
            switch component {
            case .key(let key): out += out.isEmpty ? key : ".\(key)"
            case .index: out += component.description
            }
        }
        return out
    }

    /// `path: message`.
    public var description: String { pathText.isEmpty ? message : "\(pathText): \(message)" }
}

/// Every problem found in a pipeline, thrown at once so a user can fix them all in one pass.
public struct PipelineValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in the order they were found.
    public var issues: [PipelineIssue]

    /// Wraps `issues`.
    public init(issues: [PipelineIssue]) { self.issues = issues }

    /// One problem per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Finds the nearest known name to a misspelled one, for "did you mean" hints.
public enum Suggestion {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo. Of equally close
    /// candidates, the one that sorts first, so the hint does not depend on the order of `candidates` (often a
    /// dictionary's keys, whose order changes from one process to the next).
    public static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        let lowered = name.lowercased()
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            guard distance <= max(1, min(3, candidate.count / 3 + 1)) else { continue }
            if let (current, currentDistance) = best, distance > currentDistance || (distance == currentDistance && current <= candidate) {
                continue
            }
            best = (candidate, distance)
        }
        return best?.0
    }

    /// ` (did you mean 'x'?)` or an empty string.
    public static func hint(for name: String, in candidates: some Sequence<String>) -> String {
        nearest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
