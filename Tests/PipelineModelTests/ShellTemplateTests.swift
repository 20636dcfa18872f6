import Foundation
import Testing

@testable import PipelineModel

@Suite("shell: scripts take expression values as data, never as script text")
struct ShellTemplateTests {
    @Test(
        "the reference fits the quoting around the expression",
        arguments: [
            ("echo ${{ params.who }}", #"echo "${KILN_VALUE_1}""#),
            (#"echo "hi ${{ params.who }}!""#, #"echo "hi ${KILN_VALUE_1}!""#),
            ("echo 'hi ${{ params.who }}'", #"echo 'hi '"${KILN_VALUE_1}"''"#),
            (#"echo $'a\'${{ params.who }}'"#, #"echo $'a\''"${KILN_VALUE_1}"$''"#),
            (#"echo \"${{ params.who }}"#, #"echo \""${KILN_VALUE_1}""#),
            (#"echo "${{ params.who }}" '${{ params.who }}'"#, #"echo "${KILN_VALUE_1}" ''"${KILN_VALUE_2}"''"#),
        ])
    func placement(template: String, expected: String) throws {
        let rendered = try Template(template).renderShell(in: FixedContext(values: ["params.who": "x"]))
        #expect(rendered.script == expected)
        #expect(rendered.values.keys.sorted() == (1...rendered.values.count).map { "KILN_VALUE_\($0)" })
    }

    @Test(
        "a hostile value is printed verbatim in every quoting context and runs nothing",
        arguments: [
            "echo ${{ params.who }}", #"echo "${{ params.who }}""#, "echo '${{ params.who }}'",
            #"printf '%s\n' "pre-${{ params.who }}-post""#,
        ])
    func hostileValues(template: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-shell-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hostile = #"$(touch PWNED) `touch PWNED2`; touch PWNED3 ' " \ ${HOME} *"#
        let rendered = try Template(template).renderShell(in: FixedContext(values: ["params.who": .string(hostile)]))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", rendered.script]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = rendered.values.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        #expect(printed.contains(hostile), "\(printed)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("non-string values are passed as their JSON text")
    func jsonValues() throws {
        let rendered = try Template("run --n ${{ params.n }} --tags ${{ params.tags }}").renderShell(
            in: FixedContext(values: ["params.n": 3, "params.tags": ["a", "b"]]))
        #expect(rendered.values == ["KILN_VALUE_1": "3", "KILN_VALUE_2": #"["a","b"]"#])
    }
}
