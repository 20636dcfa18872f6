import Foundation
import PipelineFile
import PipelineModel
import Testing

/// Hostile input never crashes or hangs the reader: every bound is a located error with its number.
@Suite struct PipelineFileLimitTests {
    private static let tooLong = "it is longer than 100 years (36500d), the longest duration Kiln accepts; use a shorter one"

    @Test("a timeout past 100 years is refused where it is written (it used to pass and crash the run)")
    func longTimeout() {
        let found = diagnostics("name: p\ntasks:\n  a:\n    run: [a]\n    timeout: 106751d\n", plan: true)
        #expect(located(found) == ["5:14: timeout: invalid duration '106751d': \(Self.tooLong)"])
    }

    @Test("approve's timeout and deploy's approval_timeout past 100 years are refused at validation, at their line")
    func longApprovalTimeouts() {
        let found = diagnostics(
            """
            name: p
            params: {wait: 1h}
            tasks:
              ok: {uses: approve, with: {timeout: 24h}}
              ask: {uses: approve, with: {timeout: 40000d}}
              ship: {uses: deploy, with: {model: m, approval_timeout: 1h 2d}}
              later: {uses: deploy, with: {model: m, approval_timeout: "${{ params.wait }}"}}
            """, plan: true)
        #expect(
            located(found) == [
                "5:40: timeout: invalid duration '40000d': \(Self.tooLong)",
                "6:59: approval_timeout: invalid duration '1h 2d': expected a number at ' 2d'; write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m",
            ])
    }

    @Test("cache expiry, retry delays, cooldown and every: past 100 years are refused where they are written")
    func otherLongDurations() {
        let found = diagnostics(
            """
            name: p
            tasks:
              a:
                run: [a]
                retry_delay: 1000000d
                retry_max_delay: 99999999999999999999999d
                cache: {key: inputs, expire: 1000000d}
            triggers:
              every: 1000000d
              cooldown: 1000000d
            """, plan: true)
        #expect(
            located(found) == [
                "5:18: retry_delay: invalid duration '1000000d': \(Self.tooLong)",
                "6:22: retry_max_delay: invalid duration '99999999999999999999999d': \(Self.tooLong)",
                "7:34: expire: invalid duration '1000000d': \(Self.tooLong)",
                "9:10: every: invalid duration '1000000d': \(Self.tooLong)",
                "10:13: cooldown: invalid duration '1000000d': \(Self.tooLong)",
            ])
    }

    @Test("whole-number fields refuse infinity and huge values instead of trapping")
    func wholeNumbers() {
        let found = diagnostics(
            """
            name: p
            tasks:
              a: {run: [a]}
            triggers:
              data: {path: in/, new_rows: 1e30}
              max_active_runs: .inf
            """)
        #expect(
            located(found) == [
                "5:31: new_rows must be a whole number of at least 1 and at most 9007199254740992 (2^53)",
                "6:20: max_active_runs must be a whole number of at least 1 and at most 9007199254740992 (2^53)",
            ])
    }

    @Test("a 10-level alias bomb in params is refused at the alias that passes the limit, without expanding it")
    func aliasBomb() {
        var lines = ["name: p", "params:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            lines.append("  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
            previous = name
        }
        lines += ["tasks:", "  t: {run: [echo]}"]
        let found = diagnostics(lines.joined(separator: "\n"), plan: true)
        #expect(found.count == 1)
        #expect(
            located(found) == [
                "8:10: this alias (*e) expands the file to more than 200,000 values (the limit); write the values "
                    + "out, use 'defaults:' for shared task fields, or use fewer aliases"
            ])
    }

    @Test("config YAML (YAMLValues) has the pipeline file's limits: an alias bomb and deep nesting are refused, located")
    func configYAMLLimits() throws {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
            previous = name
        }
        #expect(throws: YAMLValuesError.self) { try YAMLValues.parse(lines.joined(separator: "\n")) }
        do {
            _ = try YAMLValues.parse(lines.joined(separator: "\n"))
        } catch let error as YAMLValuesError {
            #expect(error.message.hasPrefix("line 6, column 8: this alias (*e) expands the file to more than 200,000 values"), "\(error)")
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        do {
            _ = try YAMLValues.parse("k: " + deep)
            Issue.record("65 levels of nesting were accepted")
        } catch let error as YAMLValuesError {
            #expect(error.message.contains("nest more than 64 levels deep"), "\(error)")
        }
        do {
            _ = try YAMLValues.parse("a: 1\nb: 2\na: 3\n")
            Issue.record("a duplicate key was accepted")
        } catch let error as YAMLValuesError {
            #expect(error.message == "duplicate key 'a' in the mapping that starts at line 1, column 1: each key may appear once in a mapping", "\(error)")
        }
        // Found by fuzzing: Yams' loader trapped on a key that is a list or a mapping.
        for (text, line, column) in [
            ("join: {needs: [a, b], uses: noop, !with: {rows: 1} }\n", 1, 35), ("[a, b]: 1\n", 1, 1),
            ("a:\n  ? {b: 1}\n  : 2\n", 2, 5),
        ] {
            do {
                _ = try YAMLValues.parse(text)
                Issue.record("a structured key was accepted: \(text)")
            } catch let error as YAMLValuesError {
                #expect(error.message == "line \(line), column \(column): this mapping key is a list or a mapping; keys of a config file must be text")
            }
        }
        #expect(try YAMLValues.parse("x: &v [1, 2]\ny: *v\n") == .object(["x": .array([.number(1), .number(2)]), "y": .array([.number(1), .number(2)])]))
    }

    @Test("an alias bomb used as a mapping key is refused at the alias, before the YAML parser hashes it")
    func aliasBombKey() {
        var lines = ["name: p", "params:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            lines.append("  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
            previous = name
        }
        lines += ["  k: {? *j : 1}", "tasks:", "  t: {run: [echo]}"]
        let found = diagnostics(lines.joined(separator: "\n"))
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("this alias (*") == true, "\(located(found))")
        #expect(found.first?.message.contains("expands the file to more than 200,000 values (the limit)") == true)
    }

    @Test("stars that are not aliases (globs, quoted text, comments) are read as written")
    func starsThatAreNotAliases() throws {
        let pipeline = try PipelineFile.parse(
            """
            name: p  # *not an alias
            params: {glob: "*x", list: ['*y'], text: a *b}
            tasks:
              t: {shell: ls *.csv *data}
            """, path: "p.yaml")
        #expect(pipeline.params == ["glob": "*x", "list": ["*y"], "text": "a *b"])
        #expect(pipeline.tasks.first?.action == .shell("ls *.csv *data"))
    }

    @Test("a few aliases that stay within the limit still work")
    func fewAliases() throws {
        let pipeline = try PipelineFile.parse(
            "name: p\nparams:\n  base: &b {lr: 0.1, depth: 3}\n  copy: *b\ntasks:\n  t: {run: [echo]}\n", path: "p.yaml")
        #expect(pipeline.params["copy"] == pipeline.params["base"])
    }

    @Test("nesting past 64 levels is refused where it passes the limit")
    func deepNesting() {
        let text = "name: p\nparams:\n  x: " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
            + "\ntasks:\n  t: {run: [echo]}\n"
        let message = "mappings and lists nest more than 64 levels deep here (the limit); flatten the structure, "
            + "or read deeply nested data from a file"
        #expect(located(diagnostics(text)) == ["3:68: \(message)"])
        // Deeper than the YAML parser's own bound: the same message, never the parser's text.
        let deeper = "name: p\nparams:\n  x: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            + "\ntasks:\n  t: {run: [echo]}\n"
        let found = diagnostics(deeper)
        #expect(found.map(\.message) == [message])
        #expect(found.first?.line == 3)
    }

    @Test("a 511-level nested param is a clear error, not an EncodingError dump")
    func nestedParam() {
        let text = "name: p\nparams:\n  x: " + String(repeating: "[", count: 511) + "1" + String(repeating: "]", count: 511)
            + "\ntasks:\n  t: {run: [echo]}\n"
        #expect(diagnostics(text, plan: true).map(\.message).first?.hasPrefix("mappings and lists nest more than 64") == true)
    }

    @Test("a key longer than 256 characters is refused at the key")
    func longKey() {
        let key = String(repeating: "k", count: 300)
        let found = diagnostics("name: p\nparams:\n  \(key): 1\ntasks:\n  t: {run: [echo]}\n")
        #expect(located(found) == ["3:3: this key is 300 characters long, more than the limit of 256; use a shorter key"])
    }

    @Test("a file over 1 MiB is refused before it is parsed")
    func largeFile() {
        let text = "name: p\ndescription: " + String(repeating: "x", count: 1_048_576) + "\ntasks:\n  t: {run: [echo]}\n"
        #expect(
            located(diagnostics(text)) == [
                "1:1: the file is 1,048,624 bytes, more than the limit of 1,048,576 bytes (1 MiB); "
                    + "split the pipeline into smaller files"
            ])
    }

    @Test("loading refuses devices and FIFOs instead of reading forever")
    func notARegularFile() {
        #expect {
            try PipelineFile.load(path: "/dev/zero")
        } throws: { error in
            "\(error)" == "/dev/zero:1:1: error: cannot read the pipeline file: it is not a regular file (a device, "
                + "FIFO or socket); give the path of a YAML file"
        }
    }

    @Test("integers past 2^53 are refused where they are written instead of becoming 1.2345678901234568e+16")
    func bigIntegers() throws {
        let found = diagnostics(
            """
            name: p
            params:
              id: 12345678901234567
              max: 9007199254740993
              huge: -99999999999999999999999
            tasks:
              t:
                uses: noop
                with: {n: 12345678901234567}
            """, plan: true)
        let tail = " is too large to keep exactly: numbers are kept as 64-bit floating point, exact up to "
            + "±9007199254740992 (2^53); quote it to pass it as text, e.g. "
        #expect(
            located(found) == [
                "3:7: the integer 12345678901234567\(tail)\"12345678901234567\"",
                "4:8: the integer 9007199254740993\(tail)\"9007199254740993\"",
                "5:9: the integer -99999999999999999999999\(tail)\"-99999999999999999999999\"",
                "9:15: the integer 12345678901234567\(tail)\"12345678901234567\"",
            ])
        let pipeline = try PipelineFile.parse(
            "name: p\nparams: {a: 9007199254740992, b: \"12345678901234567\"}\ntasks:\n  t: {run: [echo]}\n",
            path: "p.yaml")
        #expect(pipeline.params["a"]?.interpolated == "9007199254740992")
        #expect(pipeline.params["b"]?.interpolated == "12345678901234567")
    }

    @Test("non-finite numbers are refused where they are written, not dumped as an EncodingError")
    func nonFinite() {
        let found = diagnostics(
            "name: p\nparams:\n  a: .inf\n  b: 1e400\n  c: -.inf\n  d: .nan\ntasks:\n  t: {run: [echo]}\n", plan: true)
        let tail = " is not a finite number, which a JSON value cannot hold; write a finite number, or quote it to pass it as text"
        #expect(located(found) == ["3:6: .inf\(tail)", "4:6: 1e400\(tail)", "5:6: -.inf\(tail)", "6:6: .nan\(tail)"])
    }

    @Test("a NUL character in a run: argument is refused at the argument")
    func nulInArgv() {
        let found = diagnostics("name: p\ntasks:\n  t:\n    run: [echo, \"a\\0b\"]\n", plan: true)
        #expect(
            located(found) == [
                "4:17: this argument contains a NUL character (\\0), which a command line or environment cannot carry; remove it"
            ])
    }

    @Test("deep and long expressions in if: and with: are located errors (they used to pass and crash the run)")
    func deepExpressions() {
        let parentheses = String(repeating: "(", count: 20_000) + "true" + String(repeating: ")", count: 20_000)
        let chain = Array(repeating: "true", count: 100_000).joined(separator: " || ")
        let nots = String(repeating: "!", count: 100_000) + "true"
        let yaml = """
            name: p
            tasks:
              a:
                if: ${{ \(parentheses) }}
                run: [a]
              b:
                if: \(chain)
                run: [a]
              c:
                if: ${{ \(nots) }}
                run: [a]
              d:
                uses: noop
                with: {x: "${{ \(parentheses) }}"}
            """
        let found = diagnostics(yaml, plan: true)
        #expect(found.map(\.line) == [4, 7, 10, 14])
        #expect(found.map(\.column) == [12, 9, 12, 19])
        #expect(found.allSatisfy { $0.message.contains("characters long, more than the limit of 10000") })
    }

    @Test("aliases count what their anchor holds: the alias that passes 200,000 values is the one refused")
    func aliasesCountTheirAnchor() {
        // The root, name, p, params, its mapping, the key big: 6 values; the anchored list: 10,000; each line
        // after it: a key and an alias of 10,000. After the 18th alias line: 190,024 values; the 19th passes the limit.
        let big = "[" + Array(repeating: "1", count: 9_999).joined(separator: ", ") + "]"
        let aliases = (0..<19).map { "  c\($0): *big" }.joined(separator: "\n")
        let found = diagnostics("name: p\nparams:\n  big: &big \(big)\n\(aliases)\ntasks:\n  t: {run: [echo]}\n")
        #expect(found.count == 1)
        #expect(located(found).first?.hasPrefix("22:8: this alias (*big) expands the file to more than 200,000") == true)
    }

    @Test("a syntax error anywhere in the file is reported before a limit passed earlier")
    func syntaxBeforeLimit() {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(located(diagnostics("name: p\nparams:\n  x: \(deep)\ntasks:\n  t: {run: [echo]}\n  u: \"open\n"))
            .first?.hasPrefix("7:1: invalid YAML: found unexpected end of stream") == true)
        #expect(located(diagnostics("name: p\nparams:\n  x: \(deep)\n---\nname: q\n")) == [
            "4:1: invalid YAML: a pipeline file holds one document; remove this '---' and what follows, or merge it"
        ])
    }

    @Test("an alias of an anchor never defined, or defined after it, is a located error")
    func undefinedAlias() {
        #expect(located(diagnostics("name: p\nparams:\n  a: *nowhere\ntasks:\n  t: {run: [echo]}\n"))
            == ["3:6: invalid YAML: found undefined alias"])
        #expect(located(diagnostics("name: p\nparams:\n  a: *later\n  b: &later 1\ntasks:\n  t: {run: [echo]}\n"))
            == ["3:6: invalid YAML: found undefined alias"])
    }

    @Test("a control character is located at its line and column, after multi-byte text")
    func controlCharacter() {
        let found = located(diagnostics("name: p\ndescription: héllo \u{7}\ntasks:\n  t: {run: [echo]}\n"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:20: cannot read the text as YAML: control characters are not allowed") == true,
                "\(found)")
    }
}
