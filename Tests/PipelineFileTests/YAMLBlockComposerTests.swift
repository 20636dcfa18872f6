import Foundation
@_spi(Testing) import PipelineFile
import PipelineTesting
import Testing

/// The block composer reads what it accepts exactly as libyaml does (nodes, marks, styles, tags), and declines the
/// rest: every case composes the text both ways and compares.
@Suite struct YAMLBlockComposerTests {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's YAML files: examples, docs' samples and test data.
    private static func yamlFiles() -> [URL] {
        let roots = ["examples", "benchmarks", "Tests"].map { repository.appendingPathComponent($0) }
        return roots.flatMap { root -> [URL] in
            let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            return (walker?.allObjects as? [URL] ?? []).filter { ["yaml", "yml"].contains($0.pathExtension) }
        }.sorted { $0.path < $1.path }
    }

    @Test("every example pipeline is read by the block composer, with libyaml's nodes")
    func examples() throws {
        // The test files are left out: they use anchors (`&training`), which libyaml composes.
        let files = Self.yamlFiles().filter { $0.path.contains("/examples/") && !$0.path.hasSuffix(".test.yaml") }
        #expect(files.count >= 8)
        for file in files {
            let outcome = YAMLComposerCheck.compare(try String(contentsOf: file, encoding: .utf8))
            #expect(outcome == .same, "\(file.lastPathComponent)")
        }
    }

    @Test("no YAML file of the repository composes differently")
    func repositoryFiles() throws {
        for file in Self.yamlFiles() {
            let outcome = YAMLComposerCheck.compare(try String(contentsOf: file, encoding: .utf8))
            if case .different(let where_) = outcome { Issue.record("\(file.path): \(where_)") }
        }
    }

    @Test("each construct it reads gives libyaml's nodes", arguments: [
        "a: 1\n", "a: 1", "a: b\nc: d\n", "a:\n  b: 1\n  c:\n    d: e\nf: g\n",
        "# top\n\na: 1 # one\n  # indented comment\nb: 2\n\n\n", "a: x#y\nb: 'q' # c\n",
        "list:\n  - a\n  - 'b'\n  - \"c\"\n", "list:\n- a\n- b\nnext: 1\n", "- a\n- b\n",
        "steps:\n  - name: x\n    run: y\n  - name: z\n", "- k: v\n  l: w\n- m\n",
        "a: [1, 2, three]\nb: []\nc: {}\nd: {x: 1, y: [a, b], z: {q: r}}\n", "e: { x: 'a b', y: \"c\" }\n",
        "f: [ a , b ]\n", "g: [-1, -x, a b]\n", "url: http://example.com:8080/x\nkey-with-dash: -1.5\n",
        "s: 'it''s'\nd: \"a\\\"b\\\\c\\/d\\ne\\tf\"\n", "'quoted key': 1\n\"double\": 2\n",
        "script: |\n  echo one\n    indented\n\n  two\n", "k: |-\n  no newline\nn: 1\n",
        "k: |+\n  kept\n\n\nn: 1\n", "k: |\n  last\n", "k: |\n  last", "k: | # comment\n  x\n",
        "k: |\n  a\n\n  b\n  \n     \n# after\nn: 1\n", "- |\n  in a list\n- x\n",
        "outer:\n  - inner: |\n      text\n    more: 1\n", "a: ${{ params.x }}\nb: \"${{ tasks.y.outputs.z }}\"\n",
        "# → comment\nclé: café → thé\nb: [é, 'ü', \"ö\"]\nc: |\n  naïve\nd: 1\n",
        "- ✓ done\n- x: ÿ\n  y: 2\n",
        "a: yes\nb: ~\nc: null\nd: 0x1F\ne: .inf\nf: 1e3\n", "a: 1\na: 2\n", "k: v \n", "   a: 1\n   b: 2\n",
        "a:\n    - x\n    - y\n", "x: {a: [1, {b: c}], d: \"e, f\"}\n", "key: a ]b} c,d\n",
    ])
    func constructs(_ text: String) {
        #expect(YAMLComposerCheck.compare(text) == .same, "\(text.debugDescription)")
    }

