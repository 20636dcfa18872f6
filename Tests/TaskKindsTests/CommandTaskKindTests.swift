import Foundation
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Testing

@Suite("CommandTaskKind")
struct CommandTaskKindTests {
    let kind = CommandTaskKind()

    @Test("run: passes every argv element literally, never through a shell")
    func argvIsLiteral() async throws {
        let recorder = LogRecorder()
        let argument = "a b; $(rm -rf /) `id` 'q' \"d\" * > out.txt"
        let outputs = try await kind.run(makeContext(.run(["printf", "%s\\n", argument]), recorder: recorder))
        #expect(outputs == [:])
        #expect(recorder.lines(.stdout) == [argument])
    }

    @Test("shell: runs the script with /bin/sh -c")
    func shellRunsThroughSh() async throws {
        let recorder = LogRecorder()
        _ = try await kind.run(makeContext(.shell("x=$((40 + 2)); echo \"$x\" | tr 4 f; echo oops >&2"), recorder: recorder))
        #expect(recorder.lines(.stdout) == ["f2"])
        #expect(recorder.lines(.stderr) == ["oops"])
    }

    @Test("the process sees the inherited environment, the task's env and the KILN_ variables")
    func environmentIsVisible() async throws {
        let recorder = LogRecorder()
        let script = #"printf '%s\n' "$GREETING" "$KILN_RUN_ID" "$KILN_TASK_ID" "$KILN_ATTEMPT" "$PATH""#
        let context = makeContext(.shell(script), environment: ["GREETING": "hello, world"], attempt: 3, recorder: recorder)
        _ = try await kind.run(context)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        #expect(recorder.lines(.stdout) == ["hello, world", "20261129-143000-abc123", "train", "3", path])
    }

    @Test("KILN_OUTPUTS is a fresh empty file during the run and is removed afterwards")
    func outputsFileLifecycle() async throws {
        let recorder = LogRecorder()
        _ = try await kind.run(makeContext(.shell(#"echo "$KILN_OUTPUTS"; test -f "$KILN_OUTPUTS" && test ! -s "$KILN_OUTPUTS" && echo fresh"#), recorder: recorder))
        let lines = recorder.lines(.stdout)
        #expect(lines.count == 2)
        #expect(lines.last == "fresh")
        let path = try #require(lines.first)
        #expect(path.hasPrefix("/"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a JSON object written to KILN_OUTPUTS becomes the task's outputs")
    func outputsAreRead() async throws {
        let script = #"printf '{"accuracy": 0.93, "model": "m.bin", "tags": ["a", "b"], "ok": true, "none": null}' > "$KILN_OUTPUTS""#
        let outputs = try await kind.run(makeContext(.shell(script)))
        #expect(outputs == ["accuracy": 0.93, "model": "m.bin", "tags": ["a", "b"], "ok": true, "none": nil])
    }

    @Test("an empty, blank or deleted outputs file means no outputs", arguments: [":", #"printf '\n  ' > "$KILN_OUTPUTS""#, #"rm "$KILN_OUTPUTS""#])
    func noOutputs(script: String) async throws {
        #expect(try await kind.run(makeContext(.shell(script))) == [:])
    }

    @Test(
        "invalid outputs fail the task and say what is wrong",
        arguments: [
            ("{not json", "KILN_OUTPUTS file is not valid JSON: Invalid value around character 1."),
            (#"{"a": 1"#, "KILN_OUTPUTS file is not valid JSON: Unexpected end of file during JSON parse."),
            ("[1, 2]", "KILN_OUTPUTS file must hold a JSON object, found an array"),
            ("\"text\"", "KILN_OUTPUTS file must hold a JSON object, found a string"),
            ("42", "KILN_OUTPUTS file must hold a JSON object, found a number"),
            ("null", "KILN_OUTPUTS file must hold a JSON object, found null"),
        ])
    func invalidOutputs(content: String, expected: String) async throws {
        let message = await failureMessage {
            try await kind.run(makeContext(.run(["sh", "-c", #"printf '%s' "$1" > "$KILN_OUTPUTS""#, "sh", content])))
        }
        #expect(message == expected)
    }

    @Test("a non-zero exit fails with the status and the last stderr line")
    func nonZeroExit() async throws {
        let message = await failureMessage {
            try await kind.run(makeContext(.shell("echo starting >&2; echo 'disk full' >&2; echo done; exit 3")))
        }
        #expect(message == "exited with status 3; last stderr line: disk full")
    }

    @Test("a non-zero exit without stderr output names only the status")
    func nonZeroExitQuietly() async throws {
        #expect(await failureMessage { try await kind.run(makeContext(.run(["false"]))) } == "exited with status 1")
    }

    @Test("a process killed by a signal fails with the signal number")
    func killedBySignal() async throws {
        #expect(await failureMessage { try await kind.run(makeContext(.shell("kill -9 $$"))) } == "killed by signal 9")
    }

    @Test("a program missing from PATH fails with a clear message")
    func missingProgram() async throws {
        let message = await failureMessage { try await kind.run(makeContext(.run(["pyhton3-kiln-test", "train.py"]))) }
        #expect(message == "program 'pyhton3-kiln-test' not found in PATH")
    }

    @Test("a missing program path fails with a clear message")
    func missingProgramPath() async throws {
        let message = await failureMessage { try await kind.run(makeContext(.run(["./no-such-script.sh"]))) }
        #expect(message == "program './no-such-script.sh' not found or not executable")
    }

    @Test("an empty argv fails")
    func emptyArgv() async throws {
        let message = await failureMessage { try await kind.run(makeContext(.run([]))) }
        #expect(message == "run: needs at least a program name (the argv is empty)")
    }

    @Test("a uses: action is not a command")
    func usesActionFails() async throws {
        let message = await failureMessage { try await kind.run(makeContext(.uses("train"))) }
        #expect(message == "the command runner runs run: and shell: actions, not the task kind 'train'")
    }

    @Test("the process runs in the working directory, and a relative program path is resolved there")
    func workingDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let script = directory + "/hello.sh"
            try "#!/bin/sh\npwd -P\n".write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            let recorder = LogRecorder()
            _ = try await kind.run(makeContext(.shell("pwd -P"), workingDirectory: directory, recorder: recorder))
            _ = try await kind.run(makeContext(.run(["./hello.sh"]), workingDirectory: directory, recorder: recorder))
            #expect(recorder.lines(.stdout) == [directory, directory])
        }
    }

    @Test("a program name is looked up in the PATH the task's env sets")
    func pathFromTaskEnvironment() async throws {
        try await withTemporaryDirectory { directory in
            let program = directory + "/kiln-hello"
            try "#!/bin/sh\necho hello from PATH\n".write(toFile: program, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
            let recorder = LogRecorder()
            let path = directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            _ = try await kind.run(makeContext(.run(["kiln-hello"]), environment: ["PATH": path], recorder: recorder))
            #expect(recorder.lines(.stdout) == ["hello from PATH"])
        }
    }

    @Test("an environment variable name with '=' fails the task before anything runs")
    func invalidEnvironmentName() async throws {
        let message = await failureMessage { try await kind.run(makeContext(.run(["true"]), environment: ["A=B": "1"])) }
        #expect(message == "invalid environment variable name or value: 'A=B'")
    }

    @Test("a missing working directory fails with a clear message")
    func missingWorkingDirectory() async throws {
        let message = await failureMessage {
            try await kind.run(makeContext(.run(["true"]), workingDirectory: "/nonexistent/kiln-test"))
        }
        #expect(message == "cannot run in working directory '/nonexistent/kiln-test': it does not exist or is not accessible")
    }
}
