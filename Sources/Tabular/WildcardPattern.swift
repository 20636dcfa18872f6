/// A file-name pattern with `*` (any run of characters) and `?` (one character).
struct WildcardPattern {
    private let pattern: [Character]
    private let caseInsensitive: Bool

    /// Creates a pattern.
    init(_ text: String, caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
        pattern = Array(caseInsensitive ? text.lowercased() : text)
    }

    /// Whether a path component contains `*` or `?`.
    static func hasWildcards(_ text: String) -> Bool { text.contains("*") || text.contains("?") }

    /// Whether the whole name matches the pattern.
    func matches(_ name: String) -> Bool {
        let text = Array(caseInsensitive ? name.lowercased() : name)
        var p = 0, t = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
