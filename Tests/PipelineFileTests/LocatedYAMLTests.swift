import PipelineFile
import PipelineModel
import Testing

/// `LocatedYAML`, the positioned YAML that test files are read with.
@Suite struct LocatedYAMLTests {
    @Test("values keep their positions; scalars follow the core schema; aliases stand for their anchor's value")
    func positionsAndValues() throws {
        let root = try #require(try LocatedYAML.parse("name: p\ncases:\n  - {rows: 3, ok: yes, base: &b [1]}\n  - *b\n", path: "t.yaml"))
        guard case .mapping(let entries) = root.value else {
            Issue.record("expected a mapping")
            return
        }
        #expect(entries.map(\.key) == ["name", "cases"])
        #expect(entries.map { "\($0.keyLine):\($0.keyColumn)" } == ["1:1", "2:1"])
        guard case .sequence(let cases) = entries[1].value.value else {
            Issue.record("expected a list")
            return
        }
        // An alias is its anchor's node, position included.
        #expect(cases.map { "\($0.line):\($0.column)" } == ["3:5", "3:30"])
        #expect(cases[0].json == ["rows": 3, "ok": "yes", "base": [1]])
        #expect(cases[1].json == [1])
    }

    @Test("a key that is not text and a repeated key are located errors, all reported at once")
    func badKeys() {
        do {
            _ = try LocatedYAML.parse("a: 1\n[b, c]: 2\na: 3\n{d: 1}: 4\n", path: "t.yaml")
            Issue.record("the keys were accepted")
        } catch {
            #expect(error.diagnostics.map { "\($0.line):\($0.column): \($0.message)" } == [
                "2:1: a key must be text, not a list",
                "3:1: duplicate key 'a': each key may appear once in a mapping",
                "4:1: a key must be text, not a mapping",
            ])
        }
    }
}