    @Test("what it does not read is left to libyaml", arguments: [
        "", "# only a comment\n", "a:\n", "a:\nb: 1\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: >\n  folded\n",
        "a: plain\n  continued\n", "a: \"two\n  lines\"\n", "a:\tb\n", "a: 1\r\nb: 2\r\n",
        "a: x\u{85}y\n", "a: x\u{2028}y\n", "a: \u{FEFF}x\n",
        "---\na: 1\n", "a: 1\n---\nb: 2\n", "...  params: echo \"helln m", "--- a: 1\n", "a: 1\n...\n",
        "a: |\n  x\n---\nb: 1\n", "a: 1\n--- \n", "? complex\n: key\n", "a: [1,\n  2]\n", "a: {x}\n", "a: [x,]\n",
        "a: [k: v]\n", "a: b: c\n", "a : 1\n", "a: |2\n   x\n", "a: |\n\n  x\n", "a: |\n", "plain scalar\n",
        "a: 1\n b: 2\n", "a:\n  b: 1\n c: 2\n", "a: \"\\x41\"\n", "- - nested\n", "a: {b: }\n", "a: @x\n",
        "a: 'x'y\n", "list:\n  - a\n  b: 1\n", "a: 1\n- b\n", "a:b\n",
    ])
    func declined(_ text: String) {
        #expect(YAMLComposerCheck.compare(text) == .declined, "\(text.debugDescription)")
    }

    @Test("long lines of non-ASCII text get libyaml's columns (counted on along the line, not from its start)")
    func longNonASCIILines() {
        let items = (0..<3000).map { $0 % 3 == 0 ? "é\($0)  " : "ü" }.joined(separator: ", ")
        let text = "clé: [\(items)]\nautre: {a: 'ö', b: \"→\"}  # ç\nliste:\n  - ñ: [x, é]\n    ü: 1\n"
        #expect(YAMLComposerCheck.compare(text) == .same)
    }

    @Test("a text past the limits is left to libyaml's composer, which reports them")
    func limits() {
        let deep = (0..<70).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"
        #expect(YAMLComposerCheck.compare(deep) == .declined)
        let deepList = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(YAMLComposerCheck.compare("a: \(deepList)\n") == .declined)
    }

    @Test("mutated examples never compose differently: the block composer declines or agrees")
    func mutations() throws {
        // Single characters, and tokens that mean something at the start of a line or after a blank.
        let alphabet = " \n-:#'\"|{}[],&*!?>%@`\\+ab1.".map { Array(String($0).utf8) }
            + [
                "\n---", "\n...", "\n--- ", "\n... ", "\n...\n", "\n- ", ": ", " #", "|-", "|+", "\n  ", "&a ", "*a",
                "!!str ", "? ", "é", "\t",
            ].map { Array($0.utf8) }
        var random = SeededRandomNumberGenerator(seed: 0x6b69_6c6e)
        var agreed = 0
        for file in Self.yamlFiles().filter({ $0.path.contains("/examples/") }) {
            let original = Array(try String(contentsOf: file, encoding: .utf8).utf8)
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<(1 + Int(random.next() % 3)) {
                    let index = Int(random.next() % UInt64(bytes.count))
                    let token = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    switch random.next() % 3 {
                    case 0: bytes.replaceSubrange(index...index, with: token)
                    case 1: bytes.insert(contentsOf: token, at: index)
                    default: bytes.remove(at: index)
                    }
                }
                let text = String(decoding: bytes, as: UTF8.self)
                let outcome = YAMLComposerCheck.compare(text)
                if case .different(let where_) = outcome {
                    Issue.record("\(file.lastPathComponent) mutated: \(where_)\n\(text)")
                    return
                }
                if outcome == .same { agreed += 1 }
            }
        }
        #expect(agreed > 500)  // the mutations exercise the block composer, not only its refusals
    }

    @Test("generated documents never compose differently, and most are read by the block composer")
    func generated() {
        var random = SeededRandomNumberGenerator(seed: 42)
        var agreed = 0
        for _ in 0..<2000 {
            var generator = DocumentGenerator(random: random)
            let text = generator.document()
            random = generator.random
            let outcome = YAMLComposerCheck.compare(text)
            if case .different(let where_) = outcome {
                Issue.record("\(where_)\n\(text)")
                return
            }
            if outcome == .same { agreed += 1 }
        }
        #expect(agreed > 1000)
    }
}

/// Random block documents mixing the constructs the block composer reads, and some it declines.
private struct DocumentGenerator {
    var random: SeededRandomNumberGenerator
    private var lines: [String] = []

    init(random: SeededRandomNumberGenerator) { self.random = random }

    mutating func document() -> String {
        mapping(indent: 0, depth: 0)
        if below(4) == 0 { lines.insert("# generated", at: below(lines.count + 1)) }
        return lines.joined(separator: "\n") + (below(5) == 0 ? "" : "\n")
    }

    private mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }

    private mutating func pick(_ choices: [String]) -> String { choices[below(choices.count)] }

    private mutating func scalar(flow: Bool) -> String {
        let plain = flow
            ? ["a", "b c", "-1", "2.5", "true", "null", "x-y", "${{ p }}", "http://h/x", "ñ"]
            : ["a", "b c", "-1", "2.5", "true", "null", "x-y", "${{ p }}", "http://h:1/x", "a]b", "a,b", "x #c", "a#b",
               "é → ü"]
        switch below(6) {
        case 0: return "'" + pick(["it''s", "", "a: b", "#x", " sp "]) + "'"
        case 1: return "\"" + pick(["", "a\\\"b", "c\\\\d", "e\\nf", "g: h", "\\t", "\\/"]) + "\""
        default: return pick(plain)
        }
    }

    private mutating func flow(depth: Int) -> String {
        guard depth < 3, below(3) == 0 else { return scalar(flow: true) }
        let count = below(4)
        let space = pick(["", " "])
        if below(2) == 0 {
            let items = (0..<count).map { _ in flow(depth: depth + 1) }
            return "[" + space + items.joined(separator: pick([", ", ",", " , "])) + space + "]"
        }
        let pairs = (0..<count).map { index in "k\(index): " + flow(depth: depth + 1) }
        return "{" + space + pairs.joined(separator: ", ") + space + "}"
    }

    private mutating func literal(indent: Int) {
        lines[lines.count - 1] += " " + pick(["|", "|-", "|+", "| # c"])
        let inner = String(repeating: " ", count: indent + 2)
        for _ in 0..<(1 + below(3)) {
            lines.append(pick(["", inner + "text", inner + "  more", inner + "# not a comment", inner + "  "]))
        }
        if lines.last?.isEmpty ?? false || below(3) == 0 { lines.append(inner + "end") }
    }

    private mutating func value(indent: Int, depth: Int) {
        switch below(depth < 4 ? 7 : 4) {
        case 0: lines[lines.count - 1] += " " + flow(depth: 0)
        case 1: literal(indent: indent)
        case 2, 3: lines[lines.count - 1] += " " + scalar(flow: false) + pick(["", " # c", "  "])
        case 4: sequence(indent: indent + [0, 2, 4][below(3)], depth: depth + 1)
        default: mapping(indent: indent + 2, depth: depth + 1)
        }
    }

    private mutating func mapping(indent: Int, depth: Int) {
        let pad = String(repeating: " ", count: indent)
        for index in 0..<(1 + below(4)) {
            if below(8) == 0 { lines.append("") }
            lines.append(pad + pick(["k\(index):", "'q\(index)':", "\"d\(index)\":", "k-\(index):"]))
            value(indent: indent, depth: depth)
        }
    }

    private mutating func sequence(indent: Int, depth: Int) {
        let pad = String(repeating: " ", count: indent)
        for index in 0..<(1 + below(3)) {
            switch below(4) {
            case 0:
                lines.append(pad + "- k\(index):")
                value(indent: indent + 2, depth: depth + 1)
            case 1:
                lines.append(pad + "-")
                value(indent: indent, depth: depth)
            default:
                lines.append(pad + "- " + scalar(flow: false))
            }
        }
    }
}
